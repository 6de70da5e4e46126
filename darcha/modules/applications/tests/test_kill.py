"""Processes killed with SIGKILL at the worst moment: nothing half-written, nothing done twice.

A real installation in a temporary data directory (SQLite, as embedded), a real gunicorn and
a real ``darcha worker``. The submission or the handler is made to stop at a chosen point
and signal the test, which then kills the whole process group.
"""

import fcntl
import json
import os
import select
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import uuid
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from django.conf import settings

from darcha.modules.applications.tests.serverside import LOCK_FILE, SIGNAL_FD

SERVERSIDE = "darcha.modules.applications.tests.serverside"
SUBMITTED_EVENTS = "SELECT count(*) FROM events_outboxevent WHERE type = 'applications.submitted'"
WAIT_SECONDS = 120


def _environment(data_dir) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DARCHA_", "DATABASE_URL", "PYTEST"))}
    env.update(
        DARCHA_DATA_DIR=str(data_dir),
        DARCHA_SECRET_KEY="kill-test-" + "x" * 40,
        DARCHA_EVENTS_LEASE_SECONDS="0",  # a killed worker's lease is over at once
        DJANGO_SETTINGS_MODULE="darcha.config.settings",
        PYTHONPATH=str(settings.REPO_DIR),
    )
    return env


def _run(env, *args) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", SERVERSIDE, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=WAIT_SECONDS,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _count(env: dict, sql: str) -> int:
    """Read the stopped installation's database directly (no process of its own is running)."""
    with closing(sqlite3.connect(Path(env["DARCHA_DATA_DIR"]) / "darcha.sqlite3")) as db:
        return db.execute(sql).fetchone()[0]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory, definitions_root):
    """A migrated installation with the test services and the demonstration people."""
    data_dir = tmp_path_factory.mktemp("installation")
    env = _environment(data_dir)
    migrate = subprocess.run(
        [sys.executable, "-m", "darcha.cli", "manage", "migrate", "-v0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    return data_dir, _run(env, "prepare", str(definitions_root))


@pytest.fixture
def installation(prepared, tmp_path):
    """A copy of the prepared installation for one test."""
    source, facts = prepared
    data_dir = tmp_path / "data"
    shutil.copytree(source, data_dir)
    return _environment(data_dir), facts


class Gate:
    """A file lock the stopped process waits on, and a pipe on which it says it has stopped."""

    def __init__(self, tmp_path):
        self.path = tmp_path / "gate.lock"
        self.path.touch()
        self.lock = open(self.path, "rb")  # noqa: SIM115 — held across the test
        fcntl.flock(self.lock, fcntl.LOCK_EX)
        self.read_end, self.write_end = os.pipe()

    def env(self, env: dict) -> dict:
        return {**env, SIGNAL_FD: str(self.write_end), LOCK_FILE: str(self.path)}

    def wait_until_stopped(self, log: Path) -> None:
        ready, _, _ = select.select([self.read_end], [], [], WAIT_SECONDS)
        assert ready, f"the process did not stop where it is killed:\n{log.read_text()[-3000:]}"
        assert os.read(self.read_end, 1) == b"!"

    def open(self) -> None:
        fcntl.flock(self.lock, fcntl.LOCK_UN)

    def close(self) -> None:
        self.lock.close()
        os.close(self.read_end)
        os.close(self.write_end)


@pytest.fixture
def gate(tmp_path):
    gate = Gate(tmp_path)
    yield gate
    gate.close()


def _kill(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=WAIT_SECONDS)


@pytest.fixture
def listener():
    """The server's socket, bound by the test: it outlives the killed servers, so a retry
    waits in its backlog until the restarted server accepts it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    sock.set_inheritable(True)
    yield sock
    sock.close()


def _gunicorn(env: dict, listener: socket.socket, *, extra_fds=(), mode: str = "") -> subprocess.Popen:
    args = [
        sys.executable,
        "-m",
        "gunicorn",
        "darcha.config.wsgi:application",
        "--bind",
        f"fd://{listener.fileno()}",
        "--workers",
        "1",
        "--timeout",
        str(WAIT_SECONDS),
    ]
    if mode:
        args += ["-c", "python:darcha.modules.applications.tests.gunicorn_hooks"]
        env = {**env, "KILL_TEST_MODE": mode}
    log = open(Path(env["DARCHA_DATA_DIR"]) / "server.log", "ab")  # noqa: SIM115 — the server writes it
    return subprocess.Popen(
        args,
        env=env,
        pass_fds=(listener.fileno(), *extra_fds),
        start_new_session=True,
        stdout=log,
        stderr=log,
    )


def _submission(facts: dict, key: str) -> tuple[dict, bytes]:
    body = json.dumps(
        {
            "service": "test-permit",
            "data": {"purpose": "work", "copies": 1},
            "documents": {"passport": [facts["passport"]]},
        }
    ).encode()
    headers = {
        "Content-Type": "application/json",
        "Idempotency-Key": key,
        "Cookie": f"sessionid={facts['session']}; csrftoken={facts['csrf']}",
        "X-CSRFToken": facts["csrf"],
    }
    return headers, body


def _send_raw(listener: socket.socket, headers: dict, body: bytes) -> socket.socket:
    """Send the request and return without waiting for an answer."""
    client = socket.create_connection(listener.getsockname(), timeout=WAIT_SECONDS)
    lines = [
        "POST /api/v1/applications HTTP/1.1",
        "Host: 127.0.0.1",
        f"Content-Length: {len(body)}",
        "Connection: close",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    client.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
    return client


def _retry(listener: socket.socket, headers: dict, body: bytes) -> httpx.Response:
    host, port = listener.getsockname()
    return httpx.post(
        f"http://{host}:{port}/api/v1/applications", headers=headers, content=body, timeout=WAIT_SECONDS
    )


@pytest.mark.parametrize("mode", ["in-transaction", "after-commit"])
def test_a_submission_survives_the_server_being_killed(installation, gate, listener, mode):
    env, facts = installation
    headers, body = _submission(facts, key=str(uuid.uuid4()))
    server = _gunicorn(gate.env(env), listener, extra_fds=(gate.write_end,), mode=mode)
    try:
        pending = _send_raw(listener, headers, body)
        gate.wait_until_stopped(Path(env["DARCHA_DATA_DIR"]) / "server.log")
    finally:
        _kill(server)
    assert pending.recv(1024) == b""  # the client got no answer: it will retry
    pending.close()
    gate.open()

    expected = 0 if mode == "in-transaction" else 1
    assert _count(env, "SELECT count(*) FROM applications_application") == expected
    assert _count(env, SUBMITTED_EVENTS) == expected

    restarted = _gunicorn(env, listener)
    try:
        retried = _retry(listener, headers, body)
        again = _retry(listener, headers, body)
    finally:
        _kill(restarted)
    assert retried.status_code == (201 if mode == "in-transaction" else 200), retried.text
    assert again.status_code == 200 and again.json()["id"] == retried.json()["id"]
    assert _count(env, "SELECT count(*) FROM applications_application") == 1
    assert _count(env, SUBMITTED_EVENTS) == 1


def test_a_handler_killed_midway_takes_effect_exactly_once(installation, gate):
    env, _facts = installation
    _run(env, "submit")
    log_path = Path(env["DARCHA_DATA_DIR"]) / "worker.log"
    with open(log_path, "ab") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", SERVERSIDE, "blocking-worker"],
            env=gate.env(env),
            pass_fds=(gate.write_end,),
            start_new_session=True,
            stdout=log,
            stderr=log,
        )
    try:
        gate.wait_until_stopped(log_path)  # the applicant's notification is written, not committed
    finally:
        _kill(worker)
    gate.open()
    assert _count(env, "SELECT count(*) FROM applications_handledevent") == 0  # rolled back with the kill

    restarted = _run(env, "drain")  # the worker started again
    assert restarted["processed"] >= 1 and restarted["pending"] == 0
    assert len(restarted["notified"]) == 1
    again = _run(env, "drain")  # and once more: nothing is left to do twice
    assert again["notified"] == restarted["notified"]
