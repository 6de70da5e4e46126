"""Files the portal makes itself (decision letters): stored and served as uploads are, but only
when their content is what they are said to be."""

import pytest

from darcha.modules.documents import api
from darcha.modules.documents.tests import samples

pytestmark = [pytest.mark.django_db, pytest.mark.urls("darcha.modules.documents.tests.urls")]


def store(data: bytes, kind: str = "pdf", filename: str = "26-1726-000001.pdf") -> api.StoredDocument:
    return api.document_store_generated(
        data=data, kind=kind, filename=filename, owner_id="application:1", purpose="application_result"
    )


def test_a_generated_pdf_is_stored_once_per_content_and_served_as_a_download(stored_files):
    letter = samples.pdf()
    first, second = store(letter), store(letter, filename="../../etc/letter.PDF")
    assert (first.kind, first.content_type, first.size) == ("pdf", "application/pdf", len(letter))
    assert (first.owner_id, first.purpose) == ("application:1", "application_result")
    assert second.filename == "letter.pdf"
    assert first.sha256 == second.sha256 and first.id != second.id
    assert len(stored_files()) == 1
    assert [d.id for d in api.documents_of_owner("application:1")] == [first.id, second.id]
    response = api.document_response(document_id=first.id)
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == letter


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (samples.png_with_text(), "pdf"),  # content that is not the kind it is said to be
        (b"<html><script>alert(1)</script></html>", "pdf"),
        (b"%PDF-1.7 but nothing after", "html"),  # a kind that is never served
    ],
)
def test_content_that_is_not_of_its_kind_is_refused_and_nothing_stored(data, kind, stored_files):
    with pytest.raises(ValueError):
        store(data, kind=kind)
    assert api.documents_of_owner("application:1") == []
    assert stored_files() == []


def test_several_documents_are_read_in_two_queries(stored_files, django_assert_num_queries):
    first, second = store(samples.pdf()), store(samples.pdf(), filename="second.pdf")
    upper = first.id.upper()
    with django_assert_num_queries(2):  # the documents, then their stored bytes' records
        found = api.documents_get(
            [first.id, upper, second.id, "not-an-id", "00000000-0000-0000-0000-000000000000"]
        )
    assert {key: doc.id for key, doc in found.items()} == {
        first.id: first.id,
        upper: first.id,
        second.id: second.id,
    }
    with django_assert_num_queries(0):
        assert api.documents_get(["not-an-id"]) == {}
