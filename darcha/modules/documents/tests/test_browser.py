"""A sandboxed inline preview still shows the image in a real browser."""

import io

import pytest
from django.conf import settings
from django.test import Client
from PIL import Image

from darcha.modules.documents import api
from darcha.modules.documents.tests.samples import Upload

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("darcha.modules.documents.tests.urls"),
]


def png(color, size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def signed_in(page, live_server, account) -> None:
    client = Client()
    client.force_login(account)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def test_an_inline_image_preview_renders_under_the_sandbox(page, live_server, make_account):
    viewer = make_account()
    signed_in(page, live_server, viewer)
    photo = api.document_intake(upload=Upload(png((200, 30, 30)), "scan.png"), owner_id="o", max_bytes=10**6)

    response = page.goto(api.document_url(photo.id, viewer_id=viewer.pk, inline=True))

    assert response.status == 200
    assert response.headers["content-security-policy"] == api.INLINE_CSP
    image = page.locator("img")
    assert image.evaluate("img => [img.complete, img.naturalWidth, img.naturalHeight]") == [True, 64, 48]


def test_a_link_for_someone_else_shows_not_found(page, live_server, make_account):
    signed_in(page, live_server, make_account())
    photo = api.document_intake(upload=Upload(png((0, 0, 200)), "scan.png"), owner_id="o", max_bytes=10**6)

    response = page.goto(api.document_url(photo.id, viewer_id=make_account().pk, inline=True))
    assert response.status == 404
    assert page.locator("img").count() == 0
