from django.urls import path

from web.api import views

app_name = "exchange"
urlpatterns = [
    path("<int:plan_id>/dhis2/", views.dhis2_settings, name="dhis2"),
    path("<int:plan_id>/dhis2.json", views.dhis2_download, name="dhis2_download"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke_view, name="token_revoke"),
]
