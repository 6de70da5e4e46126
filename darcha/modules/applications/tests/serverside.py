"""Commands the process-kill tests run in subprocesses against an installation in a temporary
data directory (DARCHA_DATA_DIR): python -m darcha.modules.applications.tests.serverside <command>.

Every command prints one JSON object. ``blocking-worker`` is ``darcha worker`` with the
applicant-notification handler made to stop, once its effects are written and before they
commit, until the test releases a file lock, so that the test can kill it exactly there.
"""

import fcntl
import json
import os
import sys
from pathlib import Path

SIGNAL_FD = "KILL_TEST_SIGNAL_FD"
LOCK_FILE = "KILL_TEST_LOCK_FILE"
CSRF_TOKEN = "K" * 32


def wait_for_the_test() -> None:
    """Tell the test where we are, then block until it releases the lock (or kills us)."""
    os.write(int(os.environ[SIGNAL_FD]), b"!")
    with open(os.environ[LOCK_FILE], "rb") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "darcha.config.settings")
    import django

    django.setup()


def _jasur():
    from darcha.modules.applications.tests.conftest import demo

    return demo("Karimov Jasur")


def prepare(definitions_root: str) -> dict:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from darcha.modules.applications.tests.conftest import load_installation_data, upload

    load_installation_data(Path(definitions_root))
    jasur = _jasur()
    session = SessionStore()
    session[SESSION_KEY] = str(jasur.account_id)
    session[BACKEND_SESSION_KEY] = "darcha.modules.identity.backends.AccountBackend"
    session[HASH_SESSION_KEY] = jasur.account.get_session_auth_hash()
    session.create()
    return {"session": session.session_key, "csrf": CSRF_TOKEN, "passport": upload(jasur)}


def submit() -> dict:
    from darcha.modules.applications.tests.conftest import submit as submit_for

    return {"id": submit_for(_jasur()).application.id}


def drain() -> dict:
    """What ``darcha worker`` does on each round, once; then what the applicant was told."""
    from darcha.modules.notifications import api as notifications
    from darcha.platform.events.models import Delivery
    from darcha.platform.events.worker import drain as drain_once

    processed = drain_once()
    return {
        "processed": processed,
        "notified": [m.title for m in notifications.inbox_for(_jasur().account_id)],
        "pending": Delivery.objects.filter(handler__endswith="tell_applicant", status="pending").count(),
    }


def blocking_worker() -> None:
    from darcha import cli
    from darcha.modules.applications import handlers
    from darcha.platform.events import worker

    def tell_applicant_then_wait(event):
        handlers.tell_applicant(event)
        wait_for_the_test()

    name = f"{handlers.tell_applicant.__module__}.{handlers.tell_applicant.__qualname__}"
    found = worker.handler_named
    worker.handler_named = lambda wanted: tell_applicant_then_wait if wanted == name else found(wanted)
    cli.worker(None)


COMMANDS = {"prepare": prepare, "submit": submit, "drain": drain}

if __name__ == "__main__":
    _setup()
    command, *args = sys.argv[1:]
    if command == "blocking-worker":
        blocking_worker()
    else:
        print(json.dumps(COMMANDS[command](*args)))
