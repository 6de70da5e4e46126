from django.conf import settings


def portal(request):
    return {
        "LANGUAGES": settings.LANGUAGES,
        "DEV_INBOX_ENABLED": settings.DEV_INBOX_ENABLED,
    }
