"""Errors the notifications module raises to its callers (re-exported by api.py)."""


class NotificationError(ValueError):
    """The caller asked for something that cannot be sent."""


class UnknownTemplate(NotificationError):
    pass


class InvalidDestination(NotificationError):
    pass


class RenderError(NotificationError):
    """A template does not render with the given context (a missing variable, bad syntax)."""


class MessageNotFound(LookupError):
    """No such message for this recipient; callers answer 404."""


class DevInboxDisabled(RuntimeError):
    """The developer inbox exists only while a channel writes to it (settings.DEV_INBOX_ENABLED)."""
