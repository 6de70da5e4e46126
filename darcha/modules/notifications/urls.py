from django.urls import path

from darcha.modules.notifications import views

app_name = "notifications"
urlpatterns = [
    path("cabinet/notifications/", views.inbox, name="inbox"),
    path("cabinet/notifications/<uuid:message_id>/read", views.mark_read, name="mark-read"),
    path("cabinet/notifications/read-all", views.mark_all_read, name="mark-all-read"),
    path("dev/inbox", views.dev_inbox, name="dev-inbox"),
]
