"""Every change to applications: workflows loaded as versions, drafts, submission, workflow
actions, ratings and escalation. Refusals raise the errors in ``errors.py``."""

import hashlib
import json
import re
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from darcha.modules.applications import events as app_events
from darcha.modules.applications import rules, selectors
from darcha.modules.applications.definitions import WorkflowsInvalid, read_all
from darcha.modules.applications.errors import Conflict, Forbidden, Invalid, NotFound
from darcha.modules.applications.models import (
    Application,
    Channel,
    Draft,
    HandledEvent,
    InternalComment,
    NumberCounter,
    PartyKind,
    Rating,
    TimelineEntry,
    Workflow,
    WorkflowVersion,
)
from darcha.modules.applications.records import (
    APPLICANT,
    SYSTEM,
    ActionDef,
    BulkResult,
    LoadReport,
    StateDef,
    SubmitResult,
    WorkflowDef,
)
from darcha.modules.catalog import api as catalog
from darcha.modules.documents import api as documents
from darcha.modules.forms import api as forms
from darcha.modules.identity import api as identity
from darcha.modules.notifications import api as notifications
from darcha.modules.reference import api as reference
from darcha.platform import db, events
from darcha.platform.calendar.api import add_working_days, working_days_between
from darcha.platform.http import request_arrival
from darcha.platform.text import localized

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")
MAX_DATA_BYTES = 64 * 1024
MAX_FILES_PER_DOCUMENT = 10
MAX_COMMENT = 2000
MAX_BULK = 100
# Actions the module takes by name: the applicant's two, bulk assignment, and the timeline
# entries of submission and escalation, which are not workflow actions.
WITHDRAW, RESUBMIT, ASSIGN, ESCALATE, SUBMIT = "withdraw", "resubmit", "assign", "escalate", "submit"
# The workflow roles an agency's own information system acts with through the API.
AGENCY_SYSTEM_ROLES = ("receiver", "reviewer", "approver")
# catalog channel name → application channels it allows
CATALOG_CHANNELS = {"online": Channel.ONLINE, "service-centre": Channel.CENTRE, "mobile": Channel.MOBILE}


# --- Workflow definitions -------------------------------------------------------------------------


def content_hash(definition: dict[str, Any]) -> str:
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@transaction.atomic
def workflows_load(*, path: Path | None = None, strict: bool = True) -> LoadReport:
    """Load every definition; a changed one becomes a new version. Idempotent."""
    definitions, problems = read_all(path)
    if strict and problems:
        raise WorkflowsInvalid(problems)
    existing = {w.name: w for w in Workflow.objects.select_related("current_version")}
    created, updated, unchanged = [], [], 0
    for definition in definitions:
        workflow = existing.get(definition.name) or Workflow.objects.create(name=definition.name)
        current = workflow.current_version
        digest = content_hash(definition.data)
        if current is not None and current.content_hash == digest:
            if workflow.is_active:
                unchanged += 1
            else:
                updated.append(workflow.name)
                Workflow.objects.filter(pk=workflow.pk).update(is_active=True)
            continue
        version = WorkflowVersion.objects.create(
            workflow=workflow,
            number=current.number + 1 if current else 1,
            content_hash=digest,
            definition=definition.data,
            source_file=definition.file,
        )
        Workflow.objects.filter(pk=workflow.pk).update(current_version=version, is_active=True)
        (updated if current else created).append(workflow.name)
    kept = {d.name for d in definitions} | {Path(p.file).stem for p in problems}
    withdrawn = sorted(name for name, w in existing.items() if w.is_active and name not in kept)
    Workflow.objects.filter(name__in=withdrawn).update(is_active=False)
    _setups.clear()  # this process submits with the new versions at once
    selectors.forget_workflow_versions()
    return LoadReport(
        created=tuple(created),
        updated=tuple(updated),
        unchanged=unchanged,
        withdrawn=tuple(withdrawn),
        problems=tuple(str(p) for p in problems),
    )


# --- Who acts -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    kind: str  # TimelineEntry.ActorKind
    account_id: str | None
    label: str
    roles: frozenset[str]


def _for_applicant(
    application_id, account_id, *, centre_code: str = "", visitor_id: str = ""
) -> tuple[Application, Actor]:
    """The application as its applicant (or the centre operator who filed it) acts on it; with
    ``centre_code``, as an operator of that centre acts on it for the visitor ``visitor_id``."""
    if centre_code:
        return _for_centre_operator(
            application_id, account_id, centre_code=centre_code, visitor_id=visitor_id
        )
    row = selectors.application_get(application_id)
    if row is None:
        raise NotFound(_("There is no such application."))
    if selectors.applicant_can_see(row, account_id):
        actor = Actor("applicant", str(account_id), "", frozenset({APPLICANT}))
    elif row.operator_id and str(row.operator_id) == str(account_id):
        actor = Actor("officer", str(account_id), "", frozenset({"service_centre_operator"}))
    else:
        raise NotFound(_("There is no such application."))
    return row, actor


def _for_centre_operator(
    application_id, account_id, *, centre_code: str, visitor_id: str
) -> tuple[Application, Actor]:
    """The application as an operator of the centre acts on it for the visitor, who has just
    consented at the desk: 404 unless it is the visitor's own and filed at this centre or within
    the operator's area. The timeline keeps the operator and, as the actor's label, the centre."""
    visible = selectors.centre_visitor_applications(
        identity.officer_for(account_id), centre_code=centre_code, person_id=visitor_id
    )
    try:
        row = visible.filter(id=application_id).first()
    except (ValueError, TypeError, ValidationError):
        row = None  # not a UUID: there is no such application
    if row is None:
        raise NotFound(_("There is no such application."))
    return row, Actor("officer", str(account_id), centre_code, frozenset({"service_centre_operator"}))


def _for_officer(
    application_id, appointments: Sequence[identity.OfficerInfo], *, account_id, system_label: str = ""
) -> tuple[Application, Actor]:
    """The application as an officer (or an agency system) sees it: 404 outside their scope."""
    row = selectors.application_get(application_id)
    roles = selectors.officer_roles(row, appointments) if row else set()
    if not roles:
        raise NotFound(_("There is no such application."))
    kind = "agency_system" if system_label else "officer"
    return row, Actor(kind, str(account_id) if account_id else None, system_label, frozenset(roles))


def agency_system_appointments(agency_code: str) -> list[identity.OfficerInfo]:
    """What an agency's information system may do: its agency's work, country-wide."""
    return [
        identity.OfficerInfo(
            appointment_id=f"system:{agency_code}",
            agency_code=agency_code,
            scope_code=selectors.COUNTRY,
            roles=AGENCY_SYSTEM_ROLES,
        )
    ]


# --- Drafts ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    """What a service needs for an online application: its version, form and workflow."""

    service: catalog.ServiceInfo
    form: forms.FormInfo
    workflow: WorkflowDef


# Submissions and drafts take a service's setup from memory. An entry serves while the catalog
# revision it was read under holds (a catalog load shows within CATALOG_REVISION_TTL, 1 s), and
# for APPLICATIONS_SETUP_TTL seconds at most: loading forms or workflows does not change the
# catalog revision, so other processes see such a load that much later (the loading process at
# once). Reading a setup costs about 5 ms of CPU; once a second it was a tenth of a busy
# process's time.
_setups: dict[tuple[str, str], tuple[float, Setup]] = {}


def service_setup(service_code: str) -> Setup:
    key = (catalog.catalog_revision(), service_code)
    cached = _setups.get(key)
    if cached is None or time.monotonic() - cached[0] >= settings.APPLICATIONS_SETUP_TTL:
        cached = (time.monotonic(), _setup_read(service_code))
        if len(_setups) > 256:  # old revisions and codes no longer asked for
            _setups.clear()
        _setups[key] = cached
    return cached[1]


def _setup_read(service_code: str) -> Setup:
    service = catalog.service(service_code) if service_code else None
    if service is None:
        raise NotFound(_("There is no such service."))
    form_name, workflow_name = service.refs.get("form"), service.refs.get("workflow")
    form = forms.form(form_name) if form_name else None
    workflow = selectors.current_workflow(workflow_name) if workflow_name else None
    if form is None or workflow is None:
        raise Invalid(_("This service does not accept applications through Darcha yet."))
    return Setup(service, form, workflow)


def _check_draft_data(data: Any) -> dict:
    if not isinstance(data, dict):
        raise Invalid(_("Send the form data as a JSON object."))
    if len(json.dumps(data, ensure_ascii=False).encode()) > MAX_DATA_BYTES:
        raise Invalid(_("The form data is too large."))
    return data


def _check_party_kind(party_kind: str) -> None:
    if party_kind not in PartyKind.values:
        raise Invalid(
            _("Choose for whom you apply."), errors={"party_kind": [_("Choose one of the options.")]}
        )


@transaction.atomic
def draft_save(
    *,
    account_id,
    service_code: str = "",
    data: Any,
    draft_id=None,
    party_kind: str = "self",
    party_ref: str = "",
) -> Draft:
    """Create a draft, or replace a draft's answers with ``data`` (partial answers are fine)."""
    data = _check_draft_data(data)
    _check_party_kind(party_kind)
    now = timezone.now()
    if draft_id:
        draft = _own_draft(draft_id, account_id, lock=True)
        draft.data, draft.party_kind, draft.party_ref, draft.updated_at = data, party_kind, party_ref, now
        draft.save(update_fields=["data", "party_kind", "party_ref", "updated_at"])
        return draft
    service_setup(service_code)
    return Draft.objects.create(
        account_id=account_id,
        service_code=service_code,
        data=data,
        party_kind=party_kind,
        party_ref=party_ref,
        created_at=now,
        updated_at=now,
    )


def _own_draft(draft_id, account_id, *, lock: bool = False) -> Draft:
    queryset = Draft.objects.select_for_update() if lock else Draft.objects
    try:
        draft = queryset.filter(id=draft_id, account_id=account_id).first()
    except (ValueError, TypeError, ValidationError):
        draft = None
    if draft is None:
        raise NotFound(_("There is no such draft."))
    return draft


def draft_document_slot(*, draft_id, account_id, code: str) -> forms.DocumentSlot:
    """The declared upload a file for ``code`` goes into; checked before the file is read."""
    draft = _own_draft(draft_id, account_id)
    slot = next((d for d in service_setup(draft.service_code).form.documents if d.code == code), None)
    if slot is None:
        raise Invalid(
            _("This service does not ask for this document."),
            errors={"code": [_("Choose one of the options.")]},
        )
    if len(draft.documents.get(code, ())) >= MAX_FILES_PER_DOCUMENT:
        raise Invalid(_("You cannot attach more files for this document."))
    return slot


@transaction.atomic
def draft_document_attach(*, draft_id, account_id, code: str, document_id: str) -> Draft:
    draft = _own_draft(draft_id, account_id, lock=True)
    files = draft.documents.setdefault(code, [])
    if len(files) >= MAX_FILES_PER_DOCUMENT:
        raise Invalid(_("You cannot attach more files for this document."))
    files.append(str(document_id))
    draft.updated_at = timezone.now()
    draft.save(update_fields=["documents", "updated_at"])
    return draft


@transaction.atomic
def draft_document_detach(*, draft_id, account_id, document_id: str) -> Draft:
    draft = _own_draft(draft_id, account_id, lock=True)
    draft.documents = {
        code: [d for d in ids if d != str(document_id)] for code, ids in draft.documents.items()
    }
    draft.documents = {code: ids for code, ids in draft.documents.items() if ids}
    draft.updated_at = timezone.now()
    draft.save(update_fields=["documents", "updated_at"])
    return draft


@transaction.atomic
def draft_delete(*, draft_id, account_id) -> None:
    _own_draft(draft_id, account_id).delete()


# --- Submission -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Party:
    applicant_account_id: str | None
    subject_person_id: str
    area_code: str
    operator_id: str | None


def _party(*, account_id, party_kind: str, party_ref: str, channel: str, centre_code: str) -> Party:
    """Who applies for whom, checked: the person may act for the entity, is the child's parent,
    or is an operator of the centre the visitor came to."""
    _check_party_kind(party_kind)
    if channel == Channel.CENTRE:
        if not any(
            a.agency_code == centre_code and "service_centre_operator" in a.roles
            for a in identity.officer_for(account_id)
        ):
            raise Forbidden(_("Only an operator of this service centre may apply on a visitor’s behalf."))
        if party_kind != PartyKind.VISITOR:
            raise Invalid(_("At a service centre, apply on behalf of the visitor."))
        visitor = identity.person(party_ref) if party_ref else None
        if visitor is None:
            raise Invalid(
                _("Find the visitor by their PINFL first."),
                errors={"party_ref": [_("There is no such person.")]},
            )
        return Party(visitor.account_id, visitor.id, visitor.address_area, str(account_id))
    if party_kind == PartyKind.VISITOR:
        raise Invalid(_("Applications on a visitor’s behalf are made at a service centre."))
    person = identity.person_for_account(account_id)
    if person is None:
        raise Forbidden(_("Your account is not linked to a person, so you cannot apply."))
    if party_kind == PartyKind.ENTITY:
        entity = next((e for e in identity.entities_represented(person.id) if e.stir == party_ref), None)
        if entity is None:
            raise Forbidden(_("You do not represent this organisation."))
        return Party(str(account_id), person.id, entity.address_area, None)
    if party_kind == PartyKind.CHILD:
        child = next((c for c in identity.children_of(person.id) if c.id == party_ref), None)
        if child is None:
            raise Forbidden(_("You can apply only for your own minor children."))
        return Party(str(account_id), child.id, child.address_area or person.address_area, None)
    return Party(str(account_id), person.id, person.address_area, None)


def _document_errors(
    form: forms.FormInfo, data: dict, attached: Any, *, owner_id
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(the attachments, cleaned; errors under ``documents.<code>``)."""
    if not isinstance(attached, dict) or not all(
        isinstance(ids, list) and all(isinstance(i, str) for i in ids) for ids in attached.values()
    ):
        return {}, {"documents": [_("List the documents as {code: [document ids]}.")]}
    slots = {slot.code: slot for slot in form.documents_for(data)}
    found = documents.documents_get(i for ids in attached.values() for i in ids[:MAX_FILES_PER_DOCUMENT])
    clean, errors = {}, {}
    for code, ids in attached.items():
        key = f"documents.{code}"
        slot = slots.get(code)
        if slot is None:
            errors[key] = [_("This service does not ask for this document.")]
            continue
        if len(ids) > MAX_FILES_PER_DOCUMENT:
            errors[key] = [_("You cannot attach more files for this document.")]
            continue
        for document_id in ids:
            stored = found.get(document_id)
            if stored is None or stored.owner_id != str(owner_id):
                errors[key] = [_("One of the files was not found. Upload it again.")]
            elif stored.kind not in slot.types:
                errors[key] = [_("This kind of file is not accepted for this document.")]
            elif stored.size > slot.max_bytes:
                errors[key] = [_("One of the files is larger than allowed for this document.")]
        if ids and key not in errors:
            clean[code] = list(ids)
    for slot in slots.values():
        if slot.required and not clean.get(slot.code) and f"documents.{slot.code}" not in errors:
            errors[f"documents.{slot.code}"] = [_("Attach this document.")]
    return clean, errors


def _checked(form: forms.FormInfo, data: Any, documents: Any, *, owner_id, language: str) -> dict:
    """The attachments, cleaned; Invalid with every form and document error at once otherwise."""
    errors = forms.validate_json(form, data, language=language)
    attached, document_errors = _document_errors(
        form, data if isinstance(data, dict) else {}, documents, owner_id=owner_id
    )
    if errors or document_errors:
        raise Invalid(_("Correct the errors in the form."), errors={**errors, **document_errors})
    return attached


def _request_hash(**request: Any) -> str:
    return content_hash({k: v for k, v in request.items() if v not in (None, "")})


def _check_idempotency_key(key: str) -> None:
    if not IDEMPOTENCY_KEY.fullmatch(key or ""):
        raise Invalid(
            _("The idempotency key must be 8 to 64 letters, digits, “-” or “_”."),
            errors={"idempotency_key": [_("Enter a valid idempotency key.")]},
        )


def _replay(row: Application, fingerprint: str) -> SubmitResult:
    if row.request_hash != fingerprint:
        raise Invalid(_("This idempotency key was already used for a different application."))
    return SubmitResult(selectors.info(row), created=False)


def tracking_code_new() -> str:
    return "".join(secrets.choice(CROCKFORD) for _ in range(10))


def number_allocate(*, area_code: str, on: date) -> str:
    """The next public number of the year in the region: one atomic statement, so concurrent
    submissions never share a number. The region's counter row stays locked until commit, so
    take the number as late in the transaction as possible."""
    table = connection.ops.quote_name(NumberCounter._meta.db_table)
    year, region = on.year % 100, area_code[:4]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (year, region, last) VALUES (%s, %s, 1) "  # noqa: S608 — table name from the model
            f"ON CONFLICT (year, region) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [year, region],
        )
        (sequence,) = cursor.fetchone()
    return f"{year:02d}-{region}-{sequence:06d}"


def _state_due(state: StateDef, today: date) -> date | None:
    if state.terminal or not state.clock_runs or state.term_days is None:
        return None
    return add_working_days(today, state.term_days)


def application_submit(
    *,
    account_id,
    idempotency_key: str,
    service_code: str = "",
    data: Any = None,
    documents: Any = None,
    party_kind: str = "self",
    party_ref: str = "",
    channel: str = "online",
    centre_code: str = "",
    draft_id=None,
    language: str | None = None,
) -> SubmitResult:
    """Submit once: the same (account, idempotency key) returns the application it made.

    From a draft (``draft_id``) or from ``data`` and ``documents`` ({code: [document ids]}).
    The data is validated against the service's current form and the documents must be the
    submitter's own uploads. Automated services are decided at once by their rules.
    """
    _check_idempotency_key(idempotency_key)
    fingerprint = _request_hash(
        service=service_code,
        data=data,
        documents=documents,
        party_kind=party_kind,
        party_ref=party_ref,
        channel=channel,
        centre=centre_code,
        draft=str(draft_id) if draft_id else None,
    )
    try:
        with transaction.atomic():
            return _submit(
                account_id=account_id,
                idempotency_key=idempotency_key,
                fingerprint=fingerprint,
                service_code=service_code,
                data=data,
                documents=documents,
                party_kind=party_kind,
                party_ref=party_ref,
                channel=channel,
                centre_code=centre_code,
                draft_id=draft_id,
                language=language or get_language() or settings.LANGUAGE_CODE,
            )
    except IntegrityError:
        # A concurrent retry with the same key committed first (the unique constraint decides);
        # the whole attempt was rolled back, so no savepoint is needed around the insert.
        return _replay(
            Application.objects.get(submitted_by_id=account_id, idempotency_key=idempotency_key), fingerprint
        )


def _submit(
    *,
    account_id,
    idempotency_key: str,
    fingerprint: str,
    service_code: str,
    data: Any,
    documents: Any,
    party_kind: str,
    party_ref: str,
    channel: str,
    centre_code: str,
    draft_id,
    language: str,
) -> SubmitResult:
    existing = db.select(Application, ["id"], submitted_by_id=account_id, idempotency_key=idempotency_key)
    if existing:
        return _replay(Application.objects.get(id=existing[0][0]), fingerprint)
    draft = None
    if draft_id:
        draft = _own_draft(draft_id, account_id, lock=True)
        service_code, data, documents = draft.service_code, draft.data, draft.documents
        party_kind, party_ref = draft.party_kind, draft.party_ref
    if channel not in Channel.values:
        raise Invalid(_("Unknown channel."), errors={"channel": [_("Choose one of the options.")]})
    setup = service_setup(service_code)
    if channel not in {CATALOG_CHANNELS[c] for c in setup.service.channels if c in CATALOG_CHANNELS}:
        raise Invalid(_("This service does not accept applications through this channel."))
    party = _party(
        account_id=account_id,
        party_kind=party_kind,
        party_ref=party_ref,
        channel=channel,
        centre_code=centre_code,
    )
    if not reference.is_district(party.area_code):
        raise Invalid(
            _("The registered address of the applicant is missing, so the application cannot be routed.")
        )
    attached = _checked(setup.form, data, documents or {}, owner_id=account_id, language=language)

    workflow = setup.workflow
    now, today = timezone.now(), timezone.localdate()
    state = workflow.states[workflow.initial]
    term = workflow.overall_term_days if workflow.overall_term_days is not None else setup.service.term_days
    # Everything that does not need the number comes first: the region's counter row stays
    # locked from number_allocate until commit, and submissions of that region wait on it.
    state_due, deadline = _state_due(state, today), add_working_days(today, term)
    if draft is not None:
        draft.delete()
    row = Application(
        number=number_allocate(area_code=party.area_code, on=today),
        tracking_code=tracking_code_new(),
        service_code=setup.service.code,
        service_version=setup.service.version,
        service_title=setup.service.title,
        form_name=setup.form.name,
        form_version=setup.form.version,
        workflow_name=workflow.name,
        workflow_version=workflow.version,
        applicant_account_id=party.applicant_account_id,
        submitted_by_id=account_id,
        party_kind=party_kind,
        party_ref=party_ref,
        subject_person_id=party.subject_person_id,
        channel=channel,
        operator_id=party.operator_id,
        centre_code=centre_code if channel == Channel.CENTRE else "",
        agency_code=setup.service.agency,
        area_code=party.area_code,
        state=state.code,
        state_entered_at=now,
        state_due=state_due,
        submitted_at=now,
        arrived_at=request_arrival(),
        deadline=deadline,
        data=data,
        documents=attached,
        idempotency_key=idempotency_key,
        request_hash=fingerprint,
        updated_at=now,
    )
    db.insert(row)
    db.insert(
        TimelineEntry(
            application=row,
            at=now,
            action=SUBMIT,
            to_state=state.code,
            actor_kind="officer" if party.operator_id else "applicant",
            actor_account_id=account_id,
        )
    )
    events.publish(app_events.SUBMITTED, selectors.event_payload(row, state=row.state, channel=row.channel))
    if workflow.auto_rules is not None:
        _decide_automatically(row, workflow)  # brings ``row`` up to date itself
    return SubmitResult(selectors.info(row, workflow), created=True)


def _decide_automatically(row: Application, workflow: WorkflowDef) -> None:
    auto = workflow.auto_rules
    system = Actor(SYSTEM, None, "", frozenset({SYSTEM}))
    if rules.passes(auto, row.data):
        _act(row, workflow, auto.on_pass, system, expected_version=row.version, fields={})
    else:
        _act(
            row,
            workflow,
            auto.on_fail,
            system,
            expected_version=row.version,
            fields={"reason_code": auto.reject_reason},
        )


# --- Workflow actions -----------------------------------------------------------------------------


def _text(fields: dict, name: str, *, required: bool, limit: int = MAX_COMMENT) -> tuple[str, list[str]]:
    value = fields.get(name)
    value = value.strip() if isinstance(value, str) else ""
    if required and not value:
        return "", [_("This field is required.")]
    if len(value) > limit:
        return "", [_("Use at most %(limit)d characters.") % {"limit": limit}]
    return value, []


def _moment(value: Any) -> datetime | None:
    """A date-time from an ISO string (local time when it has no offset), or None."""
    if isinstance(value, str):
        try:
            value = parse_datetime(value)
        except ValueError:  # well formed but impossible, like 31 February
            return None
    if not isinstance(value, datetime):
        return None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _action_fields(
    row: Application, workflow: WorkflowDef, action: ActionDef, fields: dict
) -> tuple[dict, dict]:
    """(changes the fields make, errors by field) for what the action requires."""
    errors: dict[str, list[str]] = {}
    changes: dict[str, Any] = {"details": {}}
    comment, problems = _text(fields, "comment", required="comment" in action.requires)
    if problems:
        errors["comment"] = problems
    changes["comment"] = comment
    if "reason_code" in action.requires:
        reason = fields.get("reason_code")
        if reason not in workflow.reject_reasons:
            errors["reason_code"] = [_("Choose one of the reasons.")]
        changes["reason_code"] = reason
    if "place" in action.requires:
        place, problems = _text(fields, "place", required=True, limit=200)
        if problems:
            errors["place"] = problems
        changes["details"]["place"] = place
    if "appointment_at" in action.requires:
        when = _moment(fields.get("appointment_at"))
        if when is None:
            errors["appointment_at"] = [_("Enter the date and time of the appointment.")]
        elif when <= timezone.now():
            errors["appointment_at"] = [_("The appointment must be in the future.")]
        else:
            changes["details"]["appointment_at"] = when.isoformat()
    if "target_agency" in action.requires:
        target = fields.get("target_agency")
        if not isinstance(target, str) or reference.agency(target) is None:
            errors["target_agency"] = [_("Choose an agency from the list.")]
        elif target == row.agency_code:
            errors["target_agency"] = [_("The application is already with this agency.")]
        changes["agency_code"] = target
        changes["details"]["from_agency"] = row.agency_code
    if "assignee" in action.requires:
        assignee = fields.get("assignee")
        appointments = identity.officer_for(assignee) if assignee else []
        if not any(
            a.agency_code == row.agency_code and reference.area_within(row.area_code, a.scope_code)
            for a in appointments
        ):
            errors["assignee"] = [_("Choose an officer of this agency who works in the applicant’s area.")]
        changes["assignee_id"] = str(assignee) if assignee else None
    return changes, errors


def _act(
    row: Application,
    workflow: WorkflowDef,
    code: str,
    actor: Actor,
    *,
    expected_version,
    fields: dict,
    extra: dict | None = None,
) -> Application:
    action = workflow.actions.get(code)
    if action is None:
        raise Conflict(_("This action does not exist for this application."))
    if not actor.roles & set(action.roles):
        raise Forbidden(_("Your role does not allow this action."))
    if row.state not in action.from_states:
        state = workflow.states.get(row.state)
        raise Conflict(
            _("This action is not possible while the application is “%(state)s”.")
            % {"state": state.text(get_language()) if state else row.state}
        )
    if expected_version is None or str(expected_version) != str(row.version):
        raise Conflict(
            _("Someone else changed this application after you opened it. Reload it and try again.")
        )
    changes, errors = _action_fields(row, workflow, action, fields)
    if errors:
        raise Invalid(_("Correct the errors and try again."), errors=errors)
    return _transition(row, workflow, action, actor, changes, extra or {})


def _transition(
    row: Application, workflow: WorkflowDef, action: ActionDef, actor: Actor, changes: dict, extra: dict
) -> Application:
    now, today = timezone.now(), timezone.localdate()
    old = workflow.states[row.state]
    new = workflow.states[action.to_state or row.state]
    updates: dict[str, Any] = {"version": row.version + 1, "updated_at": now, **extra}
    for name in ("agency_code", "assignee_id"):
        if name in changes:
            updates[name] = changes[name]
    if new.code != old.code:
        updates.update(
            state=new.code, state_entered_at=now, state_due=_state_due(new, today), terminal=new.terminal
        )
        if old.clock_runs and not new.clock_runs:
            updates["clock_stopped_on"] = today
        elif new.clock_runs and not old.clock_runs and row.clock_stopped_on is not None:
            paused = max(working_days_between(row.clock_stopped_on, today), 0)
            updates.update(
                clock_stopped_on=None,
                paused_days=row.paused_days + paused,
                deadline=add_working_days(row.deadline, paused),
            )
        if new.terminal:
            updates.update(
                decision_code=new.outcome,
                decision_reason=changes.get("reason_code") or "",
                decision_text=changes["comment"],
                decision_details=changes["details"],
                decided_at=now,
            )
    if not Application.objects.filter(id=row.id, version=row.version).update(**updates):
        raise Conflict(_("Someone else acted on this application first. Reload it to see what changed."))
    TimelineEntry.objects.create(
        application_id=row.id,
        at=now,
        action=action.code,
        from_state=old.code,
        to_state=new.code,
        actor_kind=actor.kind,
        actor_account_id=actor.account_id,
        actor_label=actor.label,
        comment=changes["comment"],
        details={
            k: v for k, v in {**changes["details"], "reason_code": changes.get("reason_code")}.items() if v
        },
    )
    row.refresh_from_db()
    events.publish(
        app_events.TRANSITIONED,
        selectors.event_payload(
            row,
            action=action.code,
            from_state=old.code,
            to_state=new.code,
            actor_kind=actor.kind,
            notify_applicant=action.notify_applicant,
            outcome=new.outcome if new.terminal else "",
        ),
    )
    return row


@transaction.atomic
def application_act(
    *,
    application_id,
    action: str,
    actor_account_id,
    expected_version,
    appointments: Sequence[identity.OfficerInfo] | None = None,
    agency_system: str = "",
    **fields: Any,
) -> Application:
    """An officer's (or an agency system's) workflow action.

    404 when the application is outside the actor's agency and area, 403 when their role may
    not take the action, 409 when the state does not allow it or someone acted first, 422 when
    a required field (reason_code, comment, target_agency, assignee, appointment_at, place) is
    missing or wrong. ``appointments`` default to the account's officer appointments.
    """
    if appointments is None:
        appointments = identity.officer_for(actor_account_id) if actor_account_id else []
    row, actor = _for_officer(
        application_id, appointments, account_id=actor_account_id, system_label=agency_system
    )
    workflow = selectors.workflow_version(row.workflow_name, row.workflow_version)
    return _act(row, workflow, action, actor, expected_version=expected_version, fields=fields)


@transaction.atomic
def application_withdraw(
    *,
    application_id,
    account_id,
    expected_version,
    comment: str = "",
    centre_code: str = "",
    visitor_id: str = "",
) -> Application:
    """The applicant withdraws it, or an operator of ``centre_code`` does for the visitor."""
    row, actor = _for_applicant(application_id, account_id, centre_code=centre_code, visitor_id=visitor_id)
    workflow = selectors.workflow_version(row.workflow_name, row.workflow_version)
    return _act(
        row, workflow, WITHDRAW, actor, expected_version=expected_version, fields={"comment": comment}
    )


@transaction.atomic
def application_amend(
    *,
    application_id,
    account_id,
    expected_version,
    data: Any,
    documents: Any = None,
    comment: str = "",
    language: str | None = None,
    centre_code: str = "",
    visitor_id: str = "",
) -> Application:
    """The applicant's answer to a request for more information: corrected data and documents
    (or an operator of ``centre_code`` answering for the visitor)."""
    language = language or get_language() or settings.LANGUAGE_CODE
    row, actor = _for_applicant(application_id, account_id, centre_code=centre_code, visitor_id=visitor_id)
    workflow = selectors.workflow_version(row.workflow_name, row.workflow_version)
    form = forms.form_version(row.form_name, row.form_version)
    if RESUBMIT in workflow.actions and row.state in workflow.actions[RESUBMIT].from_states:
        attached = _checked(
            form,
            data,
            row.documents if documents is None else documents,
            owner_id=row.submitted_by_id,
            language=language,
        )
        extra = {"data": data, "documents": attached}
    else:
        extra = {}  # _act refuses it with the state's name
    return _act(
        row,
        workflow,
        RESUBMIT,
        actor,
        expected_version=expected_version,
        fields={"comment": comment},
        extra=extra,
    )


@transaction.atomic
def applications_assign_bulk(
    *, application_ids: Sequence, assignee_id, actor_account_id, appointments: Sequence[identity.OfficerInfo]
) -> BulkResult:
    """Assign each application it may; one refusal does not stop the others."""
    if len(application_ids) > MAX_BULK:
        raise Invalid(_("Choose at most %(limit)d applications at a time.") % {"limit": MAX_BULK})
    done, refused = [], {}
    for application_id in dict.fromkeys(str(i) for i in application_ids):
        try:
            with transaction.atomic():
                row, actor = _for_officer(application_id, appointments, account_id=actor_account_id)
                workflow = selectors.workflow_version(row.workflow_name, row.workflow_version)
                _act(
                    row,
                    workflow,
                    ASSIGN,
                    actor,
                    expected_version=row.version,
                    fields={"assignee": assignee_id},
                )
            done.append(application_id)
        except (Conflict, Forbidden, Invalid, NotFound) as refusal:
            refused[application_id] = next(iter(refusal.errors.values()), [refusal.message])[0]
    return BulkResult(done=tuple(done), refused=refused)


@transaction.atomic
def comment_add(
    *, application_id, author_account_id, appointments: Sequence[identity.OfficerInfo], text: str
) -> InternalComment:
    row, _actor = _for_officer(application_id, appointments, account_id=author_account_id)
    value, problems = _text({"text": text}, "text", required=True, limit=4000)
    if problems:
        raise Invalid(_("Write the comment."), errors={"text": problems})
    return InternalComment.objects.create(application=row, author_id=author_account_id, text=value)


# --- Ratings --------------------------------------------------------------------------------------


@transaction.atomic
def application_rate(*, application_id, account_id, stars: Any, comment: str = "") -> Rating:
    row, actor = _for_applicant(application_id, account_id)
    if APPLICANT not in actor.roles:
        raise NotFound(_("There is no such application."))
    if not row.terminal or row.decision_code == "withdrawn":
        raise Conflict(_("You can rate the service once your application is completed."))
    if isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5:
        raise Invalid(_("Give from 1 to 5 stars."), errors={"stars": [_("Give from 1 to 5 stars.")]})
    text, problems = _text({"comment": comment}, "comment", required=False)
    if problems:
        raise Invalid(_("The comment is too long."), errors={"comment": problems})
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                application=row,
                service_code=row.service_code,
                agency_code=row.agency_code,
                stars=stars,
                comment=text,
            )
    except IntegrityError:
        raise Conflict(_("You have already rated this application.")) from None
    events.publish(app_events.RATED, selectors.event_payload(row, stars=stars))
    return rating


# --- Deadlines ------------------------------------------------------------------------------------


@transaction.atomic
def application_escalate(*, application_id) -> bool:
    """Mark one overdue application escalated, once; its agency heads are told by the handler."""
    now = timezone.now()
    if not Application.objects.filter(id=application_id, escalated_at__isnull=True).update(escalated_at=now):
        return False
    row = Application.objects.get(id=application_id)
    TimelineEntry.objects.create(
        application=row, at=now, action=ESCALATE, from_state=row.state, to_state=row.state, actor_kind=SYSTEM
    )
    events.publish(
        app_events.ESCALATED, selectors.event_payload(row, state=row.state, deadline=row.deadline.isoformat())
    )
    return True


def overdue_ids(today: date, limit: int = 500) -> list:
    return list(
        Application.objects.filter(terminal=False, escalated_at__isnull=True, clock_stopped_on__isnull=True)
        .filter(Q(deadline__lt=today) | Q(state_due__lt=today))
        .order_by("deadline")
        .values_list("id", flat=True)[:limit]
    )


def escalate_overdue(*, today: date | None = None) -> int:
    """Escalate every overdue application not yet escalated; safe to run from many workers."""
    today = today or timezone.localdate()
    count = 0
    while ids := overdue_ids(today):
        count += sum(application_escalate(application_id=i) for i in ids)
    return count


# --- Event handling -------------------------------------------------------------------------------


def event_claim(*, event_id, handler: str) -> bool:
    """Whether this handler sees the event for the first time (call inside the handler's transaction)."""
    try:
        with transaction.atomic():
            HandledEvent.objects.create(event_id=event_id, handler=handler)
    except IntegrityError:
        return False
    return True


def _page_url(name: str, number: str) -> str:
    # The pages live in this module's urls; an installation without them links to the cabinet.
    try:
        path = reverse(name, args=[number])
    except NoReverseMatch:
        path = "/cabinet/"
    return f"{settings.APPLICATIONS_PUBLIC_URL.rstrip('/')}{path}"


def _notify(account_id, *, template: str, context_for) -> None:
    contact = identity.contact_for(account_id)
    if contact is None or not contact.channels:
        return
    notifications.notify(
        recipient_id=str(account_id),
        template=template,
        context=context_for(contact.language),
        language=contact.language,
        phone=contact.phone if "sms" in contact.channels else "",
        email=contact.email if "email" in contact.channels else "",
        channels=list(contact.channels),
    )


def applicant_notify(*, application_id, state: str, template: str = "applications.status_changed") -> None:
    """Tell the applicant, in their language and on their channels, that the application is in ``state``
    (with ``applications.result_ready``: and that its decision letter is ready)."""
    row = Application.objects.get(id=application_id)
    if row.applicant_account_id is None:
        return  # a visitor without an account follows the status by number and tracking code
    workflow = selectors.workflow_version(row.workflow_name, row.workflow_version)
    label = workflow.states[state].label

    def context(language: str) -> dict:
        return {
            "number": row.number,
            "service": localized(row.service_title, language),
            "status": localized(label, language),
            "url": _page_url("applications:detail", row.number),
        }

    _notify(row.applicant_account_id, template=template, context_for=context)


def heads_notify(*, application_id) -> int:
    """Tell the heads of the application's agency whose area covers it that it is overdue."""
    row = Application.objects.get(id=application_id)
    heads = dict.fromkeys(
        account_id
        for account_id, appointment in identity.officer_accounts(row.agency_code, "head")
        if reference.area_within(row.area_code, appointment.scope_code)
    )

    def context(language: str) -> dict:
        return {
            "number": row.number,
            "service": localized(row.service_title, language),
            "deadline": row.deadline.strftime("%d.%m.%Y"),
            "url": _page_url("applications:office-detail", row.number),
        }

    for account_id in heads:
        _notify(account_id, template="applications.escalated", context_for=context)
    return len(heads)
