"""Transactional outbox: domain events written with the change, delivered by workers.

Modules call :func:`publish` inside the transaction that makes a change, and register
handlers with :func:`handler` in their ``handlers.py``. Every (event, handler) pair is a
delivery row that ``darcha worker`` processes claim with a lease, run inside a
transaction together with marking the delivery done, and retry with backoff; deliveries
that keep failing become dead letters an operator can replay.
"""

import importlib
from typing import Any

__all__ = ["Event", "handler", "publish"]


def __getattr__(name: str) -> Any:
    # Imported lazily: the package is also the Django app, loaded before models may be.
    if name in __all__:
        return getattr(importlib.import_module("darcha.platform.events.registry"), name)
    raise AttributeError(name)
