"""The benchmarks' light HTTP client against a real socket server: what the load generators
rely on (status, headers, cookies, chunked bodies, timeouts and lost connections)."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.applications.client import Client, ConnectionLost


def _run(coroutine):
    """``asyncio.run`` on a thread of its own: the browser tests' synchronous Playwright keeps
    an event loop running on the test process's main thread."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


async def _serve(answer: bytes, *, close: bool = True):
    """A one-shot server on 127.0.0.1 that reads a request and writes ``answer``."""
    received: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        received.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(answer)
        await writer.drain()
        if close:
            writer.close()
        else:
            await asyncio.sleep(5)

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", received


def test_a_response_with_cookies_and_a_chunked_body():
    async def scenario():
        answer = (
            b"HTTP/1.1 303 See Other\r\nSet-Cookie: csrftoken=abc; Path=/\r\n"
            b"Set-Cookie: sessionid=s3ss10n; HttpOnly; Path=/\r\nX-Request-Id: r-1\r\n"
            b'Transfer-Encoding: chunked\r\n\r\n4\r\n{"a"\r\n3\r\n: 1\r\n1\r\n}\r\n0\r\n\r\n'
        )
        server, base, received = await _serve(answer)
        async with server:
            response = await Client(base).post("/sign-in/", form={"code": "123 456"}, headers={"X-A": "b"})
        return response, received[0]

    response, request = _run(scenario())
    assert response.status_code == 303
    assert response.cookies == {"csrftoken": "abc", "sessionid": "s3ss10n"}
    assert response.headers["x-request-id"] == "r-1"
    assert response.json() == {"a": 1}
    assert request.startswith(b"POST /sign-in/ HTTP/1.1\r\n")
    assert b"Content-Type: application/x-www-form-urlencoded\r\n" in request
    assert b"X-A: b\r\n" in request


def test_a_connection_closed_without_an_answer_is_lost_and_a_slow_one_times_out():
    async def scenario():
        server, base, _ = await _serve(b"")
        async with server:
            with pytest.raises(ConnectionLost):
                await Client(base).request("GET", "/")
        server, base, _ = await _serve(b"HTTP/1.1 200 OK\r\n", close=False)
        async with server:
            with pytest.raises(TimeoutError):
                await Client(base).request("GET", "/", timeout=0.05)

    _run(scenario())


def test_a_refused_connection_is_lost():
    async def scenario():
        server, base, _ = await _serve(b"")
        server.close()
        await server.wait_closed()
        with pytest.raises(ConnectionLost):
            await Client(base).request("GET", "/")

    _run(scenario())
