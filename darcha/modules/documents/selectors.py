import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError

from darcha.modules.documents.models import Blob, Document
from darcha.modules.documents.records import CONTENT_TYPES, StoredDocument
from darcha.platform import db


def document_record(document: Document) -> StoredDocument:
    return StoredDocument(
        id=str(document.id),
        owner_id=document.owner_id,
        filename=document.filename,
        kind=document.kind,
        content_type=CONTENT_TYPES[document.kind],
        size=document.blob.size,
        sha256=document.blob.sha256,
        purpose=document.purpose,
        created_at=document.created_at,
    )


def document_get(document_id) -> StoredDocument | None:
    try:
        document = Document.objects.select_related("blob").get(pk=document_id)
    except (Document.DoesNotExist, ValidationError, ValueError):
        return None
    return document_record(document)


def documents_get(document_ids: Iterable) -> dict[str, StoredDocument]:
    """The stored documents among ``document_ids`` in one query, keyed by the ids as given;
    a malformed id is simply not found."""
    wanted: dict[uuid.UUID, list[str]] = {}
    for document_id in document_ids:
        try:
            wanted.setdefault(uuid.UUID(str(document_id)), []).append(str(document_id))
        except ValueError:
            continue
    # On every submission: two reads without compiling a query (darcha.platform.db) cost less
    # than one join through the ORM.
    documents = db.instances(Document, id__in=wanted)
    blobs = {blob.id: blob for blob in db.instances(Blob, id__in={d.blob_id for d in documents})}
    for document in documents:
        document.blob = blobs[document.blob_id]
    return {given: document_record(d) for d in documents for given in wanted[d.pk]}


def documents_of_owner(owner_id: str) -> list[StoredDocument]:
    documents = Document.objects.select_related("blob").filter(owner_id=owner_id).order_by("created_at")
    return [document_record(d) for d in documents]


def blob_hashes_known(hashes: set[str]) -> set[str]:
    return set(Blob.objects.filter(sha256__in=hashes).values_list("sha256", flat=True))
