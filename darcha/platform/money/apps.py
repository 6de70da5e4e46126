from django.apps import AppConfig


class MoneyConfig(AppConfig):
    name = "darcha.platform.money"
    label = "money"
