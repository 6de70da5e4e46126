import hashlib
import json
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import transaction
from django.utils import timezone

from darcha.platform.audit.models import AuditEntry, AuditHead

GENESIS = "0" * 64


@dataclass(frozen=True)
class Problem:
    seq: int
    reason: str


def _digest(entry: AuditEntry) -> str:
    body = {
        "seq": entry.seq,
        "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": entry.actor,
        "action": entry.action,
        "subject": entry.subject,
        "purpose": entry.purpose,
        "details": entry.details,
        "ip": entry.ip,
        "prev": entry.prev_hash,
    }
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@transaction.atomic
def record(
    *,
    action: str,
    actor: str = "",
    subject: str = "",
    purpose: str = "",
    details: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEntry:
    """Append one entry. ``subject`` is an internal id, never personal data itself."""
    head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
    entry = AuditEntry(
        seq=head.seq + 1,
        at=timezone.now().astimezone(UTC),
        actor=actor,
        action=action,
        subject=subject,
        purpose=purpose,
        details=details or {},
        ip=ip,
        prev_hash=head.hash,
    )
    entry.hash = _digest(entry)
    entry.save()
    AuditHead.objects.filter(pk=1).update(seq=entry.seq, hash=entry.hash)
    return entry


def verify() -> list[Problem]:
    """Walk the whole chain; an empty list means it is intact."""
    problems: list[Problem] = []
    expected_seq, prev_hash = 1, GENESIS
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            problems.append(Problem(expected_seq, f"entries {expected_seq}..{entry.seq - 1} are missing"))
        if entry.prev_hash != prev_hash:
            problems.append(Problem(entry.seq, "does not follow the previous entry"))
        if _digest(entry) != entry.hash:
            problems.append(Problem(entry.seq, "content was changed"))
        expected_seq, prev_hash = entry.seq + 1, entry.hash
    head = AuditHead.objects.filter(pk=1).first()
    last_seq = expected_seq - 1
    if head and (head.seq != last_seq or head.hash != prev_hash):
        problems.append(Problem(head.seq, f"the chain ends at {last_seq} but its head says {head.seq}"))
    return problems
