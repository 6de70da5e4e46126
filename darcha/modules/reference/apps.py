from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class ReferenceConfig(AppConfig):
    name = "darcha.modules.reference"
    label = "reference"

    def ready(self):
        from darcha.modules.reference.models import Agency, Area
        from darcha.modules.reference.selectors import forget_snapshot

        for model in (Area, Agency):
            post_save.connect(
                forget_snapshot, sender=model, dispatch_uid=f"reference-forget-{model.__name__}"
            )
            post_delete.connect(
                forget_snapshot, sender=model, dispatch_uid=f"reference-forget-del-{model.__name__}"
            )
