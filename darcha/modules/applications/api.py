"""Public surface of the applications module: the only thing other modules import.

Applications from draft to decision: workflows loaded from ``workflows/`` as versions,
drafts, idempotent submission, workflow actions with roles and deadlines in working days,
the officer inbox, the citizen's list, public status by number and tracking code, ratings.

Refusals raise :class:`ApplicationError` subclasses carrying the HTTP status (400, 403, 404,
409, 422), a translated ``message`` and ``errors`` by field. Functions taking an
``ApplicationInfo`` trust that the caller obtained it through an access-checked function.
"""

import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from django.http import FileResponse
from django.utils.translation import gettext as _

from darcha.modules.applications import results, selectors, services
from darcha.modules.applications.definitions import WorkflowsInvalid, read_all
from darcha.modules.applications.errors import (
    ApplicationError,
    BadRequest,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
)
from darcha.modules.applications.records import (
    APPLICANT,
    ActionDef,
    ApplicationInfo,
    ApplicationSummary,
    BulkResult,
    CommentInfo,
    Decision,
    DraftInfo,
    InboxPage,
    LoadReport,
    Page,
    PublicStatus,
    QueueEntry,
    RatingSummary,
    Reason,
    StateDef,
    StatsRow,
    SubmitResult,
    TimelineItem,
    WorkflowDef,
)
from darcha.modules.documents import api as documents
from darcha.modules.forms import api as forms
from darcha.modules.identity import api as identity
from darcha.platform import audit

__all__ = [
    "ActionDef",
    "ApplicationError",
    "ApplicationInfo",
    "ApplicationSummary",
    "BadRequest",
    "BulkResult",
    "CommentInfo",
    "Conflict",
    "Decision",
    "DraftInfo",
    "Forbidden",
    "InboxPage",
    "Invalid",
    "LoadReport",
    "NotFound",
    "Page",
    "PublicStatus",
    "QueueEntry",
    "RatingSummary",
    "Reason",
    "StateDef",
    "StatsRow",
    "SubmitResult",
    "TimelineItem",
    "WorkflowDef",
    "WorkflowsInvalid",
    "act",
    "agency_system_appointments",
    "amend",
    "applicant_actions",
    "application_by_number",
    "application_for_applicant",
    "application_for_officer",
    "application_for_officer_by_number",
    "assign_bulk",
    "check_workflows",
    "comment_add",
    "draft",
    "draft_delete",
    "draft_remove_document",
    "draft_save",
    "draft_upload",
    "drafts",
    "escalate_overdue",
    "inbox",
    "internal_comments",
    "kindergarten_queue",
    "load_workflows",
    "my_applications",
    "normalize_number",
    "normalize_tracking_code",
    "officer_actions",
    "public_status_url",
    "queue_position",
    "rate",
    "rating",
    "ratings",
    "reject_reasons",
    "result_response",
    "result_state",
    "run_periodic",
    "service_form",
    "stats",
    "status_by_tracking",
    "submit",
    "timeline",
    "valid_idempotency_key",
    "withdraw",
    "workflow",
]

PINFL = re.compile(r"[0-9]{14}")
NUMBER = re.compile(r"[0-9]{2}-[0-9]{4}-[0-9]{6}")
# Crockford base32 reads I and L as 1 and O as 0, so a code read aloud or retyped still matches.
TRACKING_ALIASES = str.maketrans({"I": "1", "L": "1", "O": "0"})


# --- Workflow definitions -------------------------------------------------------------------------


def load_workflows(path: Path | str | None = None, strict: bool = True) -> LoadReport:
    """Load ``workflows/`` (or ``path``); changed definitions become new versions. Idempotent.

    With ``strict`` any problem raises :class:`WorkflowsInvalid` and nothing is loaded.
    """
    return services.workflows_load(path=Path(path) if path else None, strict=strict)


def check_workflows(path: Path | str | None = None) -> list[str]:
    """Every problem in the definitions, each "file: where: reason", for ``darcha check``."""
    return [str(problem) for problem in read_all(Path(path) if path else None)[1]]


def workflow(name: str, version: int | None = None) -> WorkflowDef | None:
    """A workflow as its current version (or ``version``) defines it."""
    return selectors.workflow_version(name, version) if version else selectors.current_workflow(name)


def service_form(service_code: str) -> forms.FormInfo:
    """The form a new application for the service fills in; NotFound or Invalid when the
    service does not exist or does not take applications here."""
    return services.service_setup(service_code).form


# --- Drafts ---------------------------------------------------------------------------------------


def draft_save(
    *,
    account_id,
    service_code: str = "",
    data: Any,
    draft_id=None,
    party_kind: str = "self",
    party_ref: str = "",
) -> DraftInfo:
    """Create a draft (``service_code``) or replace an own draft's answers (``draft_id``)."""
    return selectors.draft_info(
        services.draft_save(
            account_id=account_id,
            service_code=service_code,
            data=data,
            draft_id=draft_id,
            party_kind=party_kind,
            party_ref=party_ref,
        )
    )


def draft(draft_id, account_id) -> DraftInfo | None:
    """An own draft, from whichever device the account signs in on."""
    return selectors.draft_get(draft_id, account_id)


def drafts(account_id) -> list[DraftInfo]:
    return selectors.drafts_of(account_id)


def draft_delete(*, draft_id, account_id) -> None:
    services.draft_delete(draft_id=draft_id, account_id=account_id)


def draft_upload(*, draft_id, account_id, code: str, upload) -> documents.StoredDocument:
    """Check and store one file for the document ``code`` of the draft's form, and attach it.

    Call it outside a transaction: checking the file may take a while. A refused file raises
    Invalid with the documents module's reason (or its 413/503 status), having stored nothing.
    """
    slot = services.draft_document_slot(draft_id=draft_id, account_id=account_id, code=code)
    try:
        stored = documents.document_intake(
            upload=upload,
            owner_id=str(account_id),
            max_bytes=slot.max_bytes,
            allowed_types=set(slot.types),
            purpose=f"application:{code}",
        )
    except documents.DocumentRejected as rejected:
        error = Invalid(rejected.message, errors={"file": [rejected.message]})
        error.status = rejected.status
        raise error from None
    services.draft_document_attach(draft_id=draft_id, account_id=account_id, code=code, document_id=stored.id)
    return stored


def draft_remove_document(*, draft_id, account_id, document_id) -> DraftInfo:
    return selectors.draft_info(
        services.draft_document_detach(draft_id=draft_id, account_id=account_id, document_id=document_id)
    )


# --- Submission and the applicant's side ----------------------------------------------------------


def valid_idempotency_key(key: str) -> bool:
    """8 to 64 letters, digits, "-" or "_" (a UUID is a good one)."""
    return bool(services.IDEMPOTENCY_KEY.fullmatch(key or ""))


def submit(
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
    """Submit an application once per (account, idempotency key): a repeat returns the same one.

    ``party_kind``: self, entity (``party_ref`` = STIR), child (person id) or visitor (person
    id; ``channel="centre"`` with the operator's centre agency code as ``centre_code``).
    ``documents``: {document type code: [ids of the submitter's uploads]}. Field errors come
    as Invalid.errors keyed by form field name or ``documents.<code>``.
    """
    return services.application_submit(
        account_id=account_id,
        idempotency_key=idempotency_key,
        service_code=service_code,
        data=data,
        documents=documents,
        party_kind=party_kind,
        party_ref=party_ref,
        channel=channel,
        centre_code=centre_code,
        draft_id=draft_id,
        language=language,
    )


def _visible_to_applicant(row, account_id) -> ApplicationInfo | None:
    if row is None or not selectors.applicant_can_see(row, account_id):
        return None
    return selectors.info(row)


def application_for_applicant(application_id, account_id) -> ApplicationInfo | None:
    """The application if the account is its applicant (or represents the applicant entity)."""
    return _visible_to_applicant(selectors.application_get(application_id), account_id)


def normalize_number(number: str) -> str:
    return (number or "").strip()


def application_by_number(number: str, account_id) -> ApplicationInfo | None:
    return _visible_to_applicant(selectors.application_by_number(normalize_number(number)), account_id)


def my_applications(account_id, *, limit: int = 20, offset: int = 0) -> Page:
    """The account's applications (with those a service centre filed for its person before
    the account existed), and those for the entities it represents and its minor children,
    newest first."""
    person = identity.person_for_account(account_id)
    stirs = [e.stir for e in identity.entities_represented(person.id)] if person else []
    children = [c.id for c in identity.children_of(person.id)] if person else []
    visible = selectors.citizen_q(
        account_id, person_id=person.id if person else None, entity_stirs=stirs, child_ids=children
    )
    return selectors.citizen_page(visible, limit=limit, offset=offset)


def timeline(application: ApplicationInfo) -> list[TimelineItem]:
    return selectors.timeline(
        application.id, workflow(application.workflow_name, application.workflow_version)
    )


def applicant_actions(application: ApplicationInfo) -> list[ActionDef]:
    """What the applicant can do now (withdraw; resubmit after a request for information)."""
    definition = workflow(application.workflow_name, application.workflow_version)
    return [a for a in definition.actions_from(application.state) if APPLICANT in a.roles]


def withdraw(
    *,
    application_id,
    account_id,
    expected_version,
    comment: str = "",
    centre_code: str = "",
    visitor_id: str = "",
) -> ApplicationInfo:
    """Withdraw it as its applicant, or (with ``centre_code`` and ``visitor_id``) as an operator
    of that centre for the visitor who has consented at the desk."""
    return selectors.info(
        services.application_withdraw(
            application_id=application_id,
            account_id=account_id,
            expected_version=expected_version,
            comment=comment,
            centre_code=centre_code,
            visitor_id=visitor_id,
        )
    )


def amend(
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
) -> ApplicationInfo:
    """Resubmit corrected data (and documents; None keeps the attached ones) after a request
    for more information; the clock starts again. ``centre_code`` and ``visitor_id`` as for
    :func:`withdraw`."""
    return selectors.info(
        services.application_amend(
            application_id=application_id,
            account_id=account_id,
            expected_version=expected_version,
            data=data,
            documents=documents,
            comment=comment,
            language=language,
            centre_code=centre_code,
            visitor_id=visitor_id,
        )
    )


def centre_visitor_applications(
    appointments: Sequence[identity.OfficerInfo], *, centre_code: str, visitor_id: str, limit: int = 20
) -> list[tuple[ApplicationSummary, tuple[str, ...]]]:
    """The visitor's open applications an operator of the centre may act on for them (filed at
    this centre or within the operator's area), newest first, each with the codes of the
    actions an operator can take now (withdraw, resubmit)."""
    visible = selectors.centre_visitor_applications(
        appointments, centre_code=centre_code, person_id=visitor_id
    )
    rows = list(visible.filter(terminal=False).order_by("-submitted_at")[:limit])
    workflows = selectors.workflows_of(rows)
    return [
        (
            summary,
            tuple(
                action.code
                for action in workflows[(row.workflow_name, row.workflow_version)].actions_from(row.state)
                if selectors.SERVICE_CENTRE_OPERATOR in action.roles
            ),
        )
        for row, summary in zip(rows, selectors.summaries(rows, workflows), strict=True)
    ]


def centre_visitor_application(
    number: str, appointments: Sequence[identity.OfficerInfo], *, centre_code: str, visitor_id: str
) -> ApplicationInfo | None:
    """One of those applications by its number; None when the operator may not act on it."""
    visible = selectors.centre_visitor_applications(
        appointments, centre_code=centre_code, person_id=visitor_id
    )
    row = visible.filter(number=normalize_number(number)).first()
    return selectors.info(row) if row else None


def rate(*, application_id, account_id, stars: int, comment: str = "") -> None:
    """Rate a completed application 1-5 once; 409 before completion or the second time."""
    services.application_rate(
        application_id=application_id, account_id=account_id, stars=stars, comment=comment
    )


def rating(application: ApplicationInfo) -> tuple[int, str] | None:
    """(stars, comment) the applicant gave, if any."""
    return selectors.rating_of(application.id)


def kindergarten_queue(district: str, preferred_kindergarten: str = "") -> list[QueueEntry]:
    """The kindergarten-placement applications waiting for one kindergarten of a district
    (or, without one, for any kindergarten of it), in the order they will be served."""
    return selectors.queue("kindergarten-placement", (district, preferred_kindergarten))


def queue_position(application: ApplicationInfo) -> int | None:
    """The application's place in its queue (1 = next); None when it waits in none."""
    return selectors.queue_position(application)


def public_status_url(number: str, tracking_code: str) -> str:
    """The application's public status page at the portal's public address, as printed on
    receipts and letters for scanning at home."""
    return results.status_url(number, tracking_code)


def result_state(application: ApplicationInfo) -> str:
    """Whether the decision letter is "ready" to download, "pending" (being made just after
    the decision), or "" (none: undecided or withdrawn)."""
    if application.result_document_id:
        return "ready"
    decided = application.decision.code if application.terminal and application.decision else ""
    return "pending" if decided in results.RESULT_OUTCOMES else ""


def result_response(application: ApplicationInfo) -> FileResponse:
    """The decision letter as a PDF download, for someone who may see the application:
    NotFound when it has none, Conflict while it is being made."""
    state = result_state(application)
    if state == "pending":
        raise Conflict(_("The decision document is being prepared. Try again in a minute."))
    if not state:
        raise NotFound(_("This application has no decision document."))
    return documents.document_response(document_id=application.result_document_id)


def normalize_tracking_code(code: str) -> str:
    return (code or "").strip().upper().replace("-", "").replace(" ", "").translate(TRACKING_ALIASES)


def status_by_tracking(number: str, tracking_code: str) -> PublicStatus | None:
    """Anyone's status check without signing in; None unless both match."""
    number, code = normalize_number(number), normalize_tracking_code(tracking_code)
    if not NUMBER.fullmatch(number) or len(code) != 10:
        return None
    return selectors.public_status(number, code)


# --- The officer's side ---------------------------------------------------------------------------


def agency_system_appointments(agency_code: str) -> list[identity.OfficerInfo]:
    """The appointments an agency's information system acts with (API keys): its agency,
    country-wide, as receiver, reviewer and approver."""
    return services.agency_system_appointments(agency_code)


def inbox(
    appointments: Sequence[identity.OfficerInfo],
    *,
    actor_account_id=None,
    state: str = "",
    service: str = "",
    assigned_to_me: bool = False,
    due_today: bool = False,
    overdue: bool = False,
    query: str = "",
    purpose: str = "",
    include_closed: bool = False,
    sort: str = "deadline",
    limit: int = 50,
    offset: int = 0,
    ip: str | None = None,
) -> InboxPage:
    """The applications of the officer's agencies within their areas, open ones by default,
    soonest deadline first (``sort="newest"`` for the latest), at most 100 a page.

    ``query`` is an application number or a PINFL; a PINFL search reads personal data, so it
    needs a ``purpose`` and is written to the audit log.
    """
    query = query.strip()
    number, person_id = "", None
    if PINFL.fullmatch(query):
        if not purpose.strip():
            raise Invalid(
                _("State why you search by PINFL."), errors={"purpose": [_("This field is required.")]}
            )
        person = identity.person_by_pinfl(query)
        person_id = person.id if person else ""
        audit.record(
            action="personal_data_read",
            actor=str(actor_account_id or ""),
            subject=person_id,
            purpose=purpose.strip()[:200],
            details={"via": "applications.inbox_search", "found": bool(person)},
            ip=ip,
        )
    elif query:
        number = normalize_number(query)
    return selectors.inbox_page(
        appointments,
        state=state,
        service=service,
        assignee_id=actor_account_id if assigned_to_me else None,
        due_today=due_today,
        overdue=overdue,
        number=number,
        subject_person_id=person_id,
        include_closed=include_closed,
        sort=sort,
        limit=limit,
        offset=offset,
    )


def application_for_officer(
    application_id, appointments: Sequence[identity.OfficerInfo]
) -> ApplicationInfo | None:
    """The application if it is in the officer's agency and area (None also for a bad id: 404)."""
    row = selectors.application_get(application_id)
    if row is None or not selectors.officer_roles(row, appointments):
        return None
    return selectors.info(row)


def application_for_officer_by_number(
    number: str, appointments: Sequence[identity.OfficerInfo]
) -> ApplicationInfo | None:
    """The application with this number if it is in the officer's agency and area (else None: 404)."""
    row = selectors.application_by_number(normalize_number(number))
    if row is None or not selectors.officer_roles(row, appointments):
        return None
    return selectors.info(row)


def officer_actions(
    application: ApplicationInfo, appointments: Sequence[identity.OfficerInfo]
) -> list[ActionDef]:
    """The actions the officer's roles allow from the current state."""
    roles = selectors.officer_roles(application, appointments)
    definition = workflow(application.workflow_name, application.workflow_version)
    return [a for a in definition.actions_from(application.state) if roles & set(a.roles)]


def reject_reasons(application: ApplicationInfo) -> list[Reason]:
    return list(workflow(application.workflow_name, application.workflow_version).reject_reasons.values())


def act(
    *,
    application_id,
    action: str,
    actor_account_id,
    expected_version,
    appointments: Sequence[identity.OfficerInfo] | None = None,
    agency_system: str = "",
    **fields: Any,
) -> ApplicationInfo:
    """Take a workflow action. ``fields``: comment, reason_code, target_agency, assignee
    (account id), appointment_at (ISO date-time), place — as the action requires.

    Pass the officer's TOTP-verified appointments (``identity.current_officer(request)``), or
    for an agency system ``agency_system_appointments(agency)`` with ``agency_system`` its name.
    """
    return selectors.info(
        services.application_act(
            application_id=application_id,
            action=action,
            actor_account_id=actor_account_id,
            expected_version=expected_version,
            appointments=appointments,
            agency_system=agency_system,
            **fields,
        )
    )


def assign_bulk(
    *, application_ids: Sequence, assignee_id, actor_account_id, appointments: Sequence[identity.OfficerInfo]
) -> BulkResult:
    return services.applications_assign_bulk(
        application_ids=application_ids,
        assignee_id=assignee_id,
        actor_account_id=actor_account_id,
        appointments=appointments,
    )


def comment_add(
    *, application_id, author_account_id, appointments: Sequence[identity.OfficerInfo], text: str
) -> CommentInfo:
    comment = services.comment_add(
        application_id=application_id,
        author_account_id=author_account_id,
        appointments=appointments,
        text=text,
    )
    return CommentInfo(str(comment.id), str(comment.author_id), comment.text, comment.created_at)


def internal_comments(application: ApplicationInfo) -> list[CommentInfo]:
    """Officers' notes on the application; never show them to the applicant."""
    return selectors.internal_comments(application.id)


# --- Heads and analysts ---------------------------------------------------------------------------


def stats(*, group_by: str, date_from: date | None = None, date_to: date | None = None) -> list[StatsRow]:
    """Applications submitted in the period by region, agency, service or channel."""
    if group_by not in ("region", "agency", "service", "channel"):
        raise Invalid(_("Group by region, agency, service or channel."))
    return selectors.stats(group_by=group_by, date_from=date_from, date_to=date_to)


def ratings(group: str) -> list[RatingSummary]:
    """Average stars and counts per service or per agency."""
    if group not in ("service", "agency"):
        raise Invalid(_("Group by service or agency."))
    return selectors.rating_summaries(group)


# --- Periodic work --------------------------------------------------------------------------------


def escalate_overdue(today: date | None = None) -> int:
    """Escalate overdue applications to their agency heads, each once; returns how many."""
    return services.escalate_overdue(today=today)


def run_periodic() -> None:
    """What ``darcha worker`` runs every minute or so; safe in many workers at once."""
    services.escalate_overdue()
    results.results_catch_up()
