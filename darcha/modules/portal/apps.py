from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "darcha.modules.portal"
    label = "portal"
