from django.urls import path

from web.public import views

app_name = "public"
urlpatterns = [
    path("", views.public_index, name="index"),
    path("<int:plan_id>/", views.public_plan, name="plan"),
    path("<int:plan_id>/data.csv", views.public_plan_csv, name="csv"),
    path("<int:plan_id>/publish/", views.publish, name="publish"),
]
