from django.urls import path

from web.jobs import views

app_name = "jobs"
urlpatterns = [
    path("plans/<int:plan_id>/", views.plan_jobs, name="plan"),
    path("plans/<int:plan_id>/<str:kind>/", views.start, name="start"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/status/", views.status, name="status"),
    path("<int:pk>/file/", views.result, name="result"),
]
