from django.urls import path

from . import views

app_name = "breeding"

urlpatterns = [
    path("today/", views.today, name="today"),
    path("animals/<int:pk>/", views.animal_breeding, name="animal"),
    path("animals/<int:pk>/heats/", views.heat_create, name="heat_create"),
    path("animals/<int:pk>/services/", views.service_create, name="service_create"),
    path("animals/<int:pk>/checks/", views.check_create, name="check_create"),
    path("animals/<int:pk>/births/", views.birth_create, name="birth_create"),
]
