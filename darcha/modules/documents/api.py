"""Public surface of the documents module: the only thing other modules import.

Uploads go in through ``document_intake`` (checked by content, cleaned, stored once per
content), files the portal makes itself through ``document_store_generated``, and both
come out through ``document_response`` or a signed, expiring ``document_url``.
Who may upload or see a document is the caller's decision.
"""

from collections.abc import Iterable, Set
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse

from darcha.modules.documents import selectors, services
from darcha.modules.documents.adapters.scanner import configured_scanner
from darcha.modules.documents.adapters.storage import configured_store
from darcha.modules.documents.errors import DocumentRejected
from darcha.modules.documents.intake import check_upload, display_name, sniff
from darcha.modules.documents.records import KINDS, CheckedFile, StoredDocument
from darcha.modules.documents.uploads import SizeCapUploadHandler

__all__ = [
    "DEFAULT_TYPES",
    "KINDS",
    "DocumentRejected",
    "FileLink",
    "StoredDocument",
    "blob_sweep_orphans",
    "default_max_bytes",
    "document_get",
    "document_intake",
    "document_response",
    "document_store_generated",
    "document_url",
    "documents_of_owner",
    "file_link",
    "limit_upload_size",
    "oversized_uploads",
]

DEFAULT_TYPES = frozenset({"pdf", "jpeg", "png"})

# Nothing served from here may run: a sandbox gives the document an origin of its own and
# no scripts, plugins, forms or navigation, and only its own image and inline style load.
INLINE_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
ATTACHMENT_CSP = "sandbox; default-src 'none'; frame-ancestors 'none'"

LINK_SALT = "darcha.documents.file-link"


def default_max_bytes() -> int:
    """The size cap for an upload whose service declares none."""
    return settings.DOCUMENTS_MAX_BYTES


def document_intake(
    *,
    upload,
    owner_id: str,
    max_bytes: int,
    allowed_types: Set[str] = DEFAULT_TYPES,
    purpose: str = "",
) -> StoredDocument:
    """Check one upload (a Django ``UploadedFile`` or a binary stream with a ``name``) and
    store it, or raise ``DocumentRejected`` having stored nothing.

    At most ``max_bytes + 1`` bytes are read. Call it outside a long transaction: the
    checks may take a while and the database is touched only at the end.
    """
    checked = check_upload(
        upload=upload, allowed_types=set(allowed_types), max_bytes=max_bytes, scanner=configured_scanner()
    )
    return services.document_store(
        checked=checked, owner_id=str(owner_id), purpose=purpose, store=configured_store()
    )


def document_store_generated(
    *, data: bytes, kind: str, filename: str, owner_id: str, purpose: str = ""
) -> StoredDocument:
    """Keep a file the portal made itself (a decision letter, a certificate); it is stored
    and served as uploads are.

    Never for bytes a person sent: those go through ``document_intake``. The content must
    still be of ``kind`` (a ValueError otherwise), so nothing is served under a type it is not.
    """
    if kind not in KINDS or sniff(data) != kind:
        raise ValueError(f"the generated content is not {kind}")
    checked = CheckedFile(kind=kind, data=data, filename=display_name(filename, kind))
    return services.document_store(
        checked=checked, owner_id=str(owner_id), purpose=purpose, store=configured_store()
    )


def limit_upload_size(request: HttpRequest, *, max_bytes: int) -> None:
    """Make files over ``max_bytes`` in this request be dropped as they stream in.

    Call it before anything reads ``request.POST`` or ``request.FILES``; as CSRF checking
    reads them, the view is ``csrf_exempt`` and checks CSRF itself after this call (Django's
    documented pattern for changing upload handlers). Oversized fields are then missing
    from ``request.FILES`` and named by ``oversized_uploads``.
    """
    request.upload_handlers.insert(0, SizeCapUploadHandler(request, max_bytes))


def oversized_uploads(request: HttpRequest) -> set[str]:
    """Names of the file fields dropped for their size by ``limit_upload_size``."""
    return {
        name
        for handler in request.upload_handlers
        if isinstance(handler, SizeCapUploadHandler)
        for name in handler.oversized
    }


def document_get(document_id) -> StoredDocument | None:
    return selectors.document_get(document_id)


def documents_get(document_ids: Iterable) -> dict[str, StoredDocument]:
    """The stored documents among ``document_ids`` by id (malformed or unknown ids left out)."""
    return selectors.documents_get(document_ids)


def documents_of_owner(owner_id: str) -> list[StoredDocument]:
    return selectors.documents_of_owner(str(owner_id))


def document_response(*, document_id, inline: bool = False) -> FileResponse:
    """The document's bytes, streamed with its safe content type. A download by default;
    ``inline`` for previews of images and PDFs, which are then sandboxed."""
    document = selectors.document_get(document_id)
    if document is None:
        raise Http404
    response = FileResponse(
        configured_store().open(document.sha256),
        content_type=document.content_type,
        as_attachment=not inline,
        filename=document.filename,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Content-Security-Policy"] = INLINE_CSP if inline else ATTACHMENT_CSP
    response["X-Frame-Options"] = "SAMEORIGIN" if inline else "DENY"
    return response


@dataclass(frozen=True)
class FileLink:
    document_id: str
    inline: bool


def document_url(document_id, *, viewer_id, ttl_seconds: int = 300, inline: bool = False) -> str:
    """A link to the document that works only for ``viewer_id`` (the signed-in account)
    and only for ``ttl_seconds``."""
    if ttl_seconds <= 0:
        raise ValueError("ttl_seconds must be positive")
    claims = {"d": str(document_id), "v": str(viewer_id), "i": inline, "t": ttl_seconds}
    token = signing.TimestampSigner(salt=LINK_SALT).sign_object(claims)
    return reverse("documents:file", args=[token])


def file_link(token: str, *, viewer_id) -> FileLink | None:
    """What a link token grants ``viewer_id``: None when forged, expired or someone else's."""
    signer = signing.TimestampSigner(salt=LINK_SALT)
    try:
        claims = signer.unsign_object(token)
        claims = signer.unsign_object(token, max_age=claims["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if viewer_id is None or claims["v"] != str(viewer_id):
        return None
    return FileLink(document_id=claims["d"], inline=bool(claims["i"]))


def blob_sweep_orphans(*, older_than: timedelta = timedelta(hours=1)) -> int:
    """Delete stored files no document refers to (left by transactions that rolled back)."""
    return services.blob_sweep_orphans(store=configured_store(), older_than=older_than)
