"""Local stand-ins for the outside systems: an HTTP SMS gateway and an SMTP server on 127.0.0.1."""

import json
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth import get_user_model


class FakeGateway:
    """Answers each POST with the next queued status (200 once the queue is empty)."""

    def __init__(self) -> None:
        self.statuses: deque[int] = deque()
        self.requests: list[dict] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                gateway.requests.append(
                    {
                        "path": self.path,
                        "authorization": self.headers.get("Authorization"),
                        "idempotency_key": self.headers.get("Idempotency-Key"),
                        "json": json.loads(self.rfile.read(length)),
                    }
                )
                status = gateway.statuses.popleft() if gateway.statuses else 200
                body = json.dumps({"id": f"gw-{len(gateway.requests)}"} if status < 300 else {"error": "no"})
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def answer(self, *statuses: int) -> None:
        self.statuses.extend(statuses)


@pytest.fixture
def sms_gateway(settings):
    gateway = FakeGateway()
    gateway.thread.start()
    settings.SMS_BACKEND = "http"
    settings.SMS_GATEWAY_URL = gateway.url
    settings.SMS_GATEWAY_TOKEN = "test-token"
    yield gateway
    gateway.server.shutdown()
    gateway.server.server_close()


class _LocalController(Controller):
    def _trigger_server(self) -> None:
        # Bound to port 0: learn the port the system gave before connecting to it.
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpInbox:
    def __init__(self) -> None:
        self.envelopes: list = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    inbox = SmtpInbox()
    controller = _LocalController(inbox, hostname="127.0.0.1", port=0)
    controller.start()
    settings.EMAIL_CHANNEL = "smtp"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


@pytest.fixture
def make_account(db):
    counter = iter(range(10_000))

    def make(**fields):
        return get_user_model().objects.create_user(username=f"3150590123{next(counter):04d}", **fields)

    return make
