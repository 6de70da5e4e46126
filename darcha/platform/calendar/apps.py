from django.apps import AppConfig


class CalendarConfig(AppConfig):
    name = "darcha.platform.calendar"
    label = "workcalendar"
