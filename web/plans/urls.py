from django.urls import path

from web.core import views as core_views

app_name = "plans"
urlpatterns = [path("", core_views.home, name="list")]  # the plan pages land with the importer
