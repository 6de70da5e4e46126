from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class EventsConfig(AppConfig):
    name = "darcha.platform.events"
    label = "events"
    verbose_name = "Events"

    def ready(self) -> None:
        # Every installed app's handlers.py registers its handlers at start-up, so that
        # publish() knows all subscribers of an event type when it writes the outbox.
        autodiscover_modules("handlers")
