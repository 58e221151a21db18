from django.urls import path

from web.core import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
]
