"""The checks an upload passes before anything is stored.

Order matters: the cheap refusals (size, type) come before the scanner, and the scanner
before the parsers, so hostile bytes meet as little code as possible. Nothing here
touches the database or the blob store.
"""

import io
import logging
import unicodedata

import filetype
import pypdf
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from PIL import Image, ImageCms, ImageOps
from pypdf.errors import LimitReachedError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

from darcha.modules.documents.adapters.scanner import Scanner, ScannerUnavailable
from darcha.modules.documents.errors import DocumentRejected
from darcha.modules.documents.records import EXTENSIONS, KINDS, CheckedFile

logger = logging.getLogger(__name__)

READ_CHUNK = 64 * 1024
# filetype looks at no more than the first 8 KiB.
SNIFF_BYTES = 8192
SNIFFED_KINDS = {"application/pdf": "pdf", "image/jpeg": "jpeg", "image/png": "png", "image/apng": "png"}
TYPE_LABELS = {"pdf": "PDF", "jpeg": "JPEG", "png": "PNG"}

lazy_filesize = lazy(filesizeformat, str)


def check_upload(*, upload, allowed_types: set[str], max_bytes: int, scanner: Scanner) -> CheckedFile:
    """Read, identify, scan and clean one upload, or raise DocumentRejected."""
    if unknown := set(allowed_types) - KINDS:
        raise ValueError(f"unsupported document types: {sorted(unknown)}")
    data = read_capped(upload, max_bytes)
    kind = sniff(data)
    if kind not in allowed_types:
        labels = ", ".join(TYPE_LABELS[k] for k in sorted(allowed_types, key=list(TYPE_LABELS).index))
        raise DocumentRejected("type_not_allowed", types=labels)
    try:
        threat = scanner.scan(data)
    except ScannerUnavailable:
        logger.exception("virus scanner unavailable")
        raise DocumentRejected("scan_unavailable") from None
    if threat is not None:
        logger.warning("upload refused: the scanner found %s", threat)
        raise DocumentRejected("virus_found")
    if kind == "pdf":
        # Stored byte for byte: rewriting a PDF would break the signatures it may carry.
        check_pdf(data)
    else:
        data = reencode_image(data, kind)
    return CheckedFile(kind=kind, data=data, filename=display_name(getattr(upload, "name", "") or "", kind))


def read_capped(upload, max_bytes: int) -> bytes:
    """The whole upload, having read at most ``max_bytes + 1`` bytes of it."""
    declared = getattr(upload, "size", None)
    if isinstance(declared, int) and declared > max_bytes:
        raise DocumentRejected("too_large", limit=lazy_filesize(max_bytes))
    data = bytearray()
    while chunk := upload.read(min(READ_CHUNK, max_bytes + 1 - len(data))):
        data += chunk
        if len(data) > max_bytes:
            raise DocumentRejected("too_large", limit=lazy_filesize(max_bytes))
    if not data:
        raise DocumentRejected("empty_file")
    return bytes(data)


def sniff(data: bytes) -> str | None:
    """The document kind the content says it is, whatever the name or header claimed."""
    guessed = filetype.guess(data[:SNIFF_BYTES])
    return SNIFFED_KINDS.get(guessed.mime) if guessed else None


def display_name(name: str, kind: str) -> str:
    """The sent name made safe to show and to offer for download: no folders, no control
    or direction-override characters, and the extension of what the file really is."""
    base = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    base = "".join(
        " " if category[0] == "Z" else ch for ch in base if (category := unicodedata.category(ch))[0] != "C"
    )
    stem = base.rsplit(".", 1)[0] if "." in base.strip(".") else base
    stem = stem.strip(" .")[:100].strip(" .") or "document"
    return f"{stem}.{EXTENSIONS[kind]}"


# --- Images ----------------------------------------------------------------------------------

PIL_FORMATS = {"jpeg": "JPEG", "png": "PNG"}
PNG_MODES = {"1", "L", "LA", "I", "I;16", "RGB", "RGBA"}
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def reencode_image(data: bytes, kind: str) -> bytes:
    """The image decoded and written anew: turned upright, in sRGB, with no EXIF, GPS,
    colour profile or text chunks, and nothing after the image data."""
    max_pixels = settings.DOCUMENTS_MAX_IMAGE_PIXELS
    try:
        with Image.open(io.BytesIO(data), formats=[PIL_FORMATS[kind]]) as probe:
            if probe.width * probe.height > max_pixels:
                raise DocumentRejected("image_bomb", limit=max_pixels // 1_000_000)
            probe.verify()
        with Image.open(io.BytesIO(data), formats=[PIL_FORMATS[kind]]) as image:
            image.load()
            clean = _cleaned(image, kind)
        out = io.BytesIO()
        if kind == "jpeg":
            clean.save(out, "JPEG", quality=85, optimize=True)
        else:
            clean.save(out, "PNG", optimize=True)
    except DocumentRejected:
        raise
    except Image.DecompressionBombError:
        raise DocumentRejected("image_bomb", limit=max_pixels // 1_000_000) from None
    except Exception:
        # Pillow reports damaged input with many exception types; all mean the same here.
        logger.info("image refused as broken", exc_info=True)
        raise DocumentRejected("broken_file") from None
    return out.getvalue()


def _cleaned(image: Image.Image, kind: str) -> Image.Image:
    image = ImageOps.exif_transpose(image)
    profile = image.info.get("icc_profile")
    if profile and image.mode in {"RGB", "RGBA", "CMYK"}:
        try:
            image = ImageCms.profileToProfile(
                image,
                ImageCms.ImageCmsProfile(io.BytesIO(profile)),
                SRGB,
                outputMode="RGBA" if image.mode == "RGBA" else "RGB",
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            # A profile that cannot be read is dropped like the rest; the pixels are fine.
            logger.info("unreadable colour profile ignored", exc_info=True)
    if kind == "jpeg" and image.mode not in {"L", "RGB"}:
        image = image.convert("L" if image.mode == "1" else "RGB")
    elif kind == "png" and image.mode not in PNG_MODES:
        transparent = "transparency" in image.info or image.mode in {"PA", "RGBa", "La"}
        image = image.convert("RGBA" if transparent else "RGB")
    # Whatever metadata survived the conversions is not written out.
    image.info = {}
    return image


# --- PDF ---------------------------------------------------------------------------------------

# Anything that runs by itself when the document is opened, clicked or printed.
ACTIVE_KEYS = {"/JS", "/JavaScript", "/AA", "/XFA", "/RichMedia"}
SCRIPT_URI_SCHEMES = {"javascript", "vbscript", "data", "file"}
ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/Rendition", "/RichMediaExecute"}
# Files carried inside the document, and the ways to reach them.
ATTACHMENT_KEYS = {"/EmbeddedFiles", "/EF"}
ATTACHMENT_ACTIONS = {"/GoToE"}
ATTACHMENT_SUBTYPES = {"/FileAttachment"}


def check_pdf(data: bytes) -> None:
    """Open the PDF with a real parser and refuse it if broken, locked, active or carrying files."""
    stream_cap = settings.DOCUMENTS_MAX_PDF_STREAM_BYTES
    try:
        with pypdf.apply_configuration(
            maximum_declared_stream_length=stream_cap,
            zlib_maximum_output_length=stream_cap,
            lzw_maximum_output_length=stream_cap,
            run_length_maximum_output_length=stream_cap,
            brotli_maximum_output_length=stream_cap,
            jbig2_maximum_output_length=stream_cap,
            stream_decoding_work_maximum_length=stream_cap * 2,
            array_based_stream_maximum_output_length=stream_cap,
            # Never hand hostile bytes to an outside program.
            jbig2dec_binary=None,
            disable_legacy_handling=True,
        ):
            reader = pypdf.PdfReader(
                io.BytesIO(data), xref_stream_maximum_entries=settings.DOCUMENTS_MAX_PDF_OBJECTS
            )
            if reader.is_encrypted:
                raise DocumentRejected("pdf_encrypted")
            pages = len(reader.pages)
            if pages == 0:
                raise DocumentRejected("broken_file")
            if pages > settings.DOCUMENTS_MAX_PDF_PAGES:
                raise DocumentRejected("too_many_pages", limit=settings.DOCUMENTS_MAX_PDF_PAGES)
            for obj in _dictionaries(reader, limit=settings.DOCUMENTS_MAX_PDF_OBJECTS):
                _refuse_active_content(obj)
            # Decoding every page's content proves the streams are whole and within limits.
            for page in reader.pages:
                _decode_contents(page.get("/Contents"))
    except DocumentRejected:
        raise
    except LimitReachedError:
        raise DocumentRejected("pdf_too_complex") from None
    except Exception:
        # pypdf reports damaged input with many exception types; all mean the same here.
        logger.info("PDF refused as broken", exc_info=True)
        raise DocumentRejected("broken_file") from None


def _dictionaries(reader: pypdf.PdfReader, *, limit: int):
    """Every dictionary reachable from the trailer, each indirect object visited once."""
    seen: set[tuple[int, int]] = set()
    stack: list = [reader.trailer]
    visited = 0
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            if (obj.idnum, obj.generation) in seen:
                continue
            seen.add((obj.idnum, obj.generation))
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            visited += 1
            yield obj
            stack.extend(obj.values())
        elif isinstance(obj, ArrayObject):
            visited += 1
            stack.extend(obj)
        if visited > limit:
            raise DocumentRejected("pdf_too_complex")


def _refuse_active_content(obj: DictionaryObject) -> None:
    keys = set(obj.keys())
    if keys & ACTIVE_KEYS or obj.get("/S") in ACTIVE_ACTIONS or _is_script_uri(obj.get("/URI")):
        raise DocumentRejected("pdf_scripts")
    if (
        keys & ATTACHMENT_KEYS
        or obj.get("/Type") == "/EmbeddedFile"
        or obj.get("/S") in ATTACHMENT_ACTIONS
        or obj.get("/Subtype") in ATTACHMENT_SUBTYPES
    ):
        raise DocumentRejected("pdf_attachments")


def _is_script_uri(uri) -> bool:
    if not isinstance(uri, (str, bytes)):
        return False
    text = uri.decode("latin-1") if isinstance(uri, bytes) else uri
    # Browsers ignore control characters and spaces inside a scheme, and so do some viewers.
    scheme = "".join(ch for ch in text.split(":", 1)[0] if ch.isprintable() and not ch.isspace())
    return ":" in text and scheme.lower() in SCRIPT_URI_SCHEMES


def _decode_contents(contents) -> None:
    if isinstance(contents, IndirectObject):
        contents = contents.get_object()
    parts = contents if isinstance(contents, ArrayObject) else [contents]
    for part in parts:
        stream = part.get_object() if isinstance(part, IndirectObject) else part
        if isinstance(stream, StreamObject):
            stream.get_data()
