from django.urls import path

from . import views

app_name = "farms"

urlpatterns = [
    path("", views.farm_list, name="list"),
    path("new/", views.farm_create, name="create"),
    path("<int:pk>/", views.farm_detail, name="detail"),
    path("<int:pk>/edit/", views.farm_edit, name="edit"),
    path("<int:pk>/archive/", views.farm_archive, name="archive"),
]
