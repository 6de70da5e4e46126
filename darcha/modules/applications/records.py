"""The frozen values the applications module hands out: ids as strings, never model instances."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from darcha.platform.text import localized

# Roles a workflow action may name besides the officer roles.
APPLICANT = "applicant"
SYSTEM = "system"
# Officer roles a workflow may name (identity's roles minus auditor and platform_admin).
OFFICER_ROLES = ("receiver", "reviewer", "approver", "head", "service_centre_operator")


@dataclass(frozen=True)
class StateDef:
    code: str
    label: dict[str, str]
    term_days: int | None
    clock_runs: bool
    terminal: bool
    outcome: str

    def text(self, language: str | None = None) -> str:
        return localized(self.label, language)


@dataclass(frozen=True)
class ActionDef:
    code: str
    label: dict[str, str]
    from_states: tuple[str, ...]
    to_state: str | None
    roles: tuple[str, ...]
    requires: tuple[str, ...]
    notify_applicant: bool

    def text(self, language: str | None = None) -> str:
        return localized(self.label, language)


@dataclass(frozen=True)
class Reason:
    code: str
    label: dict[str, str]

    def text(self, language: str | None = None) -> str:
        return localized(self.label, language)


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: Any = None


@dataclass(frozen=True)
class AutoRules:
    conditions: tuple[Condition, ...]
    on_pass: str
    on_fail: str
    reject_reason: str


@dataclass(frozen=True)
class WorkflowDef:
    """A workflow as one version of its definition defined it."""

    name: str
    version: int
    title: dict[str, str]
    initial: str
    overall_term_days: int | None
    states: dict[str, StateDef]
    actions: dict[str, ActionDef]
    reject_reasons: dict[str, Reason]
    auto_rules: AutoRules | None

    @classmethod
    def from_definition(cls, data: dict[str, Any], version: int) -> "WorkflowDef":
        rules = data.get("auto_rules")
        return cls(
            name=data["name"],
            version=version,
            title=data["title"],
            initial=data["initial"],
            overall_term_days=data.get("overall_term_days"),
            states={
                s["code"]: StateDef(
                    code=s["code"],
                    label=s["label"],
                    term_days=s.get("term_days"),
                    clock_runs=s.get("clock", "runs") == "runs",
                    terminal=s.get("terminal", False),
                    outcome=s.get("outcome", ""),
                )
                for s in data["states"]
            },
            actions={
                a["code"]: ActionDef(
                    code=a["code"],
                    label=a["label"],
                    from_states=tuple(a["from"]),
                    to_state=a.get("to"),
                    roles=tuple(a["roles"]),
                    requires=tuple(a.get("requires", ())),
                    notify_applicant=a.get("notify_applicant", False),
                )
                for a in data["actions"]
            },
            reject_reasons={r["code"]: Reason(r["code"], r["label"]) for r in data.get("reject_reasons", ())},
            auto_rules=AutoRules(
                conditions=tuple(
                    Condition(c["field"], c["op"], c.get("value", True)) for c in rules["conditions"]
                ),
                on_pass=rules["on_pass"],
                on_fail=rules["on_fail"],
                reject_reason=rules["reject_reason"],
            )
            if rules
            else None,
        )

    def actions_from(self, state: str) -> list[ActionDef]:
        return [a for a in self.actions.values() if state in a.from_states]


@dataclass(frozen=True)
class Decision:
    code: str  # the outcome of the final state: approved, rejected, withdrawn, referral, appointment
    reason_code: str
    reason_label: dict[str, str]
    text: str
    details: dict[str, Any]
    decided_at: datetime

    def reason_text(self, language: str | None = None) -> str:
        return localized(self.reason_label, language) if self.reason_label else ""


@dataclass(frozen=True)
class ApplicationSummary:
    """An application as a list shows it."""

    id: str
    number: str
    service_code: str
    service_title: dict[str, str]
    state: str
    state_label: dict[str, str]
    terminal: bool
    clock_runs: bool
    submitted_at: datetime
    deadline: date
    overdue: bool
    escalated: bool
    assignee_id: str | None
    channel: str
    party_kind: str
    agency_code: str
    area_code: str
    version: int

    def title(self, language: str | None = None) -> str:
        return localized(self.service_title, language)

    def status(self, language: str | None = None) -> str:
        return localized(self.state_label, language)


@dataclass(frozen=True)
class ApplicationInfo(ApplicationSummary):
    """Everything about one application, for its page and the API."""

    tracking_code: str
    service_version: int
    form_name: str
    form_version: int
    workflow_name: str
    workflow_version: int
    applicant_account_id: str | None
    submitted_by_id: str
    party_ref: str
    subject_person_id: str
    operator_id: str | None
    centre_code: str
    state_due: date | None
    paused_days: int
    data: dict[str, Any]
    documents: dict[str, list[str]]
    decision: Decision | None
    updated_at: datetime
    # The decision letter (documents module id) once made; see ``api.result_state``.
    result_document_id: str = ""


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    action: str
    action_label: dict[str, str]
    from_state: str
    to_state: str
    state_label: dict[str, str]
    actor_kind: str
    comment: str
    details: dict[str, Any]
    # The service centre (its agency code) where an operator took the step for the applicant.
    centre_code: str = ""

    def action_text(self, language: str | None = None) -> str:
        return localized(self.action_label, language)

    def status(self, language: str | None = None) -> str:
        return localized(self.state_label, language)


@dataclass(frozen=True)
class CommentInfo:
    id: str
    author_id: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class DraftInfo:
    id: str
    service_code: str
    party_kind: str
    party_ref: str
    data: dict[str, Any]
    documents: dict[str, list[str]]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class SubmitResult:
    application: ApplicationInfo
    created: bool  # False: the idempotency key had been used; this is the application it made


# Lists count their rows no further than one past this and say "more than COUNT_CAP" there:
# an exact count would read every open application of a large agency on each page view.
COUNT_CAP = 1000


@dataclass(frozen=True)
class Page:
    items: list[ApplicationSummary]
    total: int
    limit: int
    offset: int
    # With total_capped, ``total`` is COUNT_CAP and there are more.
    total_capped: bool = False
    has_next: bool = False


@dataclass(frozen=True)
class InboxPage(Page):
    # State code → how many applications in the officer's scope are in it (filters other
    # than the state applied; COUNT_CAP + 1 means more than COUNT_CAP), with the labels of
    # every state the workflows define.
    counts: dict[str, int] = field(default_factory=dict)
    state_labels: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class BulkResult:
    done: tuple[str, ...]
    # Application id → why it was not done.
    refused: dict[str, str]


@dataclass(frozen=True)
class QueueEntry:
    """An application waiting in a queue: ``position`` 1 is the next to be served."""

    position: int
    application_id: str
    number: str
    arrived_at: datetime


@dataclass(frozen=True)
class PublicStatus:
    """What anyone holding the number and the tracking code may see: no personal data."""

    number: str
    service_code: str
    service_title: dict[str, str]
    state: str
    state_label: dict[str, str]
    terminal: bool
    outcome: str
    submitted_at: datetime
    deadline: date
    updated_at: datetime

    def title(self, language: str | None = None) -> str:
        return localized(self.service_title, language)

    def status(self, language: str | None = None) -> str:
        return localized(self.state_label, language)


@dataclass(frozen=True)
class RatingSummary:
    key: str  # service code or agency code
    count: int
    average: float


@dataclass(frozen=True)
class StatsRow:
    key: str
    total: int
    completed: int
    rejected: int
    in_progress: int
    overdue: int


@dataclass(frozen=True)
class LoadReport:
    created: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: int = 0
    withdrawn: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.withdrawn)
