from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _load_templates(sender, using: str = "default", **kwargs) -> None:
    from django.db import connections

    from darcha.modules.notifications import api
    from darcha.modules.notifications.models import Template

    # Migrating this app backwards leaves no table to load into.
    if Template._meta.db_table in connections[using].introspection.table_names():
        api.load_templates()


class NotificationsConfig(AppConfig):
    name = "darcha.modules.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # Templates are data every installation needs, like permissions: loaded after
        # every migrate (and every test-database flush), idempotently.
        post_migrate.connect(_load_templates, sender=self, dispatch_uid="notifications.load_templates")
