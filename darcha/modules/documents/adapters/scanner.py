"""Virus scanning of uploads: ClamAV's daemon when configured, nothing otherwise.

The clamd client is a few lines of its documented INSTREAM protocol; the Python clients
on PyPI are unmaintained, so the module speaks it itself.
"""

import socket
import struct
from typing import Protocol

from django.conf import settings

CHUNK = 64 * 1024


class ScannerUnavailable(Exception):
    """The scanner could not give a verdict (down, timed out, refused the stream)."""


class Scanner(Protocol):
    def scan(self, data: bytes) -> str | None:
        """The name of the threat found in ``data``, or None when it is clean."""


class NoScanner:
    def scan(self, data: bytes) -> str | None:
        return None


class ClamdScanner:
    def __init__(self, host: str, port: int, *, timeout: float):
        self.host = host
        self.port = port
        self.timeout = timeout

    def scan(self, data: bytes) -> str | None:
        try:
            with socket.create_connection((self.host, self.port), timeout=self.timeout) as conn:
                conn.sendall(b"zINSTREAM\0")
                for start in range(0, len(data), CHUNK):
                    chunk = data[start : start + CHUNK]
                    conn.sendall(struct.pack("!L", len(chunk)) + chunk)
                conn.sendall(struct.pack("!L", 0))
                reply = _read_reply(conn)
        except OSError as error:
            raise ScannerUnavailable(f"clamd at {self.host}:{self.port}: {error}") from error
        return _verdict(reply)


def _read_reply(conn: socket.socket) -> str:
    reply = b""
    while not reply.endswith(b"\0"):
        part = conn.recv(4096)
        if not part:
            break
        reply += part
    return reply.rstrip(b"\0").decode("utf-8", "replace").strip()


def _verdict(reply: str) -> str | None:
    # "stream: OK", "stream: <signature> FOUND", or "<reason> ERROR".
    if reply == "stream: OK":
        return None
    if reply.startswith("stream: ") and reply.endswith(" FOUND"):
        return reply.removeprefix("stream: ").removesuffix(" FOUND")
    raise ScannerUnavailable(f"clamd answered {reply!r}")


def configured_scanner() -> Scanner:
    address = settings.DOCUMENTS_CLAMD_ADDRESS
    if not address:
        return NoScanner()
    host, _, port = address.rpartition(":")
    return ClamdScanner(host.strip("[]"), int(port), timeout=settings.DOCUMENTS_CLAMD_TIMEOUT)
