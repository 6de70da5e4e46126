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
from dataclasses import dataclass, field
from urllib.parse import urlencode


class ConnectionLost(Exception):
    """The connection was refused, reset or closed before a whole response came back."""


@dataclass(frozen=True)
class Response:
    status_code: int
    headers: dict[str, str]
    content: bytes
    cookies: dict[str, str] = field(default_factory=dict)  # from the Set-Cookie headers

    @property
    def text(self) -> str:
        return self.content.decode(errors="replace")

    def json(self):
        return json.loads(self.content)


def _dechunked(content: bytes) -> bytes:
    """The body of a ``Transfer-Encoding: chunked`` response."""
    body, rest = [], content
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        body.append(rest[:size])
        rest = rest[size + 2 :]
    return b"".join(body)


def _response(data: bytes) -> Response:
    head, separator, content = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    parts = status_line.split(" ", 2)
    if not separator or len(parts) < 2 or not parts[1].isdigit():
        raise ConnectionLost(f"incomplete response ({len(data)} bytes)")
    headers, cookies = {}, {}
    for line in header_lines:
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip()
        headers[name] = value
        if name == "set-cookie":
            cookie_name, _, cookie_value = value.split(";", 1)[0].partition("=")
            cookies[cookie_name.strip()] = cookie_value.strip()
    if headers.get("transfer-encoding") == "chunked":
        content = _dechunked(content)
    return Response(int(parts[1]), headers, content, cookies)


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
        form: dict[str, str] | None = None,
        body: bytes = b"",
        content_type: str = "",
        timeout: float | None = None,
    ) -> Response:
        if json_body is not None:
            body, content_type = json.dumps(json_body).encode(), "application/json"
        elif form is not None:
            body, content_type = urlencode(form).encode(), "application/x-www-form-urlencoded"
        return await self.request(
            "POST", path, headers=headers, body=body, content_type=content_type, timeout=timeout
        )

    async def request(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
        content_type="",
        timeout: float | None = None,
    ) -> Response:
        """The response; ``asyncio.TimeoutError`` after ``timeout`` (the client's by default),
        ``ConnectionLost`` when no whole response came back."""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host_header}", "Connection: close"]
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        if content_type:
            lines.append(f"Content-Type: {content_type}")
        lines.extend(f"{name}: {value}" for name, value in (headers or {}).items())
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        return await asyncio.wait_for(self._exchange(head + body), timeout or self.timeout)

    async def _exchange(self, request: bytes) -> Response:
        try:
            reader, writer = await asyncio.open_connection(self.host, self.port)
        except OSError as exc:
            raise ConnectionLost(str(exc)) from exc
        try:
            writer.write(request)
            data = await reader.read()
        except OSError as exc:
            raise ConnectionLost(str(exc)) from exc
        finally:
            writer.close()
        return _response(data)
