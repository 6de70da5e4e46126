from django.apps import AppConfig


class FormsConfig(AppConfig):
    name = "darcha.modules.forms"
    label = "forms"
