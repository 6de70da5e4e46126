"""A local SMS gateway: the peer of darcha/modules/notifications/adapters/http_sms.py.

It is the local adapter for an outside system, selected by configuration
(``DARCHA_SMS_BACKEND=http``, ``DARCHA_SMS_GATEWAY_URL=<this>/sms``): it accepts
``POST /sms`` with ``{phone, text, message_id}`` and a bearer token, keeps each message once
per idempotency key (a retried send is answered with the first message's id), and serves
``GET /messages?to=+998…`` (latest first, JSON) so a load generator can read one-time codes.

python -m bench.rush.sms_gateway --port 8025 --token secret [--journal messages.jsonl]
"""

import argparse
import itertools
import json
import re
import signal
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

MAX_BODY_BYTES = 64 * 1024


def digits(phone: str) -> str:
    # "+998…" arrives as " 998…" when a client leaves the plus sign unescaped in the query.
    return re.sub(r"\D", "", phone)


class Store:
    """Received messages, in memory and appended to a journal file when one is given."""

    def __init__(self, journal: Path | None) -> None:
        self.lock = threading.Lock()
        self.by_key: dict[str, dict] = {}
        self.by_phone: dict[str, list[dict]] = {}
        self.ids = itertools.count(1)
        self.journal = journal.open("a", encoding="utf-8") if journal else None

    def accept(self, phone: str, text: str, key: str) -> dict:
        with self.lock:
            if key in self.by_key:
                return self.by_key[key]
            message = {
                "id": f"local-{next(self.ids)}",
                "phone": phone,
                "text": text,
                "message_id": key,
                "received_at": time.time(),
            }
            self.by_key[key] = message
            self.by_phone.setdefault(digits(phone), []).append(message)
            if self.journal:
                self.journal.write(json.dumps(message, ensure_ascii=False) + "\n")
                self.journal.flush()
            return message

    def latest(self, phone: str) -> list[dict]:
        with self.lock:
            return list(reversed(self.by_phone.get(digits(phone), [])))


def handler_class(store: Store, token: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keeps the adapter's pooled connection open
        # The head and the body go out in two writes; with Nagle's algorithm the second
        # waits for the client's delayed ACK of the first (40 ms here), which capped each
        # worker at about 20 messages a second.
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            if urlsplit(self.path).path != "/sms":
                return self.answer(HTTPStatus.NOT_FOUND, {"error": "not found"})
            if self.headers.get("Authorization") != f"Bearer {token}":
                return self.answer(HTTPStatus.UNAUTHORIZED, {"error": "bad token"})
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                return self.answer(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": "too large"})
            try:
                data = json.loads(self.rfile.read(length))
                phone, text, key = str(data["phone"]), str(data["text"]), str(data["message_id"])
            except (ValueError, KeyError, TypeError):
                return self.answer(HTTPStatus.BAD_REQUEST, {"error": "expected phone, text, message_id"})
            if not digits(phone) or not key:
                return self.answer(HTTPStatus.BAD_REQUEST, {"error": "expected phone, text, message_id"})
            message = store.accept(phone, text, self.headers.get("Idempotency-Key") or key)
            return self.answer(HTTPStatus.OK, {"id": message["id"]})

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path != "/messages":
                return self.answer(HTTPStatus.NOT_FOUND, {"error": "not found"})
            phone = parse_qs(url.query).get("to", [""])[0]
            if not digits(phone):
                return self.answer(HTTPStatus.BAD_REQUEST, {"error": "give ?to=<phone>"})
            return self.answer(HTTPStatus.OK, store.latest(phone))

        def answer(self, status: HTTPStatus, body: object) -> None:
            payload = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args) -> None:
            # Query strings carry phone numbers: requests are not logged.
            pass

    return Handler


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--journal", type=Path)
    args = p.parse_args(argv)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler_class(Store(args.journal), args.token))
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
