import pytest
from django.db import DatabaseError, connection, transaction

from darcha.platform import audit
from darcha.platform.audit.models import AuditEntry


def entries(n: int) -> None:
    for i in range(n):
        audit.record(action="sign_in", actor=f"account-{i}", subject=f"person-{i}", ip="127.0.0.1")


def as_attacker(sql: str, params: list) -> None:
    """Change the table as someone with direct database access would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")


@pytest.mark.django_db
def test_an_untouched_chain_verifies():
    entries(5)
    assert audit.verify() == []
    assert list(AuditEntry.objects.values_list("seq", flat=True)) == [1, 2, 3, 4, 5]
    first, second = AuditEntry.objects.all()[:2]
    assert second.prev_hash == first.hash


@pytest.mark.django_db
def test_a_changed_row_is_detected():
    entries(5)
    as_attacker("UPDATE audit_auditentry SET actor = %s WHERE seq = %s", ["someone-else", 3])
    assert [(p.seq, p.reason) for p in audit.verify()] == [(3, "content was changed")]


@pytest.mark.django_db
def test_a_deleted_row_in_the_middle_is_detected():
    entries(5)
    as_attacker("DELETE FROM audit_auditentry WHERE seq = %s", [2])
    reasons = [p.reason for p in audit.verify()]
    assert any("missing" in r for r in reasons)
    assert any("does not follow" in r for r in reasons)


@pytest.mark.django_db
def test_a_deleted_last_row_is_detected():
    entries(5)
    as_attacker("DELETE FROM audit_auditentry WHERE seq = %s", [5])
    problems = audit.verify()
    assert len(problems) == 1 and "head says 5" in problems[0].reason


@pytest.mark.django_db
def test_details_are_covered_by_the_hash():
    audit.record(
        action="person_read",
        actor="officer-1",
        subject="person-9",
        purpose="application review",
        details={"application": "A-1"},
    )
    as_attacker("UPDATE audit_auditentry SET purpose = %s WHERE seq = 1", ["curiosity"])
    assert [p.seq for p in audit.verify()] == [1]


@pytest.mark.django_db
def test_the_database_refuses_updates_on_postgresql():
    entries(1)
    if connection.vendor != "postgresql":
        # SQLite has no such trigger; the hash chain alone detects changes there.
        assert AuditEntry.objects.filter(seq=1).update(actor="x") == 1
        assert audit.verify()
        return
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(seq=1).update(actor="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(seq=1).delete()
