from django.urls import path

from web.notices import views

app_name = "notices"
urlpatterns = [
    path("", views.notice_list, name="list"),
    path("read/", views.notices_read, name="read"),
    path("settings/", views.notice_settings, name="settings"),
]
