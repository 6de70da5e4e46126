"""The local SMS gateway of the rush topology speaks the protocol of the portal's HTTP SMS
adapter: driven here by that adapter itself."""

import json
import subprocess
import sys

import httpx
import pytest

from bench.applications.common import free_port
from bench.rush.topology import wait_until
from darcha.modules.notifications.adapters.base import OutgoingSms, PermanentFailure
from darcha.modules.notifications.adapters.http_sms import HttpSmsGateway

TOKEN = "gateway-secret"


@pytest.fixture(scope="module")
def gateway(tmp_path_factory):
    port = free_port()
    journal = tmp_path_factory.mktemp("sms") / "sms.jsonl"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.rush.sms_gateway",
            "--port",
            str(port),
            "--token",
            TOKEN,
            "--journal",
            str(journal),
        ]
    )
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            return httpx.get(f"{base}/messages", params={"to": "+998900000000"}).status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_until(answers, "SMS gateway", timeout=30, process=process)
        yield base, journal
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_messages_are_kept_once_per_idempotency_key_and_read_latest_first(gateway):
    base, journal = gateway
    adapter = HttpSmsGateway(url=f"{base}/sms", token=TOKEN)
    first = adapter.send(OutgoingSms(message_id="m-1", phone="+998901110001", text="code 111111"))
    again = adapter.send(OutgoingSms(message_id="m-1", phone="+998901110001", text="code 111111"))
    adapter.send(OutgoingSms(message_id="m-2", phone="+998901110001", text="code 222222"))
    assert first == again
    # "+" left unescaped in the query arrives as a space: the gateway still finds the phone.
    for to in ("+998901110001", "%2B998901110001"):
        messages = httpx.get(f"{base}/messages?to={to}").json()
        assert [m["text"] for m in messages] == ["code 222222", "code 111111"]
    assert httpx.get(f"{base}/messages", params={"to": "+998901110009"}).json() == []
    lines = [json.loads(line) for line in journal.read_text().splitlines()]
    assert [line["message_id"] for line in lines if line["phone"] == "+998901110001"] == ["m-1", "m-2"]


def test_a_wrong_token_is_refused_for_good(gateway):
    base, _journal = gateway
    adapter = HttpSmsGateway(url=f"{base}/sms", token="not-the-token")
    with pytest.raises(PermanentFailure, match="HTTP 401"):
        adapter.send(OutgoingSms(message_id="m-3", phone="+998901110003", text="code"))
    assert httpx.get(f"{base}/messages", params={"to": "+998901110003"}).json() == []


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"not json", 400),
        (b'{"phone": "+998901110004"}', 400),
        (b'{"phone": "", "text": "x", "message_id": "m"}', 400),
    ],
)
def test_bad_requests_are_refused(gateway, body, status):
    base, _journal = gateway
    response = httpx.post(f"{base}/sms", content=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == status
    assert httpx.get(f"{base}/messages").status_code == 400
    assert httpx.get(f"{base}/nothing").status_code == 404
