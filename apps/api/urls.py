from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path("", views.integrations, name="integrations"),
    path("keys/<int:pk>/revoke/", views.key_revoke, name="key_revoke"),
    path("webhooks/<int:pk>/", views.endpoint_detail, name="endpoint"),
    path("webhooks/<int:pk>/action/", views.endpoint_action, name="endpoint_action"),
    path("deliveries/<int:pk>/resend/", views.delivery_resend, name="delivery_resend"),
]
