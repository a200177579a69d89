from django.urls import path

from . import views

app_name = "herd"

urlpatterns = [
    path("", views.animal_list, name="list"),
    path("groups/new/<int:pk>/", views.group_create, name="group_create"),
    path("new/", views.animal_create, name="create"),
    path("quick-add/", views.animal_quick_add, name="quick_add"),
    path("import/", views.animal_import, name="import"),
    path("import/template.csv", views.import_template, name="import_template"),
    path("<int:pk>/", views.animal_detail, name="detail"),
    path("<int:pk>/edit/", views.animal_edit, name="edit"),
    path("<int:pk>/photo/", views.animal_photo, name="photo"),
    path("<int:pk>/events/", views.event_create, name="event_create"),
    path("group-action/", views.group_action, name="group_action"),
    path("outside/", views.outside_register, name="outside"),
    path("outside/sires/new/", views.outside_sire_edit, name="outside_sire_create"),
    path("outside/sires/import/", views.bull_list_import, name="bull_list_import"),
    path("outside/sires/import/template.csv", views.bull_list_template, name="bull_list_template"),
    path("outside/sires/<int:pk>/", views.outside_sire_edit, name="outside_sire_edit"),
    path("outside/farms/new/", views.external_farm_edit, name="external_farm_create"),
    path("outside/farms/<int:pk>/", views.external_farm_edit, name="external_farm_edit"),
]
