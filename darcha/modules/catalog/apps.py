from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "darcha.modules.catalog"
    label = "catalog"
