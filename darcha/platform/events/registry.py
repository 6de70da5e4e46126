from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db import connection

from darcha.platform import db
from darcha.platform.events.models import Delivery, OutboxEvent


@dataclass(frozen=True)
class Event:
    """What a handler receives: the event id is its idempotency key."""

    id: UUID
    type: str
    payload: dict[str, Any]
    occurred_at: datetime


HandlerFn = Callable[[Event], None]

_handlers_by_type: dict[str, list[str]] = defaultdict(list)
_handlers_by_name: dict[str, HandlerFn] = {}


class OutsideTransactionError(RuntimeError):
    pass


def handler(*event_types: str) -> Callable[[HandlerFn], HandlerFn]:
    """Register a function as an idempotent handler of the given event types."""

    def register(fn: HandlerFn) -> HandlerFn:
        name = f"{fn.__module__}.{fn.__qualname__}"
        _handlers_by_name[name] = fn
        for event_type in event_types:
            if name not in _handlers_by_type[event_type]:
                _handlers_by_type[event_type].append(name)
        return fn

    return register


def handlers_for(event_type: str) -> list[str]:
    return list(_handlers_by_type.get(event_type, ()))


def handler_named(name: str) -> HandlerFn | None:
    return _handlers_by_name.get(name)


def publish(event_type: str, payload: dict[str, Any]) -> UUID:
    """Write an event and one delivery per subscribed handler in the caller's transaction."""
    if not connection.in_atomic_block:
        raise OutsideTransactionError("publish() must run inside the transaction that makes the change")
    event = OutboxEvent(type=event_type, payload=payload)
    db.insert(event)
    db.insert(*(Delivery(event=event, handler=name) for name in handlers_for(event_type)))
    return event.id
