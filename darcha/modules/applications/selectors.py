"""Reads of applications, returned as frozen records; every list costs a fixed number of queries."""

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import connection
from django.db.models import Avg, Count, F, Q, QuerySet, Subquery
from django.db.models.functions import Substr
from django.utils import timezone

from darcha.modules.applications.models import (
    QUEUE_FIELDS,
    Application,
    Draft,
    InternalComment,
    PartyKind,
    Rating,
    TimelineEntry,
    WorkflowVersion,
    answer_text,
)
from darcha.modules.applications.records import (
    COUNT_CAP,
    ApplicationInfo,
    ApplicationSummary,
    CommentInfo,
    Decision,
    DraftInfo,
    InboxPage,
    Page,
    PublicStatus,
    QueueEntry,
    RatingSummary,
    StatsRow,
    TimelineItem,
    WorkflowDef,
)
from darcha.modules.identity import api as identity
from darcha.modules.identity.api import OfficerInfo
from darcha.modules.reference import api as reference

COUNTRY = "17"
MAX_PAGE = 100
SERVICE_CENTRE_OPERATOR = "service_centre_operator"
STATS_COLUMNS = {"agency": "agency_code", "service": "service_code", "channel": "channel"}

# Only the columns lists need: data and documents can be large.
SUMMARY_FIELDS = (
    "id",
    "number",
    "service_code",
    "service_title",
    "state",
    "terminal",
    "submitted_at",
    "deadline",
    "state_due",
    "clock_stopped_on",
    "escalated_at",
    "assignee_id",
    "channel",
    "party_kind",
    "agency_code",
    "area_code",
    "version",
    "workflow_name",
    "workflow_version",
)


# --- Workflows ------------------------------------------------------------------------------------


# A stored version never changes (a changed definition is loaded as a new number), so each
# process keeps the versions it has read; a load in this process forgets them all.
_versions: dict[tuple[str, int], WorkflowDef] = {}


def workflow_version(name: str, number: int) -> WorkflowDef | None:
    if (name, number) not in _versions:
        row = WorkflowVersion.objects.filter(workflow__name=name, number=number).first()
        if row is None:
            return None
        _versions[(name, number)] = WorkflowDef.from_definition(row.definition, row.number)
    return _versions[(name, number)]


def forget_workflow_versions() -> None:
    _versions.clear()


def current_workflow(name: str) -> WorkflowDef | None:
    row = (
        WorkflowVersion.objects.filter(workflow__name=name, workflow__is_active=True)
        .filter(workflow__current_version_id=F("id"))
        .first()
    )
    return WorkflowDef.from_definition(row.definition, row.number) if row else None


def all_workflows() -> dict[tuple[str, int], WorkflowDef]:
    """Every workflow version, newest first within a workflow, in one query of a few dozen rows.
    Each version is built from its definition once per process, as versions never change."""
    pairs = list(WorkflowVersion.objects.values_list("workflow__name", "number"))
    if any(pair not in _versions for pair in pairs):
        for v in WorkflowVersion.objects.select_related("workflow"):
            _versions.setdefault(
                (v.workflow.name, v.number), WorkflowDef.from_definition(v.definition, v.number)
            )
    return {pair: _versions[pair] for pair in pairs}


def workflows_of(rows: Iterable[Application]) -> dict[tuple[str, int], WorkflowDef]:
    """The workflow versions the rows follow, in one query."""
    pairs = {(row.workflow_name, row.workflow_version) for row in rows}
    if not pairs:
        return {}
    match = Q()
    for name, number in pairs:
        match |= Q(workflow__name=name, number=number)
    return {
        (v.workflow.name, v.number): WorkflowDef.from_definition(v.definition, v.number)
        for v in WorkflowVersion.objects.filter(match).select_related("workflow")
    }


# --- Records --------------------------------------------------------------------------------------


def event_payload(row: Application, **extra: Any) -> dict[str, Any]:
    """What every application event carries, and ``extra``."""
    return {
        "application_id": str(row.id),
        "number": row.number,
        "service": row.service_code,
        "agency": row.agency_code,
        "area": row.area_code,
        **extra,
    }


def is_overdue(row: Application, today: date) -> bool:
    if row.terminal or row.clock_stopped_on is not None:
        return False
    return row.deadline < today or (row.state_due is not None and row.state_due < today)


def _summary_fields(row: Application, workflow: WorkflowDef | None, today: date) -> dict:
    state = workflow.states.get(row.state) if workflow else None
    return {
        "id": str(row.id),
        "number": row.number,
        "service_code": row.service_code,
        "service_title": row.service_title,
        "state": row.state,
        "state_label": state.label if state else {"uz": row.state},
        "terminal": row.terminal,
        "clock_runs": row.clock_stopped_on is None,
        "submitted_at": row.submitted_at,
        "deadline": row.deadline,
        "overdue": is_overdue(row, today),
        "escalated": row.escalated_at is not None,
        "assignee_id": str(row.assignee_id) if row.assignee_id else None,
        "channel": row.channel,
        "party_kind": row.party_kind,
        "agency_code": row.agency_code,
        "area_code": row.area_code,
        "version": row.version,
    }


def summaries(
    rows: Sequence[Application], workflows: dict[tuple[str, int], WorkflowDef] | None = None
) -> list[ApplicationSummary]:
    workflows = workflows_of(rows) if workflows is None else workflows
    today = timezone.localdate()
    return [
        ApplicationSummary(
            **_summary_fields(row, workflows.get((row.workflow_name, row.workflow_version)), today)
        )
        for row in rows
    ]


def decision_of(row: Application, workflow: WorkflowDef | None) -> Decision | None:
    if not row.decision_code:
        return None
    reason = workflow.reject_reasons.get(row.decision_reason) if workflow else None
    return Decision(
        code=row.decision_code,
        reason_code=row.decision_reason,
        reason_label=reason.label if reason else {},
        text=row.decision_text,
        details=row.decision_details,
        decided_at=row.decided_at,
    )


def info(row: Application, workflow: WorkflowDef | None = None) -> ApplicationInfo:
    workflow = workflow or workflow_version(row.workflow_name, row.workflow_version)
    return ApplicationInfo(
        **_summary_fields(row, workflow, timezone.localdate()),
        tracking_code=row.tracking_code,
        service_version=row.service_version,
        form_name=row.form_name,
        form_version=row.form_version,
        workflow_name=row.workflow_name,
        workflow_version=row.workflow_version,
        applicant_account_id=str(row.applicant_account_id) if row.applicant_account_id else None,
        submitted_by_id=str(row.submitted_by_id),
        party_ref=row.party_ref,
        subject_person_id=row.subject_person_id,
        operator_id=str(row.operator_id) if row.operator_id else None,
        centre_code=row.centre_code,
        state_due=row.state_due,
        paused_days=row.paused_days,
        data=row.data,
        documents=row.documents,
        decision=decision_of(row, workflow),
        updated_at=row.updated_at,
        result_document_id=row.result_document_id,
    )


def application_get(application_id) -> Application | None:
    try:
        return Application.objects.filter(id=application_id).first()
    except (ValueError, TypeError, ValidationError):
        return None  # not a UUID: there is no such application


def application_by_number(number: str) -> Application | None:
    return Application.objects.filter(number=number).first()


def applicant_can_see(row: Application, account_id) -> bool:
    """The applicant account, any representative of the applicant legal entity, or the person a
    service centre filed for before they had an account."""
    if row.applicant_account_id is not None and str(row.applicant_account_id) == str(account_id):
        return True
    if row.party_kind == PartyKind.VISITOR and row.applicant_account_id is None:
        person = identity.person_for_account(account_id)
        return bool(person) and person.id == row.subject_person_id
    if row.party_kind == "entity":
        person = identity.person_for_account(account_id)
        return bool(person) and any(e.stir == row.party_ref for e in identity.entities_represented(person.id))
    return False


# --- Who may see what -----------------------------------------------------------------------------


def _area_q(scope_code: str) -> Q:
    """Applications whose district lies within the scope (the country, a region or a district)."""
    if scope_code == COUNTRY:
        return Q()
    if reference.is_district(scope_code):
        return Q(area_code=scope_code)
    return Q(area_code__in=[d.code for d in reference.districts(scope_code)])


def officer_q(appointments: Sequence[OfficerInfo]) -> Q:
    """Everything the appointments let an officer see: their agency's applications within their
    area, and for service-centre operators the applications filed at their centre."""
    visible = Q(pk__in=[])
    for appointment in appointments:
        visible |= Q(agency_code=appointment.agency_code) & _area_q(appointment.scope_code)
        if SERVICE_CENTRE_OPERATOR in appointment.roles:
            visible |= Q(centre_code=appointment.agency_code)
    return visible


def officer_roles(row: Application, appointments: Sequence[OfficerInfo]) -> set[str]:
    """The roles the appointments give over this application; empty when it is out of scope."""
    roles: set[str] = set()
    for appointment in appointments:
        if appointment.agency_code == row.agency_code and reference.area_within(
            row.area_code, appointment.scope_code
        ):
            roles.update(appointment.roles)
        if SERVICE_CENTRE_OPERATOR in appointment.roles and row.centre_code == appointment.agency_code:
            roles.add(SERVICE_CENTRE_OPERATOR)
    return roles


def centre_visitor_applications(
    appointments: Sequence[OfficerInfo], *, centre_code: str, person_id: str
) -> QuerySet:
    """The visitor's own applications that an operator of the centre may act on for them once
    the visitor has consented at the desk: filed at this centre, or within the operator's area."""
    scopes = [
        a.scope_code
        for a in appointments
        if a.agency_code == centre_code and SERVICE_CENTRE_OPERATOR in a.roles
    ]
    if not scopes or not person_id:
        return Application.objects.none()
    reach = Q(centre_code=centre_code)
    for scope in scopes:
        reach |= _area_q(scope)
    return Application.objects.filter(
        reach, subject_person_id=str(person_id), party_kind__in=[PartyKind.VISITOR, PartyKind.SELF]
    )


def citizen_q(
    account_id,
    *,
    person_id: str | None = None,
    entity_stirs: Iterable[str] = (),
    child_ids: Iterable[str] = (),
) -> Q:
    """A citizen's own applications and those for the entities they represent and their children.

    A service centre files for a visitor by PINFL: those of ``person_id`` made before the
    visitor had an account (no applicant account) are theirs too."""
    mine = Q(applicant_account_id=account_id)
    if person_id:
        mine |= Q(party_kind=PartyKind.VISITOR, subject_person_id=str(person_id))
    if stirs := list(entity_stirs):
        mine |= Q(party_kind="entity", party_ref__in=stirs)
    if children := [str(c) for c in child_ids]:
        mine |= Q(party_kind="child", party_ref__in=children)
    return mine


# Stands for each value of a per-value count while its statement is compiled (see capped_counts).
_EACH = "\x00darcha:each"


def capped_counts(querysets: Sequence[QuerySet], *, each: tuple[QuerySet, str, Sequence] = ()) -> list[int]:
    """How many rows each queryset has, counting no further than COUNT_CAP + 1, in one query;
    then, with ``each=(queryset, field, values)``, how many of that queryset's rows have each
    value in ``field``. The per-value count is compiled once, with a marker for the value that
    each value then replaces as a parameter: compiling a queryset costs about a millisecond of
    CPU, and the inbox counts a dozen states."""
    parts, params = [], []

    def count(queryset: QuerySet) -> tuple[str, list] | None:
        try:
            sql, part_params = queryset.order_by().values("pk")[: COUNT_CAP + 1].query.sql_with_params()
        except EmptyResultSet:  # a filter that matches nothing, such as an officer without appointments
            return None
        # Only SQL compiled by Django goes into the text; every value stays a parameter.
        return f"(SELECT COUNT(*) FROM ({sql}) AS capped)", list(part_params)  # noqa: S608

    for queryset in querysets:
        compiled = count(queryset)
        parts.append(compiled[0] if compiled else "0")
        params.extend(compiled[1] if compiled else [])
    if each:
        base, field, values = each
        compiled = count(base.filter(**{field: _EACH}))
        for value in values:
            parts.append(compiled[0] if compiled else "0")
            params.extend([value if p == _EACH else p for p in compiled[1]] if compiled else [])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        return list(cursor.fetchone())


def _rows(queryset: QuerySet, *, limit: int, offset: int) -> tuple[list[Application], bool]:
    """One page of rows, and whether another follows (one row more is read to know)."""
    rows = list(queryset.only(*SUMMARY_FIELDS)[offset : offset + limit + 1])
    return rows[:limit], len(rows) > limit


def _bounds(limit: int, offset: int) -> tuple[int, int]:
    return max(1, min(int(limit), MAX_PAGE)), max(0, int(offset))


def citizen_page(visible: Q, *, limit: int = 20, offset: int = 0) -> Page:
    limit, offset = _bounds(limit, offset)
    queryset = Application.objects.filter(visible).order_by("-submitted_at", "-id")
    rows, has_next = _rows(queryset, limit=limit, offset=offset)
    # A first page with nothing after it is the whole list: no count needed.
    total = len(rows) if offset == 0 and not has_next else capped_counts([queryset])[0]
    return Page(
        items=summaries(rows),
        total=min(total, COUNT_CAP),
        total_capped=total > COUNT_CAP,
        has_next=has_next,
        limit=limit,
        offset=offset,
    )


def inbox_page(
    appointments: Sequence[OfficerInfo],
    *,
    state: str = "",
    service: str = "",
    assignee_id=None,
    due_today: bool = False,
    overdue: bool = False,
    number: str = "",
    subject_person_id: str | None = None,
    include_closed: bool = False,
    sort: str = "deadline",
    limit: int = 50,
    offset: int = 0,
) -> InboxPage:
    limit, offset = _bounds(limit, offset)
    today = timezone.localdate()
    scoped = Application.objects.filter(officer_q(appointments))
    if not include_closed and not state:
        scoped = scoped.filter(terminal=False)
    if service:
        scoped = scoped.filter(service_code=service)
    if assignee_id:
        scoped = scoped.filter(assignee_id=assignee_id)
    if due_today:
        scoped = scoped.filter(terminal=False, clock_stopped_on__isnull=True, deadline=today)
    if overdue:
        scoped = scoped.filter(terminal=False, clock_stopped_on__isnull=True).filter(
            Q(deadline__lt=today) | Q(state_due__lt=today)
        )
    if number:
        scoped = scoped.filter(number=number)
    if subject_person_id is not None:
        scoped = scoped.filter(subject_person_id=subject_person_id)
    # The states come from the workflow definitions, not from the rows: no scan to find them.
    workflows = all_workflows()
    labels: dict[str, dict[str, str]] = {}
    for workflow in workflows.values():  # the newest version of a workflow names a state first
        for code, definition in workflow.states.items():
            labels.setdefault(code, definition.label)
    queryset = scoped.filter(state=state) if state else scoped
    total, *per_state = capped_counts([queryset], each=(scoped, "state", list(labels)))
    ordering = ("-submitted_at", "-id") if sort == "newest" else ("deadline", "submitted_at", "id")
    rows, has_next = _rows(queryset.order_by(*ordering), limit=limit, offset=offset)
    return InboxPage(
        items=summaries(rows, workflows),
        total=min(total, COUNT_CAP),
        total_capped=total > COUNT_CAP,
        has_next=has_next,
        limit=limit,
        offset=offset,
        counts={code: count for code, count in zip(labels, per_state, strict=True) if count},
        state_labels=labels,
    )


# --- One application ------------------------------------------------------------------------------


def timeline(application_id, workflow: WorkflowDef | None) -> list[TimelineItem]:
    items = []
    for entry in TimelineEntry.objects.filter(application_id=application_id).order_by("at", "id"):
        action = workflow.actions.get(entry.action) if workflow else None
        state = workflow.states.get(entry.to_state) if workflow else None
        items.append(
            TimelineItem(
                at=entry.at,
                action=entry.action,
                action_label=action.label if action else {},
                from_state=entry.from_state,
                to_state=entry.to_state,
                state_label=state.label if state else {},
                actor_kind=entry.actor_kind,
                comment=entry.comment,
                details=entry.details,
                # An officer's label is the centre an operator acted at; an agency system's is
                # its client's name, which is not shown.
                centre_code=entry.actor_label if entry.actor_kind == TimelineEntry.ActorKind.OFFICER else "",
            )
        )
    return items


def internal_comments(application_id) -> list[CommentInfo]:
    return [
        CommentInfo(id=str(c.id), author_id=str(c.author_id), text=c.text, created_at=c.created_at)
        for c in InternalComment.objects.filter(application_id=application_id).order_by("created_at")
    ]


def public_status(number: str, tracking_code: str) -> PublicStatus | None:
    row = Application.objects.filter(number=number, tracking_code=tracking_code).first()
    if row is None:
        return None
    workflow = workflow_version(row.workflow_name, row.workflow_version)
    state = workflow.states.get(row.state) if workflow else None
    return PublicStatus(
        number=row.number,
        service_code=row.service_code,
        service_title=row.service_title,
        state=row.state,
        state_label=state.label if state else {},
        terminal=row.terminal,
        outcome=row.decision_code,
        submitted_at=row.submitted_at,
        deadline=row.deadline,
        updated_at=row.updated_at,
    )


# --- Drafts ---------------------------------------------------------------------------------------


def draft_info(draft: Draft) -> DraftInfo:
    return DraftInfo(
        id=str(draft.id),
        service_code=draft.service_code,
        party_kind=draft.party_kind,
        party_ref=draft.party_ref,
        data=draft.data,
        documents=draft.documents,
        created_at=draft.created_at,
        updated_at=draft.updated_at,
    )


def draft_get(draft_id, account_id) -> DraftInfo | None:
    try:
        draft = Draft.objects.filter(id=draft_id, account_id=account_id).first()
    except (ValueError, TypeError, ValidationError):
        return None
    return draft_info(draft) if draft else None


def drafts_of(account_id, limit: int = 50) -> list[DraftInfo]:
    return [
        draft_info(d) for d in Draft.objects.filter(account_id=account_id).order_by("-updated_at")[:limit]
    ]


# --- Ratings and statistics -----------------------------------------------------------------------


def rating_of(application_id) -> tuple[int, str] | None:
    rating = Rating.objects.filter(application_id=application_id).values_list("stars", "comment").first()
    return tuple(rating) if rating else None


def rating_summaries(group: str) -> list[RatingSummary]:
    column = {"service": "service_code", "agency": "agency_code"}[group]
    rows = Rating.objects.values(column).annotate(n=Count("id"), avg=Avg("stars")).order_by(column)
    return [RatingSummary(key=r[column], count=r["n"], average=round(float(r["avg"]), 2)) for r in rows]


def stats(*, group_by: str, date_from: date | None = None, date_to: date | None = None) -> list[StatsRow]:
    today = timezone.localdate()
    queryset = Application.objects.all()
    if date_from:
        queryset = queryset.filter(submitted_at__date__gte=date_from)
    if date_to:
        queryset = queryset.filter(submitted_at__date__lte=date_to)
    if group_by == "region":
        queryset = queryset.annotate(key=Substr("area_code", 1, 4))
    else:
        queryset = queryset.annotate(key=F(STATS_COLUMNS[group_by]))
    overdue = Q(terminal=False, clock_stopped_on__isnull=True) & (
        Q(deadline__lt=today) | Q(state_due__lt=today)
    )
    rows = (
        queryset.values("key")
        .annotate(
            total=Count("id"),
            completed=Count("id", filter=Q(terminal=True) & ~Q(decision_code__in=["rejected", "withdrawn"])),
            rejected=Count("id", filter=Q(decision_code="rejected")),
            in_progress=Count("id", filter=Q(terminal=False)),
            overdue=Count("id", filter=overdue),
        )
        .order_by("key")
    )
    return [StatsRow(**row) for row in rows]


# --- Queues ---------------------------------------------------------------------------------------


def _waiting(service_code: str, key: Sequence) -> QuerySet:
    """Open applications of the queue named by ``key`` (values of QUEUE_FIELDS[service_code]),
    as the queue's partial index reads them."""
    fields = QUEUE_FIELDS[service_code]
    answers = {f"queue_{field}": answer_text(field) for field in fields}
    wanted = {
        f"queue_{field}": "" if value is None else str(value)
        for field, value in zip(fields, key, strict=True)
    }
    return Application.objects.alias(**answers).filter(service_code=service_code, terminal=False, **wanted)


def queue(service_code: str, key: Sequence) -> list[QueueEntry]:
    """The applications waiting in one queue, first come first served: by arrival at the
    portal, then by public number (given out in order) when two arrived in the same instant."""
    waiting = _waiting(service_code, key).order_by("arrived_at", "number")
    rows = waiting.values_list("id", "number", "arrived_at")
    return [
        QueueEntry(position=position, application_id=str(pk), number=number, arrived_at=arrived)
        for position, (pk, number, arrived) in enumerate(rows, start=1)
    ]


def queue_position(application: ApplicationInfo) -> int | None:
    """The application's place in its queue (1 = next), in one query; None when its service
    has no queue or the application no longer waits."""
    fields = QUEUE_FIELDS.get(application.service_code)
    if fields is None or application.terminal:
        return None
    arrived = Subquery(Application.objects.filter(pk=application.id).values("arrived_at"))
    ahead = _waiting(application.service_code, [application.data.get(field) for field in fields]).filter(
        Q(arrived_at__lt=arrived) | Q(arrived_at=arrived, number__lt=application.number)
    )
    return ahead.count() + 1
