from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


def _notification_changed(sender, instance, **kwargs):
    from .selectors import unread_changed

    unread_changed(instance.tenant_id, instance.user_id)


class NotifyConfig(AppConfig):
    name = "apps.notify"
    label = "notify"

    def ready(self):
        from .models import Notification

        # The bell's cached count (selectors.unread_count) is read again after any notification is written.
        for signal in (post_save, post_delete):
            signal.connect(_notification_changed, sender=Notification, dispatch_uid=f"notify-unread-{signal}")
