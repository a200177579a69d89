from django.urls import path

from . import views

app_name = "breeding"

urlpatterns = [
    path("today/", views.today, name="today"),
    path("today/<slug:action>/<int:pk>/", views.today_act, name="today_act"),
    path("animals/<int:pk>/", views.animal_breeding, name="animal"),
    path("animals/<int:pk>/heats/", views.heat_create, name="heat_create"),
    path("animals/<int:pk>/services/", views.service_create, name="service_create"),
    path("animals/<int:pk>/mating/", views.mating_preview, name="mating"),
    path("animals/<int:pk>/checks/", views.check_create, name="check_create"),
    path("animals/<int:pk>/births/", views.birth_create, name="birth_create"),
    path("births/<int:pk>/void/", views.birth_void, name="birth_void"),
    path("hires/", views.hire_list, name="hires"),
    path("hires/new/", views.hire_edit, name="hire_create"),
    path("hires/<int:pk>/", views.hire_detail, name="hire"),
    path("hires/<int:pk>/edit/", views.hire_edit, name="hire_edit"),
    path("hires/<int:pk>/end/", views.hire_end, name="hire_end"),
    path("tasks/", views.task_list, name="tasks"),
    path("fertility/", views.fertility_report, name="fertility"),
]
