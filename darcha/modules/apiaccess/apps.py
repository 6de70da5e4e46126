from django.apps import AppConfig


class ApiaccessConfig(AppConfig):
    name = "darcha.modules.apiaccess"
    label = "apiaccess"
