import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.utils import timezone

from darcha.modules.apiaccess.models import ApiKey

KEY_PREFIX = "dk_"
# Longer than any key issued here; longer input is refused before touching the database.
MAX_KEY_LENGTH = 100
# No SHA-256 of any input equals this, so an unknown prefix still costs one comparison.
_NO_KEY_HASH = "0" * 64


class KeyStatus(StrEnum):
    VALID = "valid"
    UNKNOWN = "unknown"
    REVOKED = "revoked"
    EXPIRED = "expired"
    CLIENT_DISABLED = "client_disabled"


@dataclass(frozen=True)
class ApiPrincipal:
    """Who is calling: set as ``request.auth`` on endpoints protected by an API key."""

    key_id: uuid.UUID
    key_prefix: str
    client_id: uuid.UUID
    client_name: str
    agency_code: str
    scopes: tuple[str, ...]

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


@dataclass(frozen=True)
class KeyCheck:
    status: KeyStatus
    principal: ApiPrincipal | None = None
    last_used_at: datetime | None = None


def secret_hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def api_key_check(presented: str, *, now: datetime | None = None) -> KeyCheck:
    """Look a presented key up by its prefix and compare its hash in constant time."""
    prefix, dot, _secret = presented.partition(".")
    key = None
    if dot and len(presented) <= MAX_KEY_LENGTH:
        key = ApiKey.objects.select_related("client").filter(prefix=prefix).first()
    matched = hmac.compare_digest(secret_hash(presented), key.secret_hash if key else _NO_KEY_HASH)
    if key is None or not matched:
        return KeyCheck(KeyStatus.UNKNOWN)
    if key.revoked_at is not None:
        return KeyCheck(KeyStatus.REVOKED)
    if key.expires_at is not None and key.expires_at <= (now or timezone.now()):
        return KeyCheck(KeyStatus.EXPIRED)
    if not key.client.active:
        return KeyCheck(KeyStatus.CLIENT_DISABLED)
    principal = ApiPrincipal(
        key_id=key.id,
        key_prefix=key.prefix,
        client_id=key.client.id,
        client_name=key.client.name,
        agency_code=key.client.agency_code,
        scopes=tuple(key.scopes),
    )
    return KeyCheck(KeyStatus.VALID, principal, key.last_used_at)
