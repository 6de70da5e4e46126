"""Append-only, hash-chained audit log.

Each entry's hash covers its content and the previous entry's hash, and a single head row
holds the last position, so a changed, inserted or deleted row (the last one included)
breaks verification. On PostgreSQL a trigger also refuses UPDATE and DELETE.
"""

import importlib
from typing import Any

__all__ = ["Problem", "record", "verify"]


def __getattr__(name: str) -> Any:
    # Imported lazily: the package is also the Django app, loaded before models may be.
    if name in __all__:
        return getattr(importlib.import_module("darcha.platform.audit.log"), name)
    raise AttributeError(name)
