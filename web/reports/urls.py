from django.urls import path

from web.reports import views

app_name = "report_downloads"
urlpatterns = [
    path("<int:plan_id>/settings/", views.settings_edit, name="settings"),
    path("<int:plan_id>/<str:period>/<str:fmt>", views.download, name="download"),
    path("phase/<int:plan_id>/<str:fmt>", views.phase_download, name="phase"),
]
