import re
import threading
import uuid
from datetime import date

import pytest
import time_machine
from django.db import connection
from django.utils import timezone, translation

from darcha.modules.applications import api
from darcha.modules.applications.tests.conftest import (
    CHILONZOR,
    DATA_OK,
    demo,
    png_upload,
    submit,
    upload,
)
from darcha.modules.identity import api as identity
from darcha.platform.events.models import OutboxEvent

pytestmark = pytest.mark.django_db

NUMBER = re.compile(r"(\d{2})-(\d{4})-(\d{6})")
CROCKFORD = set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")


@time_machine.travel(date(2026, 3, 2), tick=False)  # a Monday
def test_submission_makes_one_complete_application(jasur):
    result = submit(jasur)
    info = result.application
    assert result.created
    year, region, sequence = NUMBER.fullmatch(info.number).groups()
    assert (year, region) == ("26", "1726")
    assert int(sequence) >= 1
    assert len(info.tracking_code) == 10 and set(info.tracking_code) <= CROCKFORD
    assert (info.state, info.agency_code, info.area_code) == ("submitted", "maktabgacha", CHILONZOR)
    assert (info.channel, info.party_kind, info.applicant_account_id) == ("online", "self", jasur.account_id)
    assert (info.service_version, info.form_name, info.workflow_name) == (1, "test-permit", "standard-review")
    assert info.data == DATA_OK and list(info.documents) == ["passport"]
    # 10 working days from Monday 2 March 2026: 8 March (Sunday) is Women's Day, moved to Monday 9.
    assert info.deadline == date(2026, 3, 17)
    assert info.state_due == date(2026, 3, 3)
    assert [t.action for t in api.timeline(info)] == ["submit"]
    assert OutboxEvent.objects.filter(type="applications.submitted", payload__number=info.number).count() == 1


def test_a_submission_makes_nine_statements_and_takes_its_number_late(
    jasur, settings, django_assert_num_queries
):
    settings.CATALOG_REVISION_TTL = 3600  # the service's setup stays in memory for the whole test
    submit(jasur)  # the first one reads the service, form, workflow and calendar overrides
    docs = {"passport": [upload(jasur)]}
    # 9 statements (the key, the person, the documents and their bytes' records, the counter and
    # four inserts), the test's SAVEPOINT and RELEASE, and the two reads of the reference data,
    # which serves from memory except inside the transaction that loaded it (this test's).
    with django_assert_num_queries(13) as captured:
        submit(jasur, docs=docs)
    sql = [q["sql"] for q in captured.captured_queries]
    counter = next(i for i, q in enumerate(sql) if q.startswith('INSERT INTO "applications_numbercounter"'))
    # The region's counter row stays locked from its upsert to commit: only the rows that
    # carry the number are written after it, no read waits under the lock.
    assert [q.split("(")[0].strip().replace('"', "") for q in sql[counter:-1]] == [
        "INSERT INTO applications_numbercounter",
        "INSERT INTO applications_application",
        "INSERT INTO applications_timelineentry",
        "INSERT INTO events_outboxevent",
        "INSERT INTO events_delivery",
    ]
    assert sql[-1].startswith("RELEASE SAVEPOINT")


def test_numbers_run_per_year_and_region(jasur, sherzod):
    first, second = submit(jasur).application, submit(jasur).application
    elsewhere = submit(sherzod).application
    assert int(second.number[-6:]) == int(first.number[-6:]) + 1
    assert elsewhere.number[3:7] == "1718"
    assert len({first.tracking_code, second.tracking_code, elsewhere.tracking_code}) == 3


def test_repeating_the_key_returns_the_same_application(jasur):
    docs = {"passport": [upload(jasur)]}
    first = submit(jasur, key="retry-key-0001", docs=docs)
    again = submit(jasur, key="retry-key-0001", docs=docs)
    assert first.created and not again.created
    assert again.application.id == first.application.id
    assert (
        OutboxEvent.objects.filter(
            type="applications.submitted", payload__application_id=first.application.id
        ).count()
        == 1
    )


def test_the_same_key_for_a_different_request_is_refused(jasur):
    docs = {"passport": [upload(jasur)]}
    submit(jasur, key="retry-key-0002", docs=docs)
    with translation.override("en"), pytest.raises(api.Invalid) as refused:
        submit(jasur, key="retry-key-0002", docs=docs, data={"purpose": "study", "copies": 2})
    assert refused.value.message == "This idempotency key was already used for a different application."


def test_keys_belong_to_their_account(jasur, sherzod):
    mine = submit(jasur, key="shared-key-0001").application
    theirs = submit(sherzod, key="shared-key-0001").application
    assert mine.id != theirs.id


@pytest.mark.parametrize("key", ["", "short", "has space in it", "x" * 65, "bad/slash-key"])
def test_malformed_keys_are_refused(jasur, key):
    with pytest.raises(api.Invalid):
        submit(jasur, key=key) if key else api.submit(
            account_id=jasur.account_id, idempotency_key="", service_code="test-permit"
        )


def test_invalid_data_is_refused_with_field_errors_and_nothing_written(jasur):
    with pytest.raises(api.Invalid) as refused:
        submit(jasur, data={"purpose": "holiday", "copies": 0})
    assert set(refused.value.errors) == {"purpose", "copies"}
    assert not api.my_applications(jasur.account_id).items


def test_a_required_document_must_be_attached(jasur):
    with pytest.raises(api.Invalid) as refused:
        submit(jasur, docs={})
    assert list(refused.value.errors) == ["documents.passport"]


def test_a_conditional_document_is_required_when_it_applies(jasur):
    with pytest.raises(api.Invalid) as refused:
        submit(jasur, data={"purpose": "work", "copies": 1, "urgent": True})
    assert list(refused.value.errors) == ["documents.family-composition-certificate"]


def test_documents_must_be_the_submitters_own(jasur, sherzod):
    with pytest.raises(api.Invalid) as refused:
        submit(jasur, docs={"passport": [upload(sherzod)]})
    assert "documents.passport" in refused.value.errors
    with pytest.raises(api.Invalid) as unknown:
        submit(jasur, docs={"passport": [str(uuid.uuid4())]})
    assert "documents.passport" in unknown.value.errors


def test_a_document_the_form_does_not_ask_for_is_refused(jasur):
    with pytest.raises(api.Invalid) as refused:
        submit(jasur, docs={"passport": [upload(jasur)], "diploma": [upload(jasur)]})
    assert list(refused.value.errors) == ["documents.diploma"]


def test_a_file_of_a_type_the_slot_refuses_is_refused(jasur):
    data = {"purpose": "work", "copies": 1, "urgent": True}
    docs = {
        "passport": [upload(jasur)],
        "family-composition-certificate": [upload(jasur)],
    }  # a PNG, not a PDF
    with pytest.raises(api.Invalid) as refused:
        submit(jasur, data=data, docs=docs)
    assert list(refused.value.errors) == ["documents.family-composition-certificate"]


def test_unknown_service_is_not_found_and_one_without_workflow_is_refused(jasur):
    with pytest.raises(api.NotFound):
        submit(jasur, service="no-such-service")
    with pytest.raises(api.Invalid):
        submit(jasur, service="test-informational")
    with pytest.raises(api.Invalid):
        api.service_form("test-informational")
    assert api.service_form("test-permit").name == "test-permit"


def test_a_channel_the_service_does_not_offer_is_refused(jasur):
    with pytest.raises(api.Invalid):
        submit(jasur, service="test-appointment", channel="mobile")


def test_applying_for_an_entity_one_represents(jasur):
    info = submit(jasur, party_kind="entity", party_ref="207123451").application  # Chilonzor Non MChJ
    assert (info.party_kind, info.party_ref, info.area_code) == ("entity", "207123451", CHILONZOR)
    with pytest.raises(api.Forbidden):
        submit(jasur, party_kind="entity", party_ref="203456781")  # Samarqand Tekstil: not his


def test_applying_for_ones_child(jasur, sherzod):
    daughter = identity.children_of(jasur.person_id)[0]
    info = submit(jasur, party_kind="child", party_ref=daughter.id).application
    assert (info.subject_person_id, info.area_code) == (daughter.id, daughter.address_area)
    assert info.applicant_account_id == jasur.account_id
    someone_elses = identity.children_of(sherzod.person_id)[0]
    for stranger in (someone_elses.id, str(uuid.uuid4())):
        with pytest.raises(api.Forbidden):
            submit(jasur, party_kind="child", party_ref=stranger)


def test_a_service_centre_operator_applies_for_a_visitor(operator, sherzod):
    info = submit(
        operator,
        party_kind="visitor",
        party_ref=sherzod.person_id,
        channel="centre",
        centre_code="dxm-chilonzor",
    ).application
    assert (info.channel, info.centre_code, info.operator_id) == (
        "centre",
        "dxm-chilonzor",
        operator.account_id,
    )
    assert info.applicant_account_id == sherzod.account_id
    assert info.area_code == sherzod.area  # routed to the visitor's district, not the centre's
    assert api.application_for_applicant(info.id, sherzod.account_id) is not None


def test_only_operators_of_the_centre_apply_for_visitors(jasur, sherzod, operator):
    with pytest.raises(api.Forbidden):
        submit(
            jasur,
            party_kind="visitor",
            party_ref=sherzod.person_id,
            channel="centre",
            centre_code="dxm-chilonzor",
        )
    with pytest.raises(api.Forbidden):
        submit(
            operator,
            party_kind="visitor",
            party_ref=sherzod.person_id,
            channel="centre",
            centre_code="dxm-andijon",
        )
    with pytest.raises(api.Invalid):
        submit(jasur, party_kind="visitor", party_ref=sherzod.person_id)  # online, on someone's behalf


def test_drafts_resume_anywhere_and_submit_once(jasur):
    draft = api.draft_save(account_id=jasur.account_id, service_code="test-permit", data={"purpose": "work"})
    api.draft_save(account_id=jasur.account_id, draft_id=draft.id, data={"purpose": "work", "copies": 2})
    stored = api.draft_upload(
        draft_id=draft.id, account_id=jasur.account_id, code="passport", upload=png_upload()
    )
    resumed = api.draft(draft.id, jasur.account_id)
    assert resumed.data == {"purpose": "work", "copies": 2}
    assert resumed.documents == {"passport": [stored.id]}
    result = api.submit(account_id=jasur.account_id, idempotency_key="from-draft-01", draft_id=draft.id)
    assert result.application.data == {"purpose": "work", "copies": 2}
    assert api.draft(draft.id, jasur.account_id) is None
    retry = api.submit(account_id=jasur.account_id, idempotency_key="from-draft-01", draft_id=draft.id)
    assert retry.application.id == result.application.id and not retry.created


def test_drafts_are_private(jasur, sherzod):
    draft = api.draft_save(account_id=jasur.account_id, service_code="test-permit", data={})
    assert api.draft(draft.id, sherzod.account_id) is None
    with pytest.raises(api.NotFound):
        api.draft_save(account_id=sherzod.account_id, draft_id=draft.id, data={"purpose": "work"})
    with pytest.raises(api.NotFound):
        api.draft_upload(
            draft_id=draft.id, account_id=sherzod.account_id, code="passport", upload=png_upload()
        )


def test_draft_uploads_are_checked(jasur):
    draft = api.draft_save(account_id=jasur.account_id, service_code="test-permit", data={})
    with pytest.raises(api.Invalid):
        api.draft_upload(draft_id=draft.id, account_id=jasur.account_id, code="diploma", upload=png_upload())
    fake = png_upload("passport.png")
    fake.write(b"not an image at all")
    fake.seek(0)
    fake.truncate(19)
    with pytest.raises(api.Invalid) as refused:
        api.draft_upload(draft_id=draft.id, account_id=jasur.account_id, code="passport", upload=fake)
    assert refused.value.errors["file"]
    assert api.draft(draft.id, jasur.account_id).documents == {}


def test_draft_data_must_be_an_object(jasur):
    with pytest.raises(api.Invalid):
        api.draft_save(account_id=jasur.account_id, service_code="test-permit", data=["a", "list"])


def test_an_automated_service_decides_at_once_by_its_rules(jasur):
    approved = submit(jasur, service="test-automatic").application
    assert (approved.state, approved.decision.code) == ("approved", "approved")
    assert approved.deadline == timezone.localdate()  # overall_term_days: 0
    rejected = submit(jasur, service="test-automatic", data={"purpose": "other", "copies": 1}).application
    assert (rejected.state, rejected.decision.code, rejected.decision.reason_code) == (
        "rejected",
        "rejected",
        "rules_not_met",
    )
    assert [t.action for t in api.timeline(rejected)] == ["submit", "auto_reject"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_make_one_application(committed_data):
    applicant = demo("Karimov Jasur")
    docs = {"passport": [upload(applicant)]}
    results, errors = [], []

    def send():
        try:
            results.append(submit(applicant, key="concurrent-key-1", docs=docs))
        except Exception as exc:  # the assertion below shows it
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len({r.application.id for r in results}) == 1
    assert sum(r.created for r in results) == 1
    assert api.my_applications(applicant.account_id).total == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_distinct_numbers(committed_data):
    applicant = demo("Karimov Jasur")
    numbers, errors = [], []

    def send():
        try:
            numbers.append(submit(applicant).application.number)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(numbers)) == 8
    assert sorted(int(n[-6:]) for n in numbers) == list(range(1, 9))
