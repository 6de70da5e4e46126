"""darcha.platform.db writes and reads the very rows the ORM does, on SQLite and PostgreSQL."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from darcha.platform import db
from darcha.platform.events.models import Delivery, OutboxEvent

pytestmark = pytest.mark.django_db

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def test_an_inserted_row_reads_back_through_the_orm_with_every_field():
    moment = timezone.now().replace(microsecond=123456)
    event = OutboxEvent(type="test.fast", payload={"o‘g‘il": ["ўқ", 1, None, True]}, occurred_at=moment)
    db.insert(event)
    stored = OutboxEvent.objects.get(id=event.id)
    assert (stored.type, stored.payload, stored.occurred_at) == (event.type, event.payload, moment)
    assert not event._state.adding


def test_defaults_are_filled_and_database_keys_left_to_the_database():
    event = OutboxEvent(type="test.fast")
    db.insert(event)
    db.insert(Delivery(event=event, handler="a"), Delivery(event=event, handler="b"))
    stored = Delivery.objects.filter(event=event).order_by("handler")
    assert [(d.handler, d.status, d.attempts, d.locked_until) for d in stored] == [
        ("a", "pending", 0, None),
        ("b", "pending", 0, None),
    ]
    assert all(d.id for d in stored) and abs(stored[0].available_at - timezone.now()) < timedelta(minutes=1)


def test_several_rows_are_one_statement_and_nothing_is_a_statement():
    event = OutboxEvent(type="test.fast")
    db.insert(event)
    with CaptureQueriesContext(connection) as queries:
        db.insert(*(Delivery(event=event, handler=f"h{i}") for i in range(5)))
        db.insert()
        assert db.select(OutboxEvent, ["id"], id__in=[]) == []
    assert len(queries) == 1


def test_a_read_gives_the_values_the_orm_gives():
    event = OutboxEvent(type="test.fast", payload={"n": 1})
    db.insert(event)
    orm = OutboxEvent.objects.get(id=event.id)
    (row,) = db.select(OutboxEvent, ["id", "type", "payload", "occurred_at"], id=event.id)
    assert row == (orm.id, orm.type, orm.payload, orm.occurred_at)
    (instance,) = db.instances(OutboxEvent, id=str(event.id))  # a key given as text is prepared too
    assert [getattr(instance, f.attname) for f in OutboxEvent._meta.concrete_fields] == [
        getattr(orm, f.attname) for f in OutboxEvent._meta.concrete_fields
    ]
    assert not instance._state.adding


def test_filters_are_all_required_and_in_lists_match_any():
    first, second = OutboxEvent(type="test.a"), OutboxEvent(type="test.b")
    db.insert(first, second)
    assert db.select(OutboxEvent, ["type"], id=first.id, type="test.b") == []
    found = db.select(OutboxEvent, ["type"], id__in=[first.id, second.id, uuid.uuid4()])
    assert sorted(found) == [("test.a",), ("test.b",)]
    assert db.select(OutboxEvent, ["type"], id=uuid.uuid4()) == []


@settings(max_examples=30, deadline=None)
# A top-level None is SQL NULL for the ORM as for these helpers, refused by the column.
@given(
    payload=json_values.filter(lambda v: v is not None),
    kind=st.text(min_size=1, max_size=30).filter(lambda t: "\x00" not in t),
)
def test_any_json_and_text_survive_the_round_trip(payload, kind):
    event = OutboxEvent(type=kind, payload=payload)
    db.insert(event)
    assert db.select(OutboxEvent, ["type", "payload"], id=event.id) == [(kind, payload)]
    assert OutboxEvent.objects.values_list("type", "payload").get(id=event.id) == (kind, payload)
