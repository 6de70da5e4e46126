"""What a web process does once, before it serves its first request.

Left to the first requests, it made each new process answer its first page and its first
submission about a second late (imports behind the URLconf, the Redis client, template
compilation, translation catalogues, the holiday calendar): on the opening of an enrollment,
or when a process is restarted under load, the requests queued behind them paid it too.
Nothing here touches the database or the network, so a process starts the same while either
is down, and /readyz still reports those.
"""

from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.template import engines
from django.template.autoreload import get_template_directories
from django.template.backends.django import DjangoTemplates
from django.urls import get_resolver
from django.utils import translation

from darcha.platform.calendar.api import load_holidays


def warm_up() -> None:
    get_resolver().url_patterns  # noqa: B018 - imports every view and endpoint module
    for alias in settings.CACHES:
        caches[alias]  # the backend and its client library
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            pass
    _compile_templates()
    load_holidays()


def _compile_templates() -> None:
    # The cached loader keeps each compiled template for the life of the process.
    names = {
        path.relative_to(directory).as_posix()
        for directory in get_template_directories()
        for path in Path(directory).rglob("*.html")
    }
    for engine in engines.all():
        if isinstance(engine, DjangoTemplates):  # the engine those directories are read for
            for name in sorted(names):
                engine.get_template(name)
