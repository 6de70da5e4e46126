from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "darcha.platform.audit"
    label = "audit"
    verbose_name = "Audit log"
