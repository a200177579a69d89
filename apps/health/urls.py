from django.urls import path

from . import views

app_name = "health"

urlpatterns = [
    path("", views.health_home, name="home"),
    path("book/", views.medicine_book, name="book"),
    path("vaccinate/", views.vaccinate, name="vaccinate"),
    path("checks/new/", views.health_check_create, name="check_create"),
    path("treatments/new/", views.treatment_create, name="treatment_create"),
    path("treatments/<int:pk>/", views.treatment_detail, name="treatment"),
    path("treatments/<int:pk>/doses/", views.treatment_dose, name="treatment_dose"),
    path("treatments/<int:pk>/void/", views.treatment_void, name="treatment_void"),
]
