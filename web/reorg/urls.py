from django.urls import path

from web.reorg import views

app_name = "reorg"
urlpatterns = [
    path("", views.reorganise, name="reorganise"),
    path("trend/<int:pk>/", views.trend, name="trend"),
    path("carry-over/<int:plan_id>/", views.carry_over, name="carry_over"),
]
