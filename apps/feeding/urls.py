from django.urls import path

from . import views

app_name = "feeding"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.feeding_create, name="create"),
    path("rations/new/", views.ration_edit, name="ration_create"),
    path("rations/<int:pk>/", views.ration_edit, name="ration_edit"),
    path("card/", views.iofc_card, name="card"),
]
