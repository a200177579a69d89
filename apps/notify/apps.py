from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "apps.notify"
    label = "notify"

    def ready(self):
        from .models import Notification
        from .selectors import UNREAD

        UNREAD.follow(Notification, ids=lambda row: (row.tenant_id, row.user_id))
