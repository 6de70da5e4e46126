"""A web process warms up when its WSGI application loads, before it serves anything."""

import json
import os
import subprocess
import sys

from django.conf import settings

# Run in a fresh interpreter: what matters is what the process has loaded before any request.
PROBE = """
import gettext, json, sys
import darcha.config.wsgi
from django.template import base, loader
from django.utils import translation

loaded_before_a_request = {m: m in sys.modules for m in sys.argv[1:]}
compiled, catalogue_reads = [], []
compile_nodelist = base.Template.compile_nodelist
base.Template.compile_nodelist = lambda self: compiled.append(self.name) or compile_nodelist(self)
read_catalogue = gettext.translation
gettext.translation = lambda *a, **k: catalogue_reads.append(a) or read_catalogue(*a, **k)
for name in ("portal/home.html", "catalog/service.html", "applications/cabinet.html"):
    loader.get_template(name)
for language in ("uz", "uz-cyrl", "ru", "en"):
    with translation.override(language):
        translation.gettext("Submit")
seen = {"modules": loaded_before_a_request, "compiled": compiled, "catalogue_reads": len(catalogue_reads)}
print(json.dumps(seen))
"""


def test_the_wsgi_application_loads_urls_templates_translations_and_holidays_without_the_database(tmp_path):
    modules = [
        "darcha.modules.applications.endpoints",
        "darcha.modules.catalog.views",
        "holidays.countries.uzbekistan",
    ]
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "darcha.config.settings",
        "DARCHA_DATA_DIR": str(tmp_path),
        # Nothing listens on port 1: the warm-up must not need the database.
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/darcha",
    }
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, *modules],
        cwd=settings.REPO_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert probe.returncode == 0, probe.stderr[-3000:]
    seen = json.loads(probe.stdout.splitlines()[-1])
    assert seen["modules"] == dict.fromkeys(modules, True)
    assert seen["compiled"] == []
    assert seen["catalogue_reads"] == 0
