from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path("", views.integrations, name="integrations"),
    path("keys/<int:pk>/revoke/", views.key_revoke, name="key_revoke"),
]
