"""The intake pipeline: what passes, what is refused, and that a refusal stores nothing."""

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from darcha.modules.documents import api
from darcha.modules.documents.intake import display_name
from darcha.modules.documents.models import Blob, Document
from darcha.modules.documents.tests import samples
from darcha.modules.documents.tests.samples import Upload

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def intake(data: bytes, name: str, **options):
    options.setdefault("max_bytes", 5 * MB)
    return api.document_intake(upload=Upload(data, name), owner_id="owner-1", **options)


def stored_image(document) -> Image.Image:
    response = api.document_response(document_id=document.id)
    return Image.open(io.BytesIO(b"".join(response.streaming_content)))


def rejection(data: bytes, name: str, **options) -> api.DocumentRejected:
    with pytest.raises(api.DocumentRejected) as caught:
        intake(data, name, **options)
    return caught.value


def test_a_pdf_is_stored_byte_for_byte_under_its_hash(media_root):
    data = samples.pdf(pages=2)
    document = intake(data, "C:\\Users\\me\\Ariza.pdf", purpose="application-form")

    sha256 = hashlib.sha256(data).hexdigest()
    assert (document.kind, document.content_type, document.sha256) == ("pdf", "application/pdf", sha256)
    assert (document.size, document.owner_id, document.purpose) == (len(data), "owner-1", "application-form")
    assert document.filename == "Ariza.pdf"
    assert (media_root / "blobs" / sha256[:2] / sha256[2:4] / sha256).read_bytes() == data
    assert api.document_get(document.id) == document
    assert api.documents_of_owner("owner-1") == [document]


def test_a_django_uploaded_file_is_accepted():
    upload = SimpleUploadedFile("scan.pdf", samples.pdf(), content_type="text/html")
    document = api.document_intake(upload=upload, owner_id="owner-1", max_bytes=MB)
    assert document.content_type == "application/pdf"


def test_the_type_comes_from_the_content_not_the_name():
    document = intake(samples.jpeg_with_gps(), "passport.png")
    assert (document.kind, document.content_type, document.filename) == ("jpeg", "image/jpeg", "passport.jpg")


def test_a_photo_is_turned_upright_and_loses_gps_exif_comment_and_profile():
    original = samples.jpeg_with_gps(size=(40, 20))
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(samples.GPS_IFD)

    document = intake(original, "photo.jpg")
    stored = stored_image(document)

    assert stored.format == "JPEG"
    assert stored.size == (20, 40)  # the orientation tag was applied to the pixels
    top, bottom = stored.convert("RGB").getpixel((10, 2)), stored.convert("RGB").getpixel((10, 37))
    assert top[0] > 200 > top[2] and bottom[2] > 200 > bottom[0]  # red on top: turned clockwise
    assert not stored.getexif()
    assert not {"exif", "icc_profile", "comment"} & set(stored.info)


def test_a_pdf_with_web_links_passes():
    assert intake(samples.pdf_link("https://my.gov.uz/"), "links.pdf").kind == "pdf"


def test_an_unreadable_colour_profile_is_dropped_not_fatal():
    stored = stored_image(intake(samples.jpeg_with_broken_profile(), "photo.jpg"))
    assert "icc_profile" not in stored.info
    assert stored.size == (8, 8)


def test_a_png_loses_its_text_chunks_and_exif_but_keeps_its_pixels():
    original = samples.png_with_text()
    assert "Author" in Image.open(io.BytesIO(original)).info

    document = intake(original, "scan.png")
    stored = stored_image(document)

    assert stored.format == "PNG"
    assert not {"Author", "Comment", "exif"} & set(stored.info)
    assert not stored.getexif()
    assert stored.getpixel((3, 3)) == (0, 128, 0, 200)


@pytest.mark.parametrize(
    ("sample", "name", "code"),
    [
        (samples.exe, "ariza.pdf", "type_not_allowed"),
        (samples.html, "photo.png", "type_not_allowed"),
        (samples.svg, "photo.png", "type_not_allowed"),
        (samples.docx, "ariza.pdf", "type_not_allowed"),
        (lambda: b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "photo.png", "type_not_allowed"),
        (lambda: b"", "empty.pdf", "empty_file"),
        (samples.png_bomb, "bomb.png", "image_bomb"),
        (lambda: samples.jpeg_with_gps()[:400], "cut.jpg", "broken_file"),
        (samples.png_bad_checksum, "bad.png", "broken_file"),
        (lambda: samples.pdf()[:200], "cut.pdf", "broken_file"),
        (lambda: samples.pdf()[:-30], "no-end.pdf", "broken_file"),
        (lambda: b"%PDF-1.7\n" + b"\x00garbage" * 100, "junk.pdf", "broken_file"),
        (samples.pdf_open_action_js, "js.pdf", "pdf_scripts"),
        (samples.pdf_names_tree_js, "js.pdf", "pdf_scripts"),
        (lambda: samples.obfuscated(samples.pdf_open_action_js()), "js.pdf", "pdf_scripts"),
        (samples.pdf_launch_action, "launch.pdf", "pdf_scripts"),
        (samples.pdf_page_additional_action, "aa.pdf", "pdf_scripts"),
        (samples.pdf_xfa_form, "xfa.pdf", "pdf_scripts"),
        (lambda: samples.pdf_link("JavaScript:app.alert(1)"), "link.pdf", "pdf_scripts"),
        (lambda: samples.pdf_link(" java\tscript:app.alert(1)"), "link.pdf", "pdf_scripts"),
        (lambda: samples.pdf_link("file:///C:/Windows/System32/cmd.exe"), "link.pdf", "pdf_scripts"),
        (samples.pdf_embedded_file, "attached.pdf", "pdf_attachments"),
        (samples.pdf_file_attachment_annotation, "attached.pdf", "pdf_attachments"),
        (samples.pdf_encrypted, "locked.pdf", "pdf_encrypted"),
        (lambda: samples.pdf_encrypted(""), "locked.pdf", "pdf_encrypted"),
    ],
)
def test_refused_uploads_leave_nothing_behind(sample, name, code, stored_files):
    error = rejection(sample(), name)

    assert error.code == code
    assert error.status == 422
    assert str(error.message)
    assert not Blob.objects.exists()
    assert not Document.objects.exists()
    assert stored_files() == []


def test_a_type_the_service_does_not_accept_is_refused_and_named_in_the_message():
    error = rejection(samples.jpeg_with_gps(), "photo.jpg", allowed_types={"pdf"})
    assert error.code == "type_not_allowed"
    assert error.message.endswith("PDF.")
    assert rejection(samples.pdf(), "a.pdf", allowed_types={"png", "jpeg"}).params["types"] == "JPEG, PNG"


def test_an_unknown_type_in_the_declaration_is_a_programming_error():
    with pytest.raises(ValueError, match="docx"):
        intake(samples.pdf(), "a.pdf", allowed_types={"pdf", "docx"})


def test_an_oversized_stream_is_refused_after_reading_at_most_the_limit_and_one_byte(stored_files):
    stream = samples.EndlessStream(total=100 * MB)
    limit = 2 * MB + 7
    with pytest.raises(api.DocumentRejected) as caught:
        api.document_intake(upload=stream, owner_id="owner-1", max_bytes=limit)

    assert caught.value.code == "too_large"
    assert caught.value.status == 413
    assert limit < stream.read_bytes <= limit + 1
    assert stored_files() == []


def test_a_declared_size_over_the_limit_is_refused_before_reading_anything():
    stream = samples.EndlessStream(total=100 * MB)
    stream.size = 100 * MB
    with pytest.raises(api.DocumentRejected) as caught:
        api.document_intake(upload=stream, owner_id="owner-1", max_bytes=MB)
    assert caught.value.code == "too_large"
    assert stream.read_bytes == 0


def test_a_file_of_exactly_the_limit_passes():
    data = samples.pdf()
    assert intake(data, "a.pdf", max_bytes=len(data)).size == len(data)
    assert rejection(data, "a.pdf", max_bytes=len(data) - 1).code == "too_large"


def test_the_pdf_page_count_is_capped(settings):
    settings.DOCUMENTS_MAX_PDF_PAGES = 3
    assert intake(samples.pdf(pages=3), "three.pdf").kind == "pdf"
    error = rejection(samples.pdf(pages=4), "four.pdf")
    assert (error.code, error.params) == ("too_many_pages", {"limit": 3})


def test_a_pdf_stream_that_inflates_past_the_cap_is_refused(settings):
    settings.DOCUMENTS_MAX_PDF_STREAM_BYTES = MB
    bomb = samples.pdf_stream_bomb(inflated=8 * MB)
    assert len(bomb) < 64 * 1024

    assert rejection(bomb, "bomb.pdf").code == "pdf_too_complex"
    assert intake(samples.pdf_stream_bomb(inflated=MB // 2), "fine.pdf").kind == "pdf"


def test_a_pdf_with_more_objects_than_allowed_is_refused(settings):
    settings.DOCUMENTS_MAX_PDF_OBJECTS = 5
    assert rejection(samples.pdf(pages=4), "many.pdf").code == "pdf_too_complex"


def test_the_image_pixel_cap_follows_the_setting(settings):
    settings.DOCUMENTS_MAX_IMAGE_PIXELS = 799
    error = rejection(samples.jpeg_with_gps(size=(40, 20)), "photo.jpg")
    assert error.code == "image_bomb"
    settings.DOCUMENTS_MAX_IMAGE_PIXELS = 800
    assert intake(samples.jpeg_with_gps(size=(40, 20)), "photo.jpg").kind == "jpeg"


def test_the_same_content_is_stored_once(stored_files):
    data = samples.pdf()
    first = api.document_intake(upload=Upload(data, "a.pdf"), owner_id="owner-1", max_bytes=MB)
    second = api.document_intake(upload=Upload(data, "b.pdf"), owner_id="owner-2", max_bytes=MB)

    assert first.id != second.id and first.sha256 == second.sha256
    assert Blob.objects.count() == 1
    assert len(stored_files()) == 1
    assert [d.filename for d in api.documents_of_owner("owner-2")] == ["b.pdf"]


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\scans\\ID card.PDF", "ID card.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.pdf"),
        ("line\nbreak\x00.pdf", "linebreak.pdf"),
        ("no-extension", "no-extension.pdf"),
        ("", "document.pdf"),
        ("...", "document.pdf"),
        (".hidden.pdf", "hidden.pdf"),
        ("Tug\u2018ilganlik guvohnomasi.pdf", "Tug\u2018ilganlik guvohnomasi.pdf"),
        ("x" * 300 + ".pdf", "x" * 100 + ".pdf"),
    ],
)
def test_display_names_are_safe(sent, shown):
    assert display_name(sent, "pdf") == shown


def test_an_unknown_document_is_none():
    assert api.document_get("00000000-0000-0000-0000-000000000000") is None
    assert api.document_get("not-a-uuid") is None
