from django.urls import path

from web.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("<int:pk>/change/", views.change, name="change"),
]
