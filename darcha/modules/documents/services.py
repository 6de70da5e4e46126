import hashlib
import itertools
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from darcha.modules.documents import selectors
from darcha.modules.documents.adapters.storage import BlobStore
from darcha.modules.documents.models import Blob, Document
from darcha.modules.documents.records import CONTENT_TYPES, CheckedFile, StoredDocument


@transaction.atomic
def document_store(*, checked: CheckedFile, owner_id: str, purpose: str, store: BlobStore) -> StoredDocument:
    """Record a checked upload, keeping one blob per content.

    The rows are written first and the file last: if writing the file fails, the rows roll
    back with it. A file whose rows are rolled back later by an enclosing transaction is an
    orphan that ``blob_sweep_orphans`` removes.
    """
    sha256 = hashlib.sha256(checked.data).hexdigest()
    blob, _ = Blob.objects.get_or_create(
        sha256=sha256, defaults={"size": len(checked.data), "content_type": CONTENT_TYPES[checked.kind]}
    )
    document = Document.objects.create(
        owner_id=owner_id, blob=blob, filename=checked.filename, kind=checked.kind, purpose=purpose
    )
    store.put(sha256, checked.data)
    return selectors.document_record(document)


def blob_sweep_orphans(*, store: BlobStore, older_than: timedelta, batch: int = 500) -> int:
    """Delete stored files that no blob row refers to; the age margin spares files whose
    transaction has not committed yet. Returns how many were deleted."""
    cutoff = timezone.now() - older_than
    candidates = (sha256 for sha256, written in store.stored() if written < cutoff)
    deleted = 0
    while chunk := set(itertools.islice(candidates, batch)):
        for sha256 in chunk - selectors.blob_hashes_known(chunk):
            store.delete(sha256)
            deleted += 1
    return deleted
