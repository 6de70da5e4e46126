import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "darcha.config.settings")
application = get_wsgi_application()

from darcha.platform.warmup import warm_up  # noqa: E402 - needs the apps that the line above loads

warm_up()
