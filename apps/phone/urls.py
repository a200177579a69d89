from django.urls import path

from . import views

app_name = "phone"

urlpatterns = [
    path("<str:token>/sms/", views.sms_callback, name="sms"),
    path("<str:token>/ussd/", views.ussd_callback, name="ussd"),
]
