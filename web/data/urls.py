from django.urls import path

from web.data import offline_views, views

app_name = "data"
urlpatterns = [
    path("<int:unit_id>/<str:period_key>/", views.entry, name="entry"),
    path("<int:unit_id>/<str:period_key>/decide/", views.decide, name="decide"),
    path("preview/<int:indicator_id>/<str:sex_key>/", views.preview, name="preview"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
    path("form/<int:unit_id>/", offline_views.offline_form, name="offline_form"),
    path(
        "form/<int:unit_id>/<int:year>.xlsx",
        offline_views.offline_form_download,
        name="offline_form_download",
    ),
]
