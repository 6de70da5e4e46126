"""Serving stored documents: safe headers, and signed links bound to one viewer for a while."""

import io
import time

import pytest
from django.core import signing
from django.http import Http404
from PIL import Image

from darcha.modules.documents import api
from darcha.modules.documents.tests import samples
from darcha.modules.documents.tests.samples import Upload

pytestmark = [pytest.mark.django_db, pytest.mark.urls("darcha.modules.documents.tests.urls")]


@pytest.fixture
def pdf_document():
    return api.document_intake(
        upload=Upload(samples.pdf(), "Tug‘ilganlik guvohnomasi.pdf"), owner_id="o", max_bytes=10**6
    )


def body(response) -> bytes:
    # Not response.close(): it signals the end of a request, which closes the test's
    # database connection.
    return b"".join(response.streaming_content)


def test_a_download_is_an_attachment_that_nothing_may_render_or_keep(pdf_document):
    response = api.document_response(document_id=pdf_document.id)

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''Tug%E2%80%98ilganlik%20guvohnomasi.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Security-Policy"].startswith("sandbox;")
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert int(response["Content-Length"]) == pdf_document.size
    assert body(response) == samples.pdf()


def test_a_preview_is_inline_and_sandboxed(pdf_document):
    response = api.document_response(document_id=pdf_document.id, inline=True)

    assert response["Content-Disposition"].startswith("inline;")
    assert response["Content-Security-Policy"] == api.INLINE_CSP
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["X-Content-Type-Options"] == "nosniff"
    body(response)


def test_an_unknown_document_is_not_found():
    with pytest.raises(Http404):
        api.document_response(document_id="00000000-0000-0000-0000-000000000000")


def test_the_link_serves_the_viewer_it_was_made_for(client, make_account, pdf_document):
    viewer = make_account()
    client.force_login(viewer)
    url = api.document_url(pdf_document.id, viewer_id=viewer.pk)

    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert body(response) == samples.pdf()
    assert client.head(url).status_code == 200


def test_an_inline_link_serves_a_preview(client, make_account):
    viewer = make_account()
    client.force_login(viewer)
    photo = api.document_intake(
        upload=Upload(samples.png_with_text(), "scan.png"), owner_id="o", max_bytes=10**6
    )

    response = client.get(api.document_url(photo.id, viewer_id=viewer.pk, inline=True))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="scan.png"'
    assert Image.open(io.BytesIO(body(response))).size == (16, 8)


def test_someone_else_or_nobody_gets_not_found(client, make_account, pdf_document):
    url = api.document_url(pdf_document.id, viewer_id=make_account().pk)

    assert client.get(url).status_code == 404
    client.force_login(make_account())
    assert client.get(url).status_code == 404


def test_an_expired_link_is_not_found(client, make_account, pdf_document, monkeypatch):
    viewer = make_account()
    client.force_login(viewer)
    url = api.document_url(pdf_document.id, viewer_id=viewer.pk, ttl_seconds=60)
    assert client.get(url).status_code == 200

    made_earlier = signing.b62_encode(int(time.time()) - 61)
    monkeypatch.setattr(signing.TimestampSigner, "timestamp", lambda self: made_earlier)
    assert (
        client.get(api.document_url(pdf_document.id, viewer_id=viewer.pk, ttl_seconds=60)).status_code == 404
    )


def test_a_changed_or_invented_link_is_not_found(client, make_account, pdf_document):
    viewer = make_account()
    client.force_login(viewer)
    url = api.document_url(pdf_document.id, viewer_id=viewer.pk)
    token = url.split("/")[-2]
    claims = signing.TimestampSigner(salt=api.LINK_SALT).unsign_object(token)
    other = signing.TimestampSigner(salt="elsewhere").sign_object(claims)

    for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), other, "nonsense"):
        assert client.get(f"/files/{bad}/").status_code == 404


def test_a_link_to_a_document_that_is_gone_is_not_found(client, make_account):
    viewer = make_account()
    client.force_login(viewer)
    url = api.document_url("00000000-0000-0000-0000-000000000000", viewer_id=viewer.pk)
    assert client.get(url).status_code == 404


def test_files_are_only_read(client, make_account, pdf_document):
    viewer = make_account()
    client.force_login(viewer)
    assert client.post(api.document_url(pdf_document.id, viewer_id=viewer.pk)).status_code == 405


def test_a_link_needs_a_positive_lifetime(pdf_document):
    with pytest.raises(ValueError):
        api.document_url(pdf_document.id, viewer_id="v", ttl_seconds=0)
