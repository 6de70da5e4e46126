"""A minimal asyncio HTTP/1.1 client for the load generators.

The generator shares the two cores with the server it measures, so every millisecond it
spends per request is taken from the portal's figures: httpx costs about a millisecond of
CPU per request, this client a tenth of that. One connection per request with
``Connection: close``, as gunicorn's sync workers close after each response anyway; the
response is read to the end of the connection.
"""

import asyncio
import json
import secrets
from dataclasses import dataclass


@dataclass(frozen=True)
class Response:
    status_code: int
    headers: dict[str, str]
    content: bytes

    def json(self):
        return json.loads(self.content)


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    """A multipart/form-data body and its content type."""
    boundary = secrets.token_hex(16)
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, content, content_type) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Client:
    def __init__(self, base_url: str, *, timeout: float = 30):
        host_port = base_url.removeprefix("http://").rstrip("/")
        self.host, _, port = host_port.partition(":")
        self.port = int(port or 80)
        self.host_header = host_port
        self.timeout = timeout

    async def post(
        self,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        json_body=None,
        body: bytes = b"",
        content_type: str = "",
    ) -> Response:
        if json_body is not None:
            body, content_type = json.dumps(json_body).encode(), "application/json"
        return await self.request("POST", path, headers=headers, body=body, content_type=content_type)

    async def request(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
        content_type="",
    ) -> Response:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host_header}", "Connection: close"]
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        if content_type:
            lines.append(f"Content-Type: {content_type}")
        lines.extend(f"{name}: {value}" for name, value in (headers or {}).items())
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        return await asyncio.wait_for(self._exchange(head + body), self.timeout)

    async def _exchange(self, request: bytes) -> Response:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            writer.write(request)
            data = await reader.read()
        finally:
            writer.close()
        head, _, content = data.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return Response(int(status_line.split(" ", 2)[1]), headers, content)
