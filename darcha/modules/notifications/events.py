"""Event types the notifications module publishes."""

MESSAGE_QUEUED = "notifications.message_queued"
