"""Result documents: once an application is decided, its decision letter as a PDF.

The letter is made by the outbox handler ``make_result`` after the decision commits, in the
applicant's language, and kept through the documents module; the application holds its id.
A periodic catch-up asks the same handler for the letters that never came (``results_catch_up``).
It carries what the applicant's page shows of the decision (never an officer's name) and a
QR code of the public status page, so anyone handed the paper can check it.
"""

import functools
import hashlib
import io
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import rendercv_fonts
import segno
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from fontTools import subset
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.fonts import FontFace

from darcha.modules.applications import events as app_events
from darcha.modules.applications import selectors
from darcha.modules.applications.models import LETTER_DUE, RESULT_OUTCOMES, Application, TimelineEntry
from darcha.modules.applications.records import WorkflowDef
from darcha.modules.documents import api as documents
from darcha.modules.identity import api as identity
from darcha.modules.reference import api as reference
from darcha.platform import events
from darcha.platform.events import operations
from darcha.platform.text import localized

PURPOSE = "application_result"
# The outbox handler that makes letters (handlers.make_result), by the name the outbox keeps.
LETTER_HANDLER = "darcha.modules.applications.handlers.make_result"
# How many catch-up letters may wait in the outbox at once: each takes a worker about a
# quarter of a second (docs/PERFORMANCE.md), so a backlog of old decisions never crowds out
# the other events.
CATCH_UP_BATCH = 50
# Noto Sans covers Latin, Cyrillic and the Uzbek letters (o‘ g‘ ў ғ қ ҳ); the font ships on
# PyPI, so a fresh machine needs no system fonts.
FONT_DIR = Path(rendercv_fonts.path_of["Noto Sans"])
FONT = "NotoSans"
FONT_FILES = {"": "NotoSans-Regular.ttf", "B": "NotoSans-Bold.ttf"}
# What a letter may contain: Latin with its extensions and modifier letters (ʻ), Cyrillic,
# general punctuation (‘ ’ « » – —), № and the euro and som signs.
LETTER_UNICODES = (
    *range(0x20, 0x250),
    *range(0x2B0, 0x300),
    *range(0x400, 0x530),
    *range(0x2000, 0x2070),
    0x20AC,
    0x2116,
)

HEADINGS = {
    "approved": gettext_lazy("Decision to approve the application"),
    "rejected": gettext_lazy("Decision to refuse the application"),
    "referral": gettext_lazy("Referral"),
    "appointment": gettext_lazy("Invitation to an appointment"),
}
DECIDERS = {
    "officer": gettext_lazy("an officer of the agency"),
    "agency_system": gettext_lazy("the agency’s information system"),
    "system": gettext_lazy("Darcha, automatically, by the service’s rules"),
}
DATE_TIME = "%d.%m.%Y %H:%M"


def expects_result(row: Application) -> bool:
    """Whether the application has (or is about to have) a result document."""
    return row.terminal and row.decision_code in RESULT_OUTCOMES


@dataclass(frozen=True)
class Letter:
    """What the decision letter says, already in its language."""

    language: str
    portal: str
    agency: str
    heading: str
    subtitle: str
    rows: tuple[tuple[str, str], ...]
    status_url: str
    footer: str
    decided_at: datetime


def status_url(number: str, tracking_code: str) -> str:
    """The public status page of the application, absolute, as the QR code carries it."""
    query = urlencode({"number": number, "code": tracking_code})
    return f"{settings.APPLICATIONS_PUBLIC_URL.rstrip('/')}{reverse('applications:status')}?{query}"


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime(DATE_TIME)


def _applicant_and_party(row: Application, language: str) -> tuple[str, str]:
    """(who applied, whom the application is for, when it is someone else)."""
    subject = identity.person(row.subject_person_id) if row.subject_person_id else None
    subject_name = subject.full_name(language) if subject else ""
    if row.party_kind == "entity":
        representative = identity.person_for_account(row.applicant_account_id)
        entity = identity.entity_by_stir(row.party_ref)
        party = f"{entity.name} ({_('STIR')} {entity.stir})" if entity else row.party_ref
        return (representative.full_name(language) if representative else subject_name), party
    if row.party_kind == "child":
        parent = identity.person_for_account(row.applicant_account_id) if row.applicant_account_id else None
        return (parent.full_name(language) if parent else ""), subject_name
    return subject_name, ""


def _decider(row: Application, agency: str, workflow: WorkflowDef | None, language: str) -> str:
    """The agency and the kind of actor that took the deciding step, with the step's name."""
    step = (
        TimelineEntry.objects.filter(application_id=row.id, to_state=row.state).order_by("-at", "-id").first()
    )
    if step is None:
        return agency
    action = workflow.actions.get(step.action) if workflow else None
    who = DECIDERS.get(step.actor_kind)
    parts = [agency, str(who) if who else "", action.text(language) if action else ""]
    return ", ".join(part for part in parts if part)


def letter_of(row: Application, language: str) -> Letter:
    """The letter's content for a decided application, in ``language``."""
    with translation.override(language):
        workflow = selectors.workflow_version(row.workflow_name, row.workflow_version)
        found = reference.agency(row.agency_code)
        agency = found.label(language) if found else row.agency_code
        applicant, party = _applicant_and_party(row, language)
        state = workflow.states.get(row.state) if workflow else None
        reason = workflow.reject_reasons.get(row.decision_reason) if workflow else None
        appointment = parse_datetime(row.decision_details.get("appointment_at") or "")
        rows = [
            (_("Service"), localized(row.service_title, language)),
            (_("Applicant"), applicant),
            (_("On behalf of"), party),
            (_("Decision"), state.text(language) if state else row.decision_code),
            (_("Reason"), reason.text(language) if reason else ""),
            (_("Place"), row.decision_details.get("place", "")),
            (_("Appointment"), _local(appointment) if appointment else ""),
            (_("The agency writes"), row.decision_text),
            (_("Date of the decision"), _local(row.decided_at)),
            (_("Decided by"), _decider(row, agency, workflow, language)),
        ]
        portal = str(settings.SITE_NAME)
        return Letter(
            language=language,
            portal=portal,
            agency=agency,
            heading=str(HEADINGS[row.decision_code]),
            subtitle=_("Application no. %(number)s of %(date)s")
            % {"number": row.number, "date": timezone.localtime(row.submitted_at).strftime("%d.%m.%Y")},
            rows=tuple((label, value) for label, value in rows if value),
            status_url=status_url(row.number, row.tracking_code),
            footer=_(
                "Made by %(portal)s from the agency’s decision. Scan the code or open the link to "
                "check the application’s status."
            )
            % {"portal": portal},
            decided_at=row.decided_at,
        )


@functools.cache
def letter_font(style: str) -> Path:
    """Noto Sans cut down, once per process, to the letters a decision letter may use and
    without its shaping tables (letters need none): full, it takes fpdf2 seconds to read and
    subset on each document; cut, a small part of that."""
    source = FONT_DIR / FONT_FILES[style]
    folder = Path(tempfile.gettempdir()) / "darcha-fonts"
    # Named by the font's version and the cut, so a changed cut never reads an old file.
    cut = hashlib.sha256(repr(LETTER_UNICODES).encode()).hexdigest()[:12]
    target = folder / f"{source.stem}-{rendercv_fonts.__version__}-{cut}.ttf"
    if target.exists():
        return target
    options = subset.Options()
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF"]
    options.hinting = False
    options.name_IDs = ["*"]
    font = TTFont(source)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=LETTER_UNICODES)
    subsetter.subset(font)
    folder.mkdir(exist_ok=True)
    # Written aside and renamed: a process reading it never sees half a font.
    partial = folder / f"{target.name}.{os.getpid()}"
    font.save(partial)
    partial.replace(target)
    return target


def letter_pdf(letter: Letter) -> bytes:
    """The letter as an A4 PDF with the font embedded (only the glyphs used)."""
    pdf = FPDF(format="A4")
    # The letter's own date, so the same decision always gives the same bytes.
    pdf.set_creation_date(letter.decided_at)
    pdf.set_lang(letter.language)
    pdf.set_title(f"{letter.heading}: {letter.subtitle}")
    pdf.set_author(letter.agency)
    pdf.set_creator(letter.portal)
    for style in FONT_FILES:
        pdf.add_font(FONT, style, letter_font(style))
    pdf.set_margins(20, 18, 20)
    pdf.add_page()
    pdf.set_text_color(90, 90, 90)
    pdf.set_font(FONT, size=10)
    pdf.multi_cell(0, 5, letter.portal, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(FONT, "B", 12)
    pdf.multi_cell(0, 6, letter.agency, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font(FONT, "B", 16)
    pdf.multi_cell(0, 8, letter.heading, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=11)
    pdf.multi_cell(0, 6, letter.subtitle, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    with pdf.table(
        col_widths=(35, 65),
        text_align="LEFT",
        borders_layout="HORIZONTAL_LINES",
        first_row_as_headings=False,
        line_height=6,
        padding=1.5,
    ) as table:
        for label, value in letter.rows:
            row = table.row()
            row.cell(label, style=FontFace(emphasis="BOLD"))
            row.cell(value)
    pdf.ln(10)
    code = io.BytesIO()
    segno.make(letter.status_url, error="m").save(code, kind="png", scale=6, border=2)
    top = pdf.get_y()
    pdf.image(code, x=pdf.l_margin, y=top, w=32, h=32)
    pdf.set_xy(pdf.l_margin + 36, top + 2)
    pdf.set_font(FONT, size=9)
    pdf.multi_cell(0, 5, f"{letter.footer}\n{letter.status_url}", align="L", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _language_of(row: Application) -> str:
    contact = identity.contact_for(row.applicant_account_id) if row.applicant_account_id else None
    return contact.language if contact and contact.language else settings.LANGUAGE_CODE


@transaction.atomic
def result_produce(*, application_id) -> bool:
    """Make the application's result document unless it has one; True when it made it.

    The row stays locked until commit, so deliveries run at once by two workers make one
    document: the second finds the first one's id. A failure rolls everything back and the
    delivery is retried.
    """
    row = Application.objects.select_for_update().filter(id=application_id).first()
    if row is None or not expects_result(row) or row.result_document_id:
        return False
    stored = documents.document_store_generated(
        data=letter_pdf(letter_of(row, _language_of(row))),
        kind="pdf",
        filename=f"{row.number}.pdf",
        # Not the applicant's account: a letter is never one of their uploads to attach.
        owner_id=f"application:{row.id}",
        purpose=PURPOSE,
    )
    Application.objects.filter(id=row.id).update(result_document_id=stored.id)
    return True


def results_catch_up(*, batch: int = CATCH_UP_BATCH) -> int:
    """Ask the letter handler for the letters of decided applications that have none and none
    on its way: decided before letters existed, or whose letter's delivery ended dead. Oldest
    decisions first, with at most ``batch`` of these requests waiting at once; one whose own
    delivery ended dead is left to an operator's replay. Returns how many it asked for.

    Safe in many workers at once: a letter asked for twice is made once (``result_produce``).
    """
    busy, given_up, untold, waiting = set(), set(), set(), 0
    for delivery in operations.unfinished(LETTER_HANDLER):
        payload = delivery.payload
        if payload.get("outcome") not in RESULT_OUTCOMES:
            continue
        application_id = payload.get("application_id")
        if delivery.pending:
            busy.add(application_id)
            waiting += delivery.event_type == app_events.RESULT_DUE
        elif delivery.event_type == app_events.RESULT_DUE:
            given_up.add(application_id)
        elif payload.get("notify_applicant"):
            # The decision's message was to come with the letter: the applicant was never told.
            untold.add(application_id)
    if waiting >= batch:
        return 0
    due = list(
        Application.objects.filter(LETTER_DUE)
        .exclude(id__in=busy | given_up)
        .order_by("decided_at", "id")[: batch - waiting]
    )
    with transaction.atomic():
        for row in due:
            events.publish(
                app_events.RESULT_DUE,
                selectors.event_payload(
                    row,
                    to_state=row.state,
                    outcome=row.decision_code,
                    notify_applicant=str(row.id) in untold,
                ),
            )
    return len(due)
