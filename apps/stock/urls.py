from django.urls import path

from . import views

app_name = "stock"

urlpatterns = [
    path("", views.stock_home, name="home"),
    path("items/new/", views.item_edit, name="item_create"),
    path("items/<int:pk>/", views.item_edit, name="item_edit"),
    path("receive/", views.receive, name="receive"),
    path("batches/<int:pk>/adjust/", views.batch_adjust, name="batch_adjust"),
    path("batches/<int:pk>/move/", views.batch_move, name="batch_move"),
    path("batches/<int:pk>/use/", views.batch_use, name="batch_use"),
]
