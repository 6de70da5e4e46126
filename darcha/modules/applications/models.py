import operator
import uuid
from functools import reduce

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Workflow(models.Model):
    """One workflow definition. Its content lives in versions."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    current_version = models.ForeignKey(
        "WorkflowVersion",
        verbose_name=_("current version"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A workflow removed from workflows/ is withdrawn, never deleted: applications started
    # under its versions still follow them.
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("workflow")
        verbose_name_plural = _("workflows")

    def __str__(self) -> str:
        return self.name


class WorkflowVersion(models.Model):
    workflow = models.ForeignKey(Workflow, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    content_hash = models.CharField(_("content hash"), max_length=64)
    definition = models.JSONField(_("definition"))
    source_file = models.CharField(_("file"), max_length=300)
    loaded_at = models.DateTimeField(_("loaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("workflow version")
        verbose_name_plural = _("workflow versions")
        ordering = ["workflow", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["workflow", "number"], name="applications_workflow_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.workflow.name} v{self.number}"


class PartyKind(models.TextChoices):
    SELF = "self", _("oneself")
    ENTITY = "entity", _("a legal entity")
    CHILD = "child", _("a minor child")
    VISITOR = "visitor", _("a visitor of a service centre")


class Channel(models.TextChoices):
    ONLINE = "online", _("online")
    CENTRE = "centre", _("service centre")
    MOBILE = "mobile", _("mobile app")


class Draft(models.Model):
    """Answers saved as the applicant goes, resumable from any device they sign in on."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    service_code = models.CharField(max_length=60)
    party_kind = models.CharField(max_length=10, choices=PartyKind.choices, default=PartyKind.SELF)
    party_ref = models.CharField(max_length=40, blank=True, default="")
    data = models.JSONField(default=dict)
    # Document type code → ids of uploaded documents (documents module).
    documents = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["account", "-updated_at"], name="draft_account_idx")]

    def __str__(self) -> str:
        return f"draft {self.id}"


# Services whose applications wait in a queue, and the answers (forms/<form>.yaml) that name
# the queue: one per district and kindergarten, or district and school.
QUEUE_FIELDS = {
    "kindergarten-placement": ("district", "preferred_kindergarten"),
    "school-enrollment": ("district", "school_number"),
}


def answer_text(field: str) -> Coalesce:
    """An answer in an application's data as text, "" when absent: the queue indexes and
    the queries that use them must spell it the same way. (SQLite's JSON extraction keeps
    numbers as numbers, hence the cast.)"""
    return Coalesce(
        Cast(KT(f"data__{field}"), models.TextField()), Value(""), output_field=models.TextField()
    )


def _queue_index(service_code: str, name: str) -> models.Index:
    # Only open applications wait; in arrival order, the public number breaking ties.
    return models.Index(
        *(answer_text(field) for field in QUEUE_FIELDS[service_code]),
        "arrived_at",
        "number",
        condition=Q(service_code=service_code, terminal=False),
        name=name,
    )


# Outcomes whose decision the applicant receives as a letter (results.py); a withdrawal has none.
RESULT_OUTCOMES = ("approved", "rejected", "referral", "appointment")
# A decision whose letter is still to be made: the partial index and the query that reads it
# must spell it the same way, with equalities rather than IN, the only way SQLite matches a
# query's bound values to an index's condition.
LETTER_DUE = Q(terminal=True, result_document_id="") & reduce(
    operator.or_, (Q(decision_code=outcome) for outcome in RESULT_OUTCOMES)
)


class Application(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # YY-RRRR-NNNNNN: year, region (SOATO) and a per-year-per-region sequence.
    number = models.CharField(max_length=14, unique=True)
    tracking_code = models.CharField(max_length=10, unique=True)

    # What the application follows: the versions current when it was submitted.
    service_code = models.CharField(max_length=60, db_index=True)
    service_version = models.PositiveIntegerField()
    service_title = models.JSONField(default=dict)
    form_name = models.CharField(max_length=60)
    form_version = models.PositiveIntegerField()
    workflow_name = models.CharField(max_length=60)
    workflow_version = models.PositiveIntegerField()

    # Who applies, for whom, and through which channel.
    applicant_account = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    party_kind = models.CharField(max_length=10, choices=PartyKind.choices)
    # The legal entity's STIR, or the person id of the child or the visitor.
    party_ref = models.CharField(max_length=40, blank=True, default="")
    # The person the application is about (identity's person id).
    subject_person_id = models.CharField(max_length=36, blank=True, default="", db_index=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    centre_code = models.CharField(max_length=64, blank=True, default="")

    # Who handles it: the agency, within the area (district SOATO) of the applicant.
    agency_code = models.CharField(max_length=64)
    area_code = models.CharField(max_length=7)

    state = models.CharField(max_length=40)
    state_entered_at = models.DateTimeField()
    state_due = models.DateField(null=True, blank=True)
    terminal = models.BooleanField(default=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    submitted_at = models.DateTimeField()
    # When the submission reached the portal (platform.http.request_arrival), which orders
    # queues. An idempotent retry returns the first application, so keeps its arrival.
    arrived_at = models.DateTimeField()
    deadline = models.DateField()
    clock_stopped_on = models.DateField(null=True, blank=True)
    paused_days = models.PositiveIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)

    decision_code = models.CharField(max_length=20, blank=True, default="")
    decision_reason = models.CharField(max_length=40, blank=True, default="")
    decision_text = models.TextField(blank=True, default="")
    decision_details = models.JSONField(default=dict)
    decided_at = models.DateTimeField(null=True, blank=True)
    # The decision letter (a documents module id), made once the decision is final; empty
    # while it is being made and for outcomes that have none (withdrawn).
    result_document_id = models.CharField(max_length=36, blank=True, default="")

    data = models.JSONField(default=dict)
    documents = models.JSONField(default=dict)

    idempotency_key = models.CharField(max_length=64)
    request_hash = models.CharField(max_length=64)
    # Optimistic concurrency: every change is UPDATE … WHERE version = the version read.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["submitted_by", "idempotency_key"], name="application_idempotency"
            ),
        ]
        indexes = [
            models.Index(fields=["agency_code", "area_code", "state"], name="application_scope_idx"),
            # The inbox: open applications counted per state read this index alone (no row
            # visits), and pages in deadline order, all or of one state, need no sort.
            models.Index(
                fields=["agency_code", "area_code", "state"],
                condition=Q(terminal=False),
                name="application_open_scope_idx",
            ),
            models.Index(
                fields=["agency_code", "terminal", "deadline", "submitted_at", "id"],
                name="application_inbox_idx",
            ),
            models.Index(
                fields=["agency_code", "state", "deadline", "submitted_at", "id"],
                name="application_state_idx",
            ),
            models.Index(fields=["centre_code", "area_code"], name="application_centre_idx"),
            models.Index(fields=["applicant_account", "-submitted_at"], name="application_applicant_idx"),
            models.Index(fields=["party_kind", "party_ref"], name="application_party_idx"),
            models.Index(fields=["assignee", "terminal"], name="application_assignee_idx"),
            models.Index(fields=["terminal", "escalated_at", "deadline"], name="application_overdue_idx"),
            models.Index(fields=["submitted_at"], name="application_submitted_idx"),
            # Decisions still waiting for their letter, oldest first, for the periodic catch-up
            # (results.results_catch_up): a row leaves the index once its letter is made.
            models.Index(
                fields=["decided_at", "id"],
                condition=LETTER_DUE,
                name="application_letter_due_idx",
            ),
            _queue_index("kindergarten-placement", "application_kg_queue_idx"),
            _queue_index("school-enrollment", "application_school_queue_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class NumberCounter(models.Model):
    """The last sequence number given out per year and region."""

    year = models.PositiveSmallIntegerField()
    region = models.CharField(max_length=4)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["year", "region"], name="number_counter_unique")]

    def __str__(self) -> str:
        return f"{self.year}-{self.region}: {self.last}"


class TimelineEntry(models.Model):
    """One step in an application's life, as the applicant and the officers see it."""

    class ActorKind(models.TextChoices):
        APPLICANT = "applicant", _("applicant")
        OFFICER = "officer", _("officer")
        AGENCY_SYSTEM = "agency_system", _("agency system")
        SYSTEM = "system", _("system")

    id = models.BigAutoField(primary_key=True)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=40)
    from_state = models.CharField(max_length=40, blank=True, default="")
    to_state = models.CharField(max_length=40)
    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices)
    actor_account = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A name for an actor without an account (an agency system's client name).
    actor_label = models.CharField(max_length=200, blank=True, default="")
    # What the applicant is told (a request for information, a reason for refusal).
    comment = models.TextField(blank=True, default="")
    details = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["application", "at"], name="timeline_application_idx")]

    def __str__(self) -> str:
        return f"{self.action} {self.application_id}"


class InternalComment(models.Model):
    """A note between officers, never shown to the applicant."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="internal_comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["application", "created_at"], name="comment_application_idx")]

    def __str__(self) -> str:
        return f"comment {self.id}"


class Rating(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="rating")
    # Copied from the application so the roll-ups need no join.
    service_code = models.CharField(max_length=60)
    agency_code = models.CharField(max_length=64)
    stars = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(stars__gte=1) & Q(stars__lte=5), name="rating_stars_range"),
        ]
        indexes = [
            models.Index(fields=["service_code"], name="rating_service_idx"),
            models.Index(fields=["agency_code"], name="rating_agency_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.stars} for {self.application_id}"


class HandledEvent(models.Model):
    """Events a handler has acted on: a replayed delivery finds its key here and does nothing."""

    event_id = models.UUIDField()
    handler = models.CharField(max_length=100)
    handled_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event_id", "handler"], name="handled_event_unique")]

    def __str__(self) -> str:
        return f"{self.handler} {self.event_id}"
