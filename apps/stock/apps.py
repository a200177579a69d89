from django.apps import AppConfig


class StockConfig(AppConfig):
    name = "apps.stock"
    label = "stock"

    def ready(self):
        from .models import Batch, StockItem, StockMovement, WithdrawalPeriod
        from .selectors import STOCK

        STOCK.follow(StockItem, WithdrawalPeriod, Batch, StockMovement)
