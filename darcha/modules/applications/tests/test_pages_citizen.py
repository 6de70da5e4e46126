"""The citizen's pages through Django's test client: apply, drafts, the cabinet, amend,
withdraw, rate and the public status page, with every refused input."""

import re
import uuid

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from darcha.modules.applications import api
from darcha.modules.applications.tests.conftest import child, login, png_upload, submit

pytestmark = pytest.mark.django_db

APPLY = "/services/test-permit/apply/"
NUMBER = re.compile(r"[0-9]{2}-[0-9]{4}-[0-9]{6}")


@pytest.fixture
def client(client):
    client.cookies["darcha_lang"] = "en"
    return client


def png(name: str = "passport.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_upload().read(), content_type="image/png")


def form_key(response) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', response.content.decode())[1]


def apply(client, *, intent="submit", key=None, files=None, **fields):
    data = {
        "purpose": "work",
        "copies": "1",
        "party": "self",
        "intent": intent,
        "idempotency_key": key or uuid.uuid4().hex,
        **fields,
    }
    if files is None:
        files = {"document-passport": png()}
    return client.post(APPLY, {**data, **files})


def summary(response) -> str:
    text = response.content.decode()
    match = re.search(r'<div class="error-summary".*?</div>', text, re.S)
    assert match, "no error summary on the page"
    return match[0]


def act(who, info, action, **fields):
    return api.act(
        application_id=info.id,
        action=action,
        actor_account_id=who.account_id,
        expected_version=info.version,
        appointments=who.appointments,
        **fields,
    )


# --- Apply -------------------------------------------------------------------------------------------


def test_the_form_page_carries_a_fresh_idempotency_key_and_an_upload_for_each_document(client, jasur):
    login(client, jasur)
    first, second = client.get(APPLY + "?for=self"), client.get(APPLY + "?for=self")
    assert first.status_code == 200
    html = first.content.decode()
    assert 'name="purpose"' in html and 'type="file"' in html and 'name="document-passport"' in html
    assert 'enctype="multipart/form-data"' in html
    assert form_key(first) != form_key(second)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(APPLY)
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


def test_unknown_and_informational_services_have_no_apply_page(client, jasur):
    login(client, jasur)
    assert client.get("/services/no-such-service/apply/").status_code == 404
    refused = client.get("/services/test-informational/apply/")
    assert refused.status_code == 404
    assert "not provided online" in refused.content.decode()


def test_submitting_leads_to_the_number_and_tracking_code(client, jasur):
    login(client, jasur)
    response = apply(client)
    assert response.status_code == 303
    number = NUMBER.search(response["Location"])[0]
    confirmation = client.get(response["Location"])
    info = api.application_by_number(number, jasur.account_id)
    assert info.channel == "online" and list(info.documents) == ["passport"]
    assert info.tracking_code in confirmation.content.decode()
    assert api.drafts(jasur.account_id) == []  # the draft became the application


def test_the_same_form_posted_twice_makes_one_application(client, jasur):
    login(client, jasur)
    key = uuid.uuid4().hex
    first = apply(client, key=key)
    draft = re.search(r"draft=([0-9a-f-]+)", first["Location"] or "")
    assert draft is None  # a submitted form leaves no draft behind
    again = client.post(
        APPLY, {"purpose": "work", "copies": "1", "party": "self", "intent": "submit", "idempotency_key": key}
    )
    assert again.status_code == 303 and again["Location"] == first["Location"]
    assert api.my_applications(jasur.account_id).total == 1


def test_a_retried_submit_of_a_saved_draft_returns_the_same_application(client, jasur):
    login(client, jasur)
    saved = apply(client, intent="save")
    draft_id = re.search(r"draft=([0-9a-f-]+)", saved["Location"])[1]
    key = uuid.uuid4().hex
    posted = {
        "purpose": "work",
        "copies": "1",
        "party": "self",
        "intent": "submit",
        "idempotency_key": key,
        "draft": draft_id,
    }
    first = client.post(APPLY, posted)
    cache.clear()  # without the page's memory of the key, the application's own key still holds
    second = client.post(APPLY, posted)  # and the draft is gone by now
    assert first.status_code == second.status_code == 303
    assert first["Location"] == second["Location"]
    assert api.my_applications(jasur.account_id).total == 1


def test_wrong_answers_are_listed_in_the_error_summary_and_the_draft_keeps_the_rest(client, jasur):
    login(client, jasur)
    response = apply(client, copies="twelve")
    assert response.status_code == 422
    assert 'href="#id_copies"' in summary(response)
    assert 'aria-invalid="true"' in response.content.decode()
    drafts = api.drafts(jasur.account_id)
    assert len(drafts) == 1 and drafts[0].data.get("purpose") == "work"
    assert list(drafts[0].documents) == ["passport"]  # the file is kept for the next try
    assert api.my_applications(jasur.account_id).total == 0


def test_a_missing_required_document_is_named_in_the_summary(client, jasur):
    login(client, jasur)
    response = apply(client, files={})
    assert response.status_code == 422
    assert "Attach this document." in summary(response)
    assert api.my_applications(jasur.account_id).total == 0


def test_a_file_that_is_not_what_it_claims_is_refused_with_the_documents_reason(client, jasur):
    login(client, jasur)
    fake = SimpleUploadedFile("passport.png", b"%!PS-Adobe not an image at all", content_type="image/png")
    response = apply(client, files={"document-passport": fake})
    assert response.status_code == 422
    assert "not accepted" in summary(response) or "damaged" in summary(response)
    assert api.drafts(jasur.account_id)[0].documents == {}


def test_a_file_over_the_documents_size_limit_is_dropped_unread(client, jasur):
    login(client, jasur)
    big = SimpleUploadedFile("passport.png", b"\x89PNG" + b"0" * (1024 * 1024 + 10), content_type="image/png")
    response = apply(client, files={"document-passport": big})
    assert response.status_code == 422
    assert "larger than the limit of 1 MB" in summary(response)


def test_a_forged_party_or_key_is_a_bad_request(client, jasur):
    login(client, jasur)
    assert apply(client, party="entity:207123451").status_code == 400
    assert apply(client, key="bad key!").status_code == 400
    assert api.my_applications(jasur.account_id).total == 0


def test_saving_a_draft_is_resumed_later_and_listed_in_the_cabinet(client, jasur):
    login(client, jasur)
    saved = apply(client, intent="save", copies="", note="for my employer")
    assert saved.status_code == 303  # an empty answer is fine while drafting
    resumed = client.get(saved["Location"])
    html = resumed.content.decode()
    assert "for my employer" in html and "passport.png" in html and "draft is saved" in html
    cabinet = client.get("/cabinet/applications/").content.decode()
    assert "Drafts" in cabinet and "test-permit" in cabinet


def test_the_page_script_saves_typed_answers_into_one_draft(client, jasur):
    login(client, jasur)
    key = uuid.uuid4().hex
    first = client.post(
        APPLY,
        {"purpose": "study", "copies": "3", "party": "self", "intent": "autosave", "idempotency_key": key},
    )
    assert first.status_code == 200 and "Draft saved at" in first.json()["message"]
    draft = first.json()["draft"]
    assert api.draft(draft, jasur.account_id).data["copies"] == 3  # typed as the form defines it
    again = client.post(
        APPLY,
        {
            "purpose": "work",
            "copies": "x",
            "party": "self",
            "intent": "autosave",
            "idempotency_key": key,
            "draft": draft,
        },
    )
    assert again.json()["draft"] == draft
    [saved] = api.drafts(jasur.account_id)
    assert saved.data["purpose"] == "work" and "copies" not in saved.data  # only answers that pass are kept


def test_someone_elses_draft_is_not_found(client, jasur, sherzod):
    login(client, jasur)
    saved = apply(client, intent="save")
    client.force_login(sherzod.account)
    assert client.get(saved["Location"]).status_code == 404


def test_a_parent_chooses_for_whom_to_apply(client, jasur, relations):
    kid = child(jasur)
    relations.children[jasur.person_id] = [kid]
    login(client, jasur)
    choose = client.get(APPLY)
    assert choose.status_code == 200 and f'value="child:{kid.id}"' in choose.content.decode()
    assert client.get(APPLY + "?for=child:someone-else").status_code == 422
    form = client.get(APPLY + f"?for=child:{kid.id}")
    assert f'name="party" value="child:{kid.id}"' in form.content.decode()
    response = apply(client, party=f"child:{kid.id}")
    assert response.status_code == 303
    info = api.application_by_number(NUMBER.search(response["Location"])[0], jasur.account_id)
    assert (info.party_kind, info.subject_person_id) == ("child", kid.id)


# --- Cabinet -------------------------------------------------------------------------------------------


def test_the_cabinet_lists_applications_newest_first_in_constant_queries(
    client, jasur, django_assert_max_num_queries
):
    login(client, jasur)
    older, newer = submit(jasur).application, submit(jasur).application
    html = client.get("/cabinet/applications/").content.decode()
    assert html.index(newer.number) < html.index(older.number)
    # Session, account and its last-seen mark; the person, their entities and children; the
    # rows and their workflow versions; the drafts; the header's person and officer check.
    with django_assert_max_num_queries(11) as few:
        client.get("/cabinet/applications/")
    for _ in range(6):
        submit(jasur)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/cabinet/applications/")


def test_someone_elses_application_is_not_found(client, jasur, sherzod):
    info = submit(sherzod).application
    login(client, jasur)
    for path in ("", "withdraw/", "amend/"):
        assert client.get(f"/cabinet/applications/{info.number}/{path}").status_code == 404
    assert client.post(f"/cabinet/applications/{info.number}/rate/", {"stars": "5"}).status_code == 404


def test_withdrawing_asks_first_and_a_stale_page_gets_409(client, jasur):
    info = submit(jasur).application
    login(client, jasur)
    url = f"/cabinet/applications/{info.number}/withdraw/"
    assert "cannot be undone" in client.get(url).content.decode()
    assert client.post(url, {"version": info.version}).status_code == 303
    assert api.application_by_number(info.number, jasur.account_id).state == "withdrawn"
    stale = client.post(url, {"version": info.version})
    assert stale.status_code == 409
    assert "not possible" in stale.content.decode()


def test_the_applicant_amends_after_a_request_for_information(client, jasur, receiver, approver):
    info = submit(jasur).application
    info = act(receiver, info, "accept")
    act(approver, info, "request_info", comment="Attach a clearer scan of the passport.")
    login(client, jasur)
    detail = client.get(f"/cabinet/applications/{info.number}/").content.decode()
    assert "Attach a clearer scan of the passport." in detail
    assert f"/cabinet/applications/{info.number}/amend/" in detail
    page = client.get(f"/cabinet/applications/{info.number}/amend/")
    version = re.search(r'name="version" value="(\d+)"', page.content.decode())[1]
    wrong = client.post(
        f"/cabinet/applications/{info.number}/amend/", {"purpose": "work", "copies": "0", "version": version}
    )
    assert wrong.status_code == 422 and 'href="#id_copies"' in summary(wrong)
    done = client.post(
        f"/cabinet/applications/{info.number}/amend/",
        {
            "purpose": "study",
            "copies": "2",
            "version": version,
            "comment": "New scan attached",
            "document-passport": png("better.png"),
        },
    )
    assert done.status_code == 303
    amended = api.application_by_number(info.number, jasur.account_id)
    assert amended.state == "resubmitted" and amended.data["purpose"] == "study"
    assert len(amended.documents["passport"]) == 2
    again = client.post(
        f"/cabinet/applications/{info.number}/amend/", {"purpose": "study", "copies": "2", "version": version}
    )
    assert again.status_code == 409


def test_rating_comes_after_completion_once(client, jasur, receiver, approver):
    info = submit(jasur).application
    login(client, jasur)
    url = f"/cabinet/applications/{info.number}/rate/"
    assert client.post(url, {"stars": "5"}).status_code == 409
    info = act(receiver, info, "accept")
    info = act(approver, info, "start_review")
    act(approver, info, "approve", comment="Your permit is ready.")
    detail = client.get(f"/cabinet/applications/{info.number}/").content.decode()
    assert "Approved" in detail and "Your permit is ready." in detail and 'name="stars"' in detail
    bad = client.post(url, {"stars": "9"})
    assert bad.status_code == 422 and "error-summary" in bad.content.decode()
    assert client.post(url, {"stars": "4", "comment": "Quick"}).status_code == 303
    assert api.rating(api.application_by_number(info.number, jasur.account_id)) == (4, "Quick")
    assert client.post(url, {"stars": "5"}).status_code == 409
    assert (
        "You rated the service: 4 of 5."
        in client.get(f"/cabinet/applications/{info.number}/").content.decode()
    )


# --- Public status ------------------------------------------------------------------------------------------


def test_status_by_number_and_tracking_code_without_signing_in(client, jasur):
    info = submit(jasur).application
    found = client.get("/status/", {"number": info.number, "code": info.tracking_code.lower()})
    assert found.status_code == 200
    html = found.content.decode()
    assert info.number in html and "Submitted" in html
    assert "Karimov" not in html  # no personal data


def test_a_wrong_pair_gets_the_same_answer_whichever_half_is_wrong(client, jasur):
    info = submit(jasur).application
    wrong_code = client.get("/status/", {"number": info.number, "code": "ZZZZZZZZZZ"})
    wrong_number = client.get("/status/", {"number": "26-1726-999999", "code": info.tracking_code})
    assert wrong_code.status_code == wrong_number.status_code == 404
    message = "No application matches this number and tracking code."
    assert message in wrong_code.content.decode() and message in wrong_number.content.decode()
    empty = client.get("/status/", {"number": "", "code": ""})
    assert empty.status_code == 422 and "error-summary" in empty.content.decode()


def test_status_look_ups_are_rate_limited(client):
    for _ in range(20):
        assert client.get("/status/", {"number": "26-1726-000001", "code": "ABCDEFGHJK"}).status_code == 404
    limited = client.get("/status/", {"number": "26-1726-000001", "code": "ABCDEFGHJK"})
    assert limited.status_code == 429
    assert "Too many look-ups" in limited.content.decode()
