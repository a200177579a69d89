from django.urls import path

from . import views

app_name = "deliveries"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.delivery_create, name="create"),
    path("<int:pk>/", views.delivery_detail, name="detail"),
    path("<int:pk>/cancel/", views.delivery_void, name="void"),
    path("do-not-ship/", views.do_not_ship, name="do_not_ship"),
    path("do-not-ship/declare/", views.declare, name="declare"),
    path("buyers/new/", views.buyer_edit, name="buyer_create"),
    path("buyers/<int:pk>/", views.buyer_edit, name="buyer_edit"),
    path("buyers/<int:buyer_pk>/schedules/new/", views.schedule_edit, name="schedule_create"),
    path("buyers/<int:buyer_pk>/schedules/<int:pk>/", views.schedule_edit, name="schedule_edit"),
    path("statements/new/", views.statement_create, name="statement_create"),
    path("statements/<int:pk>/", views.statement_detail, name="statement"),
]
