"""The clamd adapter against a fake daemon that speaks clamd's INSTREAM protocol."""

import socket
import socketserver
import struct
import threading

import pytest

from darcha.modules.documents import api
from darcha.modules.documents.adapters.scanner import ClamdScanner, NoScanner, ScannerUnavailable
from darcha.modules.documents.models import Blob, Document
from darcha.modules.documents.tests import samples
from darcha.modules.documents.tests.samples import VIRUS_MARKER, Upload


def read_exactly(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        part = conn.recv(size - len(data))
        if not part:
            raise ConnectionError("client closed the stream early")
        data += part
    return data


class FakeClamd(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, answer=None):
        super().__init__(("127.0.0.1", 0), ClamdHandler)
        self.answer = answer  # a fixed reply instead of a verdict
        self.streams: list[bytes] = []
        self.chunk_sizes: list[int] = []

    @property
    def address(self) -> str:
        host, port = self.server_address
        return f"{host}:{port}"


class ClamdHandler(socketserver.BaseRequestHandler):
    def handle(self):
        server: FakeClamd = self.server
        conn = self.request
        if read_exactly(conn, len(b"zINSTREAM\0")) != b"zINSTREAM\0":
            conn.sendall(b"UNKNOWN COMMAND\0")
            return
        stream = b""
        while size := struct.unpack("!L", read_exactly(conn, 4))[0]:
            server.chunk_sizes.append(size)
            stream += read_exactly(conn, size)
        server.streams.append(stream)
        if server.answer is not None:
            conn.sendall(server.answer)
        elif VIRUS_MARKER in stream:
            conn.sendall(b"stream: Eicar-Test-Signature FOUND\0")
        else:
            conn.sendall(b"stream: OK\0")


@pytest.fixture
def clamd():
    servers = []

    def start(answer=None) -> FakeClamd:
        server = FakeClamd(answer)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def scanner_for(server: FakeClamd) -> ClamdScanner:
    host, port = server.server_address
    return ClamdScanner(host, port, timeout=5)


def test_a_clean_stream_is_sent_whole_in_length_prefixed_chunks(clamd):
    server = clamd()
    data = bytes(range(256)) * 1000  # 256,000 bytes: several chunks

    assert scanner_for(server).scan(data) is None
    assert server.streams == [data]
    assert len(server.chunk_sizes) > 1 and sum(server.chunk_sizes) == len(data)


def test_a_found_virus_is_named(clamd):
    assert scanner_for(clamd()).scan(b"prefix " + VIRUS_MARKER) == "Eicar-Test-Signature"


@pytest.mark.parametrize("answer", [b"INSTREAM size limit exceeded. ERROR\0", b"", b"stream: what\0"])
def test_an_answer_that_is_not_a_verdict_is_unavailability(clamd, answer):
    with pytest.raises(ScannerUnavailable):
        scanner_for(clamd(answer)).scan(b"data")


def test_a_daemon_that_is_not_there_is_unavailability():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ScannerUnavailable):
        ClamdScanner("127.0.0.1", port, timeout=2).scan(b"data")


def test_without_an_address_nothing_is_scanned():
    assert NoScanner().scan(VIRUS_MARKER) is None


@pytest.mark.django_db
def test_the_intake_refuses_what_the_configured_daemon_finds(clamd, settings, stored_files):
    server = clamd()
    settings.DOCUMENTS_CLAMD_ADDRESS = server.address
    infected = samples.pdf() + b"%" + VIRUS_MARKER + b"\n"

    with pytest.raises(api.DocumentRejected) as caught:
        api.document_intake(upload=Upload(infected, "a.pdf"), owner_id="owner-1", max_bytes=10**6)
    assert caught.value.code == "virus_found"
    assert not Blob.objects.exists() and not Document.objects.exists() and stored_files() == []

    clean = samples.pdf()
    api.document_intake(upload=Upload(clean, "b.pdf"), owner_id="owner-1", max_bytes=10**6)
    assert server.streams[-1] == clean


@pytest.mark.django_db
def test_the_intake_refuses_when_the_configured_daemon_cannot_answer(clamd, settings, stored_files):
    settings.DOCUMENTS_CLAMD_ADDRESS = clamd(b"INSTREAM size limit exceeded. ERROR\0").address

    with pytest.raises(api.DocumentRejected) as caught:
        api.document_intake(upload=Upload(samples.pdf(), "a.pdf"), owner_id="owner-1", max_bytes=10**6)
    assert (caught.value.code, caught.value.status) == ("scan_unavailable", 503)
    assert stored_files() == []
