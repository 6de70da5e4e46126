import re
import secrets
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from darcha.modules.apiaccess.errors import ApiAccessError, Conflict, NotFound
from darcha.modules.apiaccess.models import ApiClient, ApiKey
from darcha.modules.apiaccess.selectors import KEY_PREFIX, secret_hash
from darcha.modules.reference import api as reference
from darcha.platform import audit

SCOPE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*:[a-z][a-z0-9_]*$")
# last_used_at is for operators deciding what to revoke; one write a minute per key is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def clean_scopes(scopes: Iterable[str]) -> list[str]:
    cleaned = sorted({scope.strip() for scope in scopes if scope.strip()})
    if not cleaned:
        raise ApiAccessError(_("Give the key at least one scope."), field="scopes")
    if bad := [scope for scope in cleaned if not SCOPE_PATTERN.match(scope)]:
        raise ApiAccessError(
            _("A scope is written as area:action, for example catalog:read. Not valid: %(scopes)s")
            % {"scopes": ", ".join(bad)},
            field="scopes",
        )
    return cleaned


def api_client_check(*, agency_code: str, name: str, client_id: uuid.UUID | None = None) -> None:
    """Refuses a client (new, or ``client_id`` renamed) that could not be saved; forms call it first."""
    agency_code, name = agency_code.strip(), name.strip()
    if not name:
        raise ApiAccessError(_("Give the client a name."), field="name")
    if client_id is None and reference.agency(agency_code) is None:
        raise ApiAccessError(
            _("There is no agency with the code %(code)s.") % {"code": agency_code}, field="agency_code"
        )
    if ApiClient.objects.filter(agency_code=agency_code, name=name).exclude(id=client_id).exists():
        raise Conflict(_("This agency already has a client with this name."), field="name")


@transaction.atomic
def api_client_create(*, agency_code: str, name: str, actor: str = "", ip: str | None = None) -> uuid.UUID:
    api_client_check(agency_code=agency_code, name=name)
    client = ApiClient.objects.create(agency_code=agency_code.strip(), name=name.strip())
    audit.record(
        action="api_client_create",
        actor=actor,
        subject=str(client.id),
        details={"agency": client.agency_code},
        ip=ip,
    )
    return client.id


@transaction.atomic
def api_client_update(
    *, client_id: uuid.UUID, name: str, active: bool, actor: str = "", ip: str | None = None
) -> None:
    client = ApiClient.objects.select_for_update().filter(id=client_id).first()
    if client is None:
        raise NotFound(_("This API client does not exist."))
    api_client_check(agency_code=client.agency_code, name=name, client_id=client.id)
    name = name.strip()
    changed = {"name": client.name != name, "active": client.active != active}
    client.name, client.active = name, active
    client.save(update_fields=["name", "active"])
    audit.record(
        action="api_client_update",
        actor=actor,
        subject=str(client.id),
        details={"changed": sorted(field for field, differs in changed.items() if differs), "active": active},
        ip=ip,
    )


@transaction.atomic
def api_key_issue(
    *,
    client_id: uuid.UUID,
    scopes: Iterable[str],
    expires_at: datetime | None = None,
    actor: str = "",
    ip: str | None = None,
) -> tuple[uuid.UUID, str]:
    """Issues a key and returns its id and the plaintext, which is shown once and never stored."""
    client = ApiClient.objects.select_for_update().filter(id=client_id).first()
    if client is None:
        raise NotFound(_("This API client does not exist."))
    if not client.active:
        raise Conflict(_("This client is disabled. Enable it before issuing keys."))
    scopes = clean_scopes(scopes)
    if expires_at is not None and expires_at <= timezone.now():
        raise ApiAccessError(_("The expiry date must be in the future."), field="expires_at")
    prefix = f"{KEY_PREFIX}{secrets.token_hex(6)}"
    plaintext = f"{prefix}.{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        client=client, prefix=prefix, secret_hash=secret_hash(plaintext), scopes=scopes, expires_at=expires_at
    )
    audit.record(
        action="api_key_issue",
        actor=actor,
        subject=str(key.id),
        purpose="agency system access to the API",
        details={
            "client": str(client.id),
            "scopes": scopes,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
        ip=ip,
    )
    return key.id, plaintext


@transaction.atomic
def api_key_revoke(*, key_id: uuid.UUID, actor: str = "", ip: str | None = None) -> bool:
    """Revokes a key at once; False when it was already revoked."""
    key = ApiKey.objects.select_for_update().filter(id=key_id).first()
    if key is None:
        raise NotFound(_("This API key does not exist."))
    if key.revoked_at is not None:
        return False
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    audit.record(
        action="api_key_revoke",
        actor=actor,
        subject=str(key.id),
        details={"client": str(key.client_id)},
        ip=ip,
    )
    return True


def api_key_use_worth_recording(last_used_at: datetime | None) -> bool:
    """Whether a call should update last_used_at; most calls within a minute need no write."""
    return last_used_at is None or last_used_at < timezone.now() - LAST_USED_RESOLUTION


@transaction.atomic
def api_key_mark_used(*, key_id: uuid.UUID) -> None:
    now = timezone.now()
    ApiKey.objects.filter(id=key_id).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)
