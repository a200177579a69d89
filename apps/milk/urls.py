from django.urls import path

from . import views

app_name = "milk"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cards/<slug:card>/", views.dashboard_card, name="dashboard_card"),
    path("entry/", views.entry, name="entry"),
    path("entry/row/", views.row_save, name="row_save"),
    path("entry/tank/", views.bulk_tank_save, name="bulk_tank_save"),
    path("entry/quality/", views.row_quality, name="row_quality"),
    path("records/", views.records, name="records"),
    path("animals/<int:pk>/", views.animal_milk, name="animal"),
    path("animals/<int:pk>/lactations/", views.lactation_start, name="lactation_start"),
    path("lactations/start/", views.lactations_start_many, name="lactations_start_many"),
    path("lactations/<int:pk>/dry-off/", views.lactation_dry_off, name="lactation_dry_off"),
    path("alerts/<int:pk>/resolve/", views.alert_resolve, name="alert_resolve"),
]
