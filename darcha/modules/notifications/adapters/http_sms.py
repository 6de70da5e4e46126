"""Client of an HTTP SMS gateway: JSON {phone, text, message_id} with a bearer token.

2xx means accepted; 4xx means the gateway refused this message (except 408 and 429, which
say "later"); 5xx, time-outs and network errors are temporary. The message id is sent as
the idempotency key, so a retry after a lost answer does not send the SMS twice.
"""

import httpx

from darcha.modules.notifications.adapters.base import OutgoingSms, PermanentFailure, TemporaryFailure

RETRY_LATER_STATUSES = {408, 425, 429}


class HttpSmsGateway:
    def __init__(self, *, url: str, token: str, timeout: float = 10.0) -> None:
        self.url = url
        # One client per gateway keeps connections open between messages.
        self.client = httpx.Client(timeout=timeout, headers={"Authorization": f"Bearer {token}"})

    def send(self, sms: OutgoingSms) -> str:
        try:
            response = self.client.post(
                self.url,
                json={"phone": sms.phone, "text": sms.text, "message_id": sms.message_id},
                headers={"Idempotency-Key": sms.message_id},
            )
        except httpx.TimeoutException as exc:
            raise TemporaryFailure("SMS gateway timed out") from exc
        except httpx.TransportError as exc:
            raise TemporaryFailure(f"SMS gateway unreachable: {type(exc).__name__}") from exc
        # The answer's body may repeat the phone number: only the status goes into errors.
        status = response.status_code
        if 200 <= status < 300:
            return _provider_id(response) or sms.message_id
        if 400 <= status < 500 and status not in RETRY_LATER_STATUSES:
            raise PermanentFailure(f"SMS gateway refused the message: HTTP {status}")
        raise TemporaryFailure(f"SMS gateway answered HTTP {status}")


def _provider_id(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    return str(data.get("id") or data.get("message_id") or "")[:200]
