from django.urls import path

from web.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.index, name="index"),
    path("tasks/", views.my_tasks, name="tasks"),
    path("search/", views.search_page, name="search"),
    path("plans/<int:plan_id>/", views.plan_dashboard, name="plan"),
    path("plans/<int:plan_id>/completeness/", views.completeness, name="completeness"),
    path("plans/<int:plan_id>/indicators/<str:code>/", views.indicator_detail, name="indicator"),
    path("plans/<int:plan_id>/indicators/<str:code>/grid/", views.unit_grid, name="grid"),
]
