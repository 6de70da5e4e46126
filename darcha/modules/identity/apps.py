from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "darcha.modules.identity"
    label = "identity"
