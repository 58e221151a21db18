from django.urls import path

from web.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("upload/", views.upload, name="upload"),
    path("v/<int:pk>/", views.version_detail, name="version"),
    path("v/<int:pk>/discard/", views.version_discard, name="discard"),
    path("target/<int:pk>/", views.target_edit, name="target"),
    path("assignment/<int:pk>/", views.assignment_edit, name="assignment"),
    path("<int:pk>/four-eyes/", views.four_eyes, name="four_eyes"),
]
