from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "darcha.modules.reference"
    label = "reference"
