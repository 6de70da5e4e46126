"""JSON API of applications, mounted at /api/v1/applications.

People use their signed-in session (officers' sessions must have passed TOTP); agency
systems use an API key with ``applications:read`` or ``applications:write``. Refusals
answer the API's one error shape (``{"status", "detail", "errors": {field path: [...]}}``,
docs/api.md) in the caller's language, with the same rules, limits and statuses as the pages;
a document's errors name the document.
"""

from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from typing import Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import File, Form, Header, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.security import SessionAuth

from darcha.modules.apiaccess.api import (
    ApiPrincipal,
    ErrorOut,
    error_response,
    error_responses,
    require_scope,
)
from darcha.modules.applications import api
from darcha.modules.applications.errors import with_document_names
from darcha.modules.catalog import api as catalog
from darcha.modules.identity import api as identity
from darcha.platform.text import localized

router = Router(tags=["applications"])


class Session(SessionAuth):
    """The signed-in session; steps aside for a request that presents an API key."""

    def __call__(self, request: HttpRequest):
        if request.headers.get("Authorization") or request.headers.get("X-API-Key"):
            return None
        return super().__call__(request)


SESSION = Session()
READ = [SESSION, require_scope("applications:read")]
WRITE = [SESSION, require_scope("applications:write")]


# --- Schemas --------------------------------------------------------------------------------------


ERRORS = error_responses(400, 401, 403, 404, 409, 422)


class DraftIn(Schema):
    service: str = ""
    data: dict[str, Any] = {}
    party_kind: Literal["self", "entity", "child"] = "self"
    party_ref: str = ""


class DraftUpdate(Schema):
    data: dict[str, Any]
    party_kind: Literal["self", "entity", "child"] = "self"
    party_ref: str = ""


class DraftOut(Schema):
    id: str
    service: str
    party_kind: str
    party_ref: str
    data: dict[str, Any]
    documents: dict[str, list[str]]
    created_at: datetime
    updated_at: datetime


class DocumentOut(Schema):
    id: str
    code: str
    filename: str
    kind: str
    size: int


class SubmitIn(Schema):
    service: str = ""
    draft_id: str | None = None
    data: dict[str, Any] | None = None
    documents: dict[str, list[str]] | None = None
    party_kind: Literal["self", "entity", "child", "visitor"] = "self"
    party_ref: str = ""
    channel: Literal["online", "mobile", "centre"] = "online"
    centre: str = ""


class DecisionOut(Schema):
    code: str
    reason_code: str
    reason: str
    text: str
    details: dict[str, Any]
    decided_at: datetime


class ResultOut(Schema):
    state: Literal["pending", "ready"]
    url: str


class ActionOut(Schema):
    code: str
    label: str
    requires: list[str]


class ApplicationOut(Schema):
    id: str
    number: str
    tracking_code: str
    service: str
    service_title: str
    service_version: int
    state: str
    status: str
    terminal: bool
    clock_running: bool
    submitted_at: datetime
    deadline: date
    overdue: bool
    channel: str
    party_kind: str
    party_ref: str
    agency: str
    area: str
    assignee_id: str | None
    version: int
    data: dict[str, Any]
    documents: dict[str, list[str]]
    decision: DecisionOut | None
    # The decision letter: "pending" just after the decision, then "ready" to download.
    result: ResultOut | None
    actions: list[ActionOut]


class SummaryOut(Schema):
    id: str
    number: str
    service: str
    service_title: str
    state: str
    status: str
    terminal: bool
    submitted_at: datetime
    deadline: date
    overdue: bool
    escalated: bool
    assignee_id: str | None
    channel: str
    agency: str
    area: str
    version: int


class PageOut(Schema):
    # Counting stops past 1,000: with total_capped, total is 1,000 and there are more (the
    # counts per state then say 1,001).
    total: int
    total_capped: bool
    has_next: bool
    limit: int
    offset: int
    items: list[SummaryOut]


class InboxOut(PageOut):
    counts: dict[str, int]
    statuses: dict[str, str]


class TimelineOut(Schema):
    at: datetime
    action: str
    action_label: str
    from_state: str
    to_state: str
    status: str
    actor: str
    comment: str
    details: dict[str, Any]


class PublicStatusOut(Schema):
    number: str
    service: str
    service_title: str
    state: str
    status: str
    terminal: bool
    outcome: str
    submitted_at: datetime
    deadline: date
    updated_at: datetime


class VersionIn(Schema):
    expected_version: int
    comment: str = ""


class AmendIn(VersionIn):
    data: dict[str, Any]
    documents: dict[str, list[str]] | None = None


class RatingIn(Schema):
    stars: int
    comment: str = ""


class ActionIn(Schema):
    action: str
    expected_version: int
    comment: str = ""
    reason_code: str | None = None
    target_agency: str | None = None
    assignee: str | None = None
    appointment_at: str | None = None
    place: str | None = None


class AssignIn(Schema):
    application_ids: list[str]
    assignee: str


class BulkOut(Schema):
    done: list[str]
    refused: dict[str, str]


class CommentIn(Schema):
    text: str


class CommentOut(Schema):
    id: str
    author_id: str
    text: str
    created_at: datetime


class InboxFilters(Schema):
    state: str = ""
    service: str = ""
    assigned_to_me: bool = False
    due_today: bool = False
    overdue: bool = False
    q: str = ""
    purpose: str = ""
    include_closed: bool = False
    sort: Literal["deadline", "newest"] = "deadline"
    limit: int = 50
    offset: int = 0


# The decision letter is a file, not JSON: described for the OpenAPI document here.
RESULT_PDF = {
    "responses": {
        "200": {
            "description": "The decision letter, as a download (Content-Disposition: attachment)",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}
RESULT_DESCRIPTION = (
    "404 when the application has no decision letter (undecided or withdrawn); 409 while the "
    "letter is being made just after the decision (the application's result.state is pending)."
)


# --- Helpers --------------------------------------------------------------------------------------


def refusals(view: Callable) -> Callable:
    """Answer the module's refusals as JSON with their status."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except api.ApplicationError as refusal:
            names = catalog.document_names(_language()) if refusal.errors else {}
            return error_response(refusal.status, refusal.message, with_document_names(refusal.errors, names))

    return wrapped


def _language() -> str:
    return get_language() or "uz"


def _application(
    info: api.ApplicationInfo, actions: list[api.ActionDef] = (), *, officer: bool = False
) -> ApplicationOut:
    language = _language()
    decision = info.decision
    letter = api.result_state(info)
    result_route = "api:applications-inbox-result" if officer else "api:applications-result"
    return ApplicationOut(
        id=info.id,
        number=info.number,
        tracking_code=info.tracking_code,
        service=info.service_code,
        service_title=info.title(language),
        service_version=info.service_version,
        state=info.state,
        status=info.status(language),
        terminal=info.terminal,
        clock_running=info.clock_runs,
        submitted_at=info.submitted_at,
        deadline=info.deadline,
        overdue=info.overdue,
        channel=info.channel,
        party_kind=info.party_kind,
        party_ref=info.party_ref,
        agency=info.agency_code,
        area=info.area_code,
        assignee_id=info.assignee_id,
        version=info.version,
        data=info.data,
        documents=info.documents,
        decision=DecisionOut(
            code=decision.code,
            reason_code=decision.reason_code,
            reason=decision.reason_text(language),
            text=decision.text,
            details=decision.details,
            decided_at=decision.decided_at,
        )
        if decision
        else None,
        result=ResultOut(state=letter, url=reverse(result_route, args=[info.id])) if letter else None,
        actions=[ActionOut(code=a.code, label=a.text(language), requires=list(a.requires)) for a in actions],
    )


def _summary(item: api.ApplicationSummary) -> SummaryOut:
    language = _language()
    return SummaryOut(
        id=item.id,
        number=item.number,
        service=item.service_code,
        service_title=item.title(language),
        state=item.state,
        status=item.status(language),
        terminal=item.terminal,
        submitted_at=item.submitted_at,
        deadline=item.deadline,
        overdue=item.overdue,
        escalated=item.escalated,
        assignee_id=item.assignee_id,
        channel=item.channel,
        agency=item.agency_code,
        area=item.area_code,
        version=item.version,
    )


def _timeline(items: list[api.TimelineItem]) -> list[TimelineOut]:
    language = _language()
    return [
        TimelineOut(
            at=i.at,
            action=i.action,
            action_label=i.action_text(language),
            from_state=i.from_state,
            to_state=i.to_state,
            status=i.status(language),
            actor=i.actor_kind,
            comment=i.comment,
            details=i.details,
        )
        for i in items
    ]


def _draft(info: api.DraftInfo) -> DraftOut:
    return DraftOut(
        id=info.id,
        service=info.service_code,
        party_kind=info.party_kind,
        party_ref=info.party_ref,
        data=info.data,
        documents=info.documents,
        created_at=info.created_at,
        updated_at=info.updated_at,
    )


def _account(request: HttpRequest):
    return request.auth.pk


def _not_found() -> api.NotFound:
    return api.NotFound(_("There is no such application."))


class Officer:
    """Who acts in the back office: a TOTP-verified officer's appointments, or an agency system."""

    def __init__(self, request: HttpRequest):
        principal = request.auth
        if isinstance(principal, ApiPrincipal):
            self.account_id = None
            self.appointments = api.agency_system_appointments(principal.agency_code)
            self.system = principal.client_name
        else:
            self.account_id = principal.pk
            self.appointments = identity.current_officer(request)
            self.system = ""
            if not self.appointments:
                raise api.Forbidden(
                    _("This is for officers of government agencies who signed in with their authenticator.")
                )


# --- Drafts ---------------------------------------------------------------------------------------


@router.post("/drafts", auth=SESSION, response={201: DraftOut, **ERRORS}, summary="Start a draft application")
@refusals
def draft_create(request, payload: DraftIn):
    info = api.draft_save(
        account_id=_account(request),
        service_code=payload.service,
        data=payload.data,
        party_kind=payload.party_kind,
        party_ref=payload.party_ref,
    )
    return Status(201, _draft(info))


@router.get(
    "/drafts", auth=SESSION, response={200: list[DraftOut], **ERRORS}, summary="My drafts, latest first"
)
def draft_list(request):
    return [_draft(d) for d in api.drafts(_account(request))]


@router.get(
    "/drafts/{draft_id}", auth=SESSION, response={200: DraftOut, **ERRORS}, summary="One of my drafts"
)
@refusals
def draft_read(request, draft_id: str):
    info = api.draft(draft_id, _account(request))
    if info is None:
        raise api.NotFound(_("There is no such draft."))
    return _draft(info)


@router.put(
    "/drafts/{draft_id}", auth=SESSION, response={200: DraftOut, **ERRORS}, summary="Save a draft's answers"
)
@refusals
def draft_update(request, draft_id: str, payload: DraftUpdate):
    return _draft(
        api.draft_save(
            account_id=_account(request),
            draft_id=draft_id,
            data=payload.data,
            party_kind=payload.party_kind,
            party_ref=payload.party_ref,
        )
    )


@router.delete("/drafts/{draft_id}", auth=SESSION, response={204: None, **ERRORS}, summary="Delete a draft")
@refusals
def draft_remove(request, draft_id: str):
    api.draft_delete(draft_id=draft_id, account_id=_account(request))
    return Status(204, None)


@router.post(
    "/drafts/{draft_id}/documents",
    auth=SESSION,
    response={201: DocumentOut, 413: ErrorOut, 503: ErrorOut, **ERRORS},
    summary="Upload a document for a draft (multipart: code, file)",
)
@refusals
def draft_document_upload(request, draft_id: str, code: Form[str], file: File[UploadedFile]):
    stored = api.draft_upload(draft_id=draft_id, account_id=_account(request), code=code, upload=file)
    return Status(
        201,
        DocumentOut(id=stored.id, code=code, filename=stored.filename, kind=stored.kind, size=stored.size),
    )


@router.delete(
    "/drafts/{draft_id}/documents/{document_id}",
    auth=SESSION,
    response={200: DraftOut, **ERRORS},
    summary="Detach a document from a draft",
)
@refusals
def draft_document_remove(request, draft_id: str, document_id: str):
    return _draft(
        api.draft_remove_document(draft_id=draft_id, account_id=_account(request), document_id=document_id)
    )


# --- Submission and the applicant's side ----------------------------------------------------------


@router.post(
    "",
    auth=SESSION,
    response={200: ApplicationOut, 201: ApplicationOut, **ERRORS},
    summary="Submit an application (Idempotency-Key header required)",
    description=(
        "From a draft (`draft_id`) or with `data` and `documents` ({code: [document ids]}). "
        "Repeating the request with the same Idempotency-Key returns the same application (200) "
        "instead of making a second one (201 the first time); the same key with a different "
        "request is refused with 422."
    ),
)
@refusals
def submit(request, payload: SubmitIn, key: str | None = Header(None, alias="Idempotency-Key")):
    if not key:
        raise api.BadRequest(_("The Idempotency-Key header is required."))
    if not api.valid_idempotency_key(key):
        raise api.BadRequest(_("The Idempotency-Key header must be 8 to 64 letters, digits, “-” or “_”."))
    result = api.submit(
        account_id=_account(request),
        idempotency_key=key,
        service_code=payload.service,
        data=payload.data,
        documents=payload.documents,
        party_kind=payload.party_kind,
        party_ref=payload.party_ref,
        channel=payload.channel,
        centre_code=payload.centre,
        draft_id=payload.draft_id,
        language=_language(),
    )
    info = result.application
    return Status(201 if result.created else 200, _application(info, api.applicant_actions(info)))


@router.get("/mine", auth=SESSION, response={200: PageOut, **ERRORS}, summary="My applications, newest first")
def mine(request, limit: int = 20, offset: int = 0):
    page = api.my_applications(_account(request), limit=limit, offset=offset)
    return PageOut(
        total=page.total,
        total_capped=page.total_capped,
        has_next=page.has_next,
        limit=page.limit,
        offset=page.offset,
        items=[_summary(i) for i in page.items],
    )


@router.get(
    "/status",
    auth=None,
    response={200: PublicStatusOut, **ERRORS},
    summary="Status by application number and tracking code, without signing in",
)
@refusals
def public_status(request, number: str, code: str):
    status = api.status_by_tracking(number, code)
    if status is None:
        raise api.NotFound(_("No application matches this number and tracking code."))
    language = _language()
    return PublicStatusOut(
        number=status.number,
        service=status.service_code,
        service_title=status.title(language),
        state=status.state,
        status=status.status(language),
        terminal=status.terminal,
        outcome=status.outcome,
        submitted_at=status.submitted_at,
        deadline=status.deadline,
        updated_at=status.updated_at,
    )


# --- The officer's side (registered before /{application_id}) -------------------------------------


@router.get("/inbox", auth=READ, response={200: InboxOut, **ERRORS}, summary="The officer's inbox")
@refusals
def inbox(request, filters: Query[InboxFilters]):
    officer = Officer(request)
    page = api.inbox(
        officer.appointments,
        actor_account_id=officer.account_id,
        state=filters.state,
        service=filters.service,
        assigned_to_me=filters.assigned_to_me and officer.account_id is not None,
        due_today=filters.due_today,
        overdue=filters.overdue,
        query=filters.q,
        purpose=filters.purpose,
        include_closed=filters.include_closed,
        sort=filters.sort,
        limit=filters.limit,
        offset=filters.offset,
        ip=identity.client_ip(request),
    )
    language = _language()
    return InboxOut(
        total=page.total,
        total_capped=page.total_capped,
        has_next=page.has_next,
        limit=page.limit,
        offset=page.offset,
        items=[_summary(i) for i in page.items],
        counts=page.counts,
        statuses={code: localized(label, language) for code, label in page.state_labels.items()},
    )


@router.post(
    "/inbox/assign", auth=WRITE, response={200: BulkOut, **ERRORS}, summary="Assign applications in bulk"
)
@refusals
def assign(request, payload: AssignIn):
    officer = Officer(request)
    result = api.assign_bulk(
        application_ids=payload.application_ids,
        assignee_id=payload.assignee,
        actor_account_id=officer.account_id,
        appointments=officer.appointments,
    )
    return BulkOut(done=list(result.done), refused=result.refused)


def _officer_view(officer: Officer, application_id: str) -> api.ApplicationInfo:
    info = api.application_for_officer(application_id, officer.appointments)
    if info is None:
        raise _not_found()
    return info


@router.get(
    "/inbox/{application_id}",
    auth=READ,
    response={200: ApplicationOut, **ERRORS},
    summary="An application in the inbox",
)
@refusals
def officer_read(request, application_id: str):
    officer = Officer(request)
    info = _officer_view(officer, application_id)
    return _application(info, api.officer_actions(info, officer.appointments), officer=True)


@router.get(
    "/inbox/{application_id}/timeline",
    auth=READ,
    response={200: list[TimelineOut], **ERRORS},
    summary="Timeline of an application in the inbox",
)
@refusals
def officer_timeline(request, application_id: str):
    return _timeline(api.timeline(_officer_view(Officer(request), application_id)))


@router.get(
    "/inbox/{application_id}/result",
    auth=READ,
    response=ERRORS,
    openapi_extra=RESULT_PDF,
    url_name="applications-inbox-result",
    summary="The decision letter of an application in the inbox (PDF)",
    description=RESULT_DESCRIPTION,
)
@refusals
def officer_result(request, application_id: str):
    return api.result_response(_officer_view(Officer(request), application_id))


@router.post(
    "/inbox/{application_id}/actions",
    auth=WRITE,
    response={200: ApplicationOut, **ERRORS},
    summary="Take a workflow action",
    description=(
        "409 when the state does not allow the action or someone else acted first "
        "(send the version you read as expected_version)."
    ),
)
@refusals
def officer_act(request, application_id: str, payload: ActionIn):
    officer = Officer(request)
    fields = payload.dict(exclude={"action", "expected_version"}, exclude_none=True)
    info = api.act(
        application_id=application_id,
        action=payload.action,
        actor_account_id=officer.account_id,
        expected_version=payload.expected_version,
        appointments=officer.appointments,
        agency_system=officer.system,
        **fields,
    )
    return _application(info, api.officer_actions(info, officer.appointments), officer=True)


@router.get(
    "/inbox/{application_id}/comments",
    auth=SESSION,
    response={200: list[CommentOut], **ERRORS},
    summary="Officers' internal comments",
)
@refusals
def comments(request, application_id: str):
    info = _officer_view(Officer(request), application_id)
    return [
        CommentOut(id=c.id, author_id=c.author_id, text=c.text, created_at=c.created_at)
        for c in api.internal_comments(info)
    ]


@router.post(
    "/inbox/{application_id}/comments",
    auth=SESSION,
    response={201: CommentOut, **ERRORS},
    summary="Add an internal comment",
)
@refusals
def comment_add(request, application_id: str, payload: CommentIn):
    officer = Officer(request)
    comment = api.comment_add(
        application_id=application_id,
        author_account_id=officer.account_id,
        appointments=officer.appointments,
        text=payload.text,
    )
    return Status(
        201,
        CommentOut(
            id=comment.id, author_id=comment.author_id, text=comment.text, created_at=comment.created_at
        ),
    )


# --- One of my applications -----------------------------------------------------------------------


def _own(request: HttpRequest, application_id: str) -> api.ApplicationInfo:
    info = api.application_for_applicant(application_id, _account(request))
    if info is None:
        raise _not_found()
    return info


@router.get(
    "/{application_id}",
    auth=SESSION,
    response={200: ApplicationOut, **ERRORS},
    summary="One of my applications",
)
@refusals
def read(request, application_id: str):
    info = _own(request, application_id)
    return _application(info, api.applicant_actions(info))


@router.get(
    "/{application_id}/timeline",
    auth=SESSION,
    response={200: list[TimelineOut], **ERRORS},
    summary="What happened to one of my applications",
)
@refusals
def timeline(request, application_id: str):
    return _timeline(api.timeline(_own(request, application_id)))


@router.get(
    "/{application_id}/result",
    auth=SESSION,
    response=ERRORS,
    openapi_extra=RESULT_PDF,
    url_name="applications-result",
    summary="The decision letter of one of my applications (PDF)",
    description=RESULT_DESCRIPTION,
)
@refusals
def result(request, application_id: str):
    return api.result_response(_own(request, application_id))


@router.post(
    "/{application_id}/withdraw",
    auth=SESSION,
    response={200: ApplicationOut, **ERRORS},
    summary="Withdraw my application",
)
@refusals
def withdraw(request, application_id: str, payload: VersionIn):
    info = api.withdraw(
        application_id=application_id,
        account_id=_account(request),
        expected_version=payload.expected_version,
        comment=payload.comment,
    )
    return _application(info, api.applicant_actions(info))


@router.post(
    "/{application_id}/amend",
    auth=SESSION,
    response={200: ApplicationOut, **ERRORS},
    summary="Resubmit corrected data after a request for more information",
)
@refusals
def amend(request, application_id: str, payload: AmendIn):
    info = api.amend(
        application_id=application_id,
        account_id=_account(request),
        expected_version=payload.expected_version,
        data=payload.data,
        documents=payload.documents,
        comment=payload.comment,
        language=_language(),
    )
    return _application(info, api.applicant_actions(info))


@router.post(
    "/{application_id}/rating",
    auth=SESSION,
    response={204: None, **ERRORS},
    summary="Rate the service 1-5 after completion (once)",
)
@refusals
def rate(request, application_id: str, payload: RatingIn):
    api.rate(
        application_id=application_id,
        account_id=_account(request),
        stars=payload.stars,
        comment=payload.comment,
    )
    return Status(204, None)
