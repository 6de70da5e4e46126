from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "darcha.modules.portal"
    label = "portal"

    def ready(self) -> None:
        from django.contrib import admin

        from darcha.modules.portal.adminsite import configure

        configure(admin.site)
