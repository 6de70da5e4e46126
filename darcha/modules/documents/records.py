"""What the module hands out: frozen records with ids as strings, never model instances."""

from dataclasses import dataclass
from datetime import datetime

# Document kind → the only content type it is ever served with, and its file extension.
CONTENT_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
EXTENSIONS = {"pdf": "pdf", "jpeg": "jpg", "png": "png"}
KINDS = frozenset(CONTENT_TYPES)


@dataclass(frozen=True)
class StoredDocument:
    id: str
    owner_id: str
    filename: str
    kind: str
    content_type: str
    size: int
    sha256: str
    purpose: str
    created_at: datetime


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed every check: ``data`` is what will be stored."""

    kind: str
    data: bytes
    filename: str
