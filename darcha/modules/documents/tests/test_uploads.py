"""Oversized files are dropped while the request streams in, and the form still arrives."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from darcha.modules.documents.tests.urls import UPLOAD_CAP

pytestmark = pytest.mark.urls("darcha.modules.documents.tests.urls")


def test_a_file_over_the_cap_never_reaches_the_other_handlers(client):
    small = SimpleUploadedFile("small.pdf", b"x" * UPLOAD_CAP)
    big = SimpleUploadedFile("big.pdf", b"y" * 300_000)
    answer = client.post("/test-upload/", {"small": small, "big": big, "note": "after the files"}).json()

    assert answer["files"] == {"small": UPLOAD_CAP}
    assert answer["oversized"] == ["big"]
    assert answer["note"] == "after the files"
    assert answer["seen"].get("big", 0) <= UPLOAD_CAP


def test_without_oversized_files_nothing_is_reported(client):
    answer = client.post("/test-upload/", {"small": SimpleUploadedFile("a.pdf", b"x")}).json()
    assert answer["files"] == {"small": 1}
    assert answer["oversized"] == []
