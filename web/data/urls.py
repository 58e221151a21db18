from django.urls import path

from web.data import views

app_name = "data"
urlpatterns = [
    path("<int:unit_id>/<str:period_key>/", views.entry, name="entry"),
    path("<int:unit_id>/<str:period_key>/decide/", views.decide, name="decide"),
    path("preview/<int:indicator_id>/<str:sex_key>/", views.preview, name="preview"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
]
