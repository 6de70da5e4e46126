from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "darcha.modules.notifications"
    label = "notifications"
