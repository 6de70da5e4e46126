"""The service form page, shared by people applying online and by service-centre operators.

Every post saves a draft first (the answers that passed and the uploaded files), so nothing
typed is lost and the draft can be resumed on another device. "Submit" then submits that
draft with the idempotency key the page was rendered with: a second click, a reload or a
retry after a lost response gives back the same application.
"""

import json
import uuid
from dataclasses import dataclass, field

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from darcha.modules.applications import api
from darcha.modules.applications.errors import with_document_names
from darcha.modules.applications.views.common import (
    attached_files,
    language,
    refusal,
    refused,
    see_other,
)
from darcha.modules.catalog import api as catalog
from darcha.modules.documents import api as documents
from darcha.modules.forms import api as forms

SAVE, SUBMIT, AUTOSAVE = "save", "submit", "autosave"
# How long a submitted form's key is remembered, and how long a submission may take.
DONE_SECONDS = 24 * 3600
BUSY_SECONDS = 120
ACCEPT = {"pdf": ".pdf,application/pdf", "jpeg": ".jpg,.jpeg,image/jpeg", "png": ".png,image/png"}
KIND_NAMES = {"pdf": "PDF", "jpeg": "JPEG", "png": "PNG"}


@dataclass(frozen=True)
class Party:
    """One answer to "for whom do you apply"."""

    value: str  # what the radio button posts
    kind: str  # self, entity, child, visitor
    ref: str
    label: str


@dataclass(frozen=True)
class Filing:
    """Who fills the form, for whom, and through which channel."""

    account_id: str
    service: catalog.ServiceInfo
    form: forms.FormInfo
    parties: tuple[Party, ...]
    action_url: str
    channel: str = "online"
    centre_code: str = ""
    template: str = "applications/apply.html"
    context: dict = field(default_factory=dict)

    def party(self, value: str) -> Party | None:
        return next((p for p in self.parties if p.value == value), None)


def upload_cap(form: forms.FormInfo) -> int:
    """The largest file any of the form's documents accepts: bigger ones are dropped unread."""
    return max((slot.max_bytes for slot in form.documents), default=documents.default_max_bytes())


def _submitted_text(value) -> str:
    """A JSON value as the string an HTML control submits for it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _condition(form: forms.FormInfo, slot: forms.DocumentSlot, lang: str) -> dict:
    """When a document applies only to some answers: the note that says so, and the data
    attributes with which the forms module's script hides it while it does not apply."""
    field = form.field(slot.condition.field) if slot.condition else None
    if field is None:
        return {}
    values = [_submitted_text(value) for value in slot.condition.values]
    label = field.label(lang)
    if field.widget == "checkbox":
        ticked = values == ["true"]
        note = (
            _("Needed only if “%(field)s” is ticked.")
            if ticked
            else _("Needed only if “%(field)s” is not ticked.")
        ) % {"field": label}
    else:
        shown = ", ".join(field.option_label(value, lang) for value in slot.condition.values)
        note = _("Needed only if “%(field)s” is: %(values)s.") % {"field": label, "values": shown}
    return {"note": note, "show_if": field.name, "show_if_values": json.dumps(values)}


def slot_views(
    form: forms.FormInfo,
    files: dict[str, list[dict]],
    errors: dict[str, list[str]],
    names: dict[str, str],
    lang: str,
) -> list[dict]:
    """The form's document uploads as the page shows them, with the files already attached."""
    return [
        {
            "code": slot.code,
            "id": f"document-{slot.code}",
            "label": names.get(slot.code, slot.code),
            "required": slot.required,
            "types": ", ".join(KIND_NAMES.get(kind, kind) for kind in slot.types),
            "max_mb": slot.max_mb,
            "accept": ",".join(ACCEPT[kind] for kind in slot.types if kind in ACCEPT),
            "files": files.get(slot.code, []),
            "errors": errors.get(f"documents.{slot.code}", []),
            **_condition(form, slot, lang),
        }
        for slot in form.documents
    ]


def summary_errors(errors: dict[str, list[str]], names: dict[str, str]) -> dict[str, list[str]]:
    """Errors as the form's summary lists them: documents and the party choice named in words."""
    return {
        key: [f"{_('For whom you apply')}: {message}" for message in messages]
        if key in ("party_kind", "party_ref")
        else messages
        for key, messages in with_document_names(errors, names).items()
    }


def too_large(request: HttpRequest, slot: forms.DocumentSlot) -> list[str]:
    """The documents module's own message for a file dropped for its size, if it was."""
    if f"document-{slot.code}" not in documents.oversized_uploads(request):
        return []
    return [documents.DocumentRejected("too_large", limit=f"{slot.max_mb} MB").message]


def render_form(
    request: HttpRequest,
    filing: Filing,
    *,
    draft: api.DraftInfo | None,
    data,
    errors: dict[str, list[str]] | None = None,
    party: str = "",
    key: str = "",
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    lang = language()
    errors = errors or {}
    names = catalog.document_names(lang)
    files = attached_files(draft.documents, viewer_id=filing.account_id) if draft else {}
    chosen = filing.party(party) or filing.parties[0]
    context = {
        "filing": filing,
        "service_title": filing.service.text("title", lang),
        "form_title": filing.form.text(lang),
        "fields": forms.render(filing.form, data=data, errors=summary_errors(errors, names), language=lang),
        "slots": slot_views(filing.form, files, errors, names, lang),
        "party": chosen.value,
        "party_label": chosen.label,
        "draft": draft,
        "key": key or uuid.uuid4().hex,
        "notice": notice,
        **filing.context,
    }
    return render(request, filing.template, context, status=status)


def _own_draft(filing: Filing, draft_id: str) -> api.DraftInfo | None:
    if not draft_id:
        return None
    found = api.draft(draft_id, filing.account_id)
    if found is None or found.service_code != filing.service.code:
        raise Http404
    return found


def _upload_files(request: HttpRequest, filing: Filing, draft: api.DraftInfo) -> dict[str, list[str]]:
    """Attach the posted files to the draft; errors under ``documents.<code>``."""
    errors: dict[str, list[str]] = {}
    for slot in filing.form.documents:
        problems = too_large(request, slot)
        for upload in request.FILES.getlist(f"document-{slot.code}"):
            try:
                api.draft_upload(
                    draft_id=draft.id, account_id=filing.account_id, code=slot.code, upload=upload
                )
            except api.ApplicationError as error:
                problems.append(error.message)
        if problems:
            errors[f"documents.{slot.code}"] = problems
    return errors


def _typed(raw, errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """While drafting, an empty answer is not yet a mistake; a wrong one is."""
    return {name: messages for name, messages in errors.items() if str(raw.get(name, "")).strip()}


def handle_post(request: HttpRequest, filing: Filing, *, page_of) -> HttpResponse:
    """Save the draft, attach files, and on "Submit" submit it; ``page_of(number)`` is the page
    to go to once submitted."""
    key = request.POST.get("idempotency_key", "")
    if not api.valid_idempotency_key(key):
        return refusal(request, api.BadRequest(_("The form has expired. Open it again and resubmit.")))
    done = f"applications:submitted:{filing.account_id}:{key}"
    if number := cache.get(done):
        return see_other(page_of(number))  # a repeat of a form already submitted: the same application
    intent = request.POST.get("intent")
    if intent != SUBMIT:
        return _fill(
            request,
            filing,
            key=key,
            intent=AUTOSAVE if intent == AUTOSAVE else SAVE,
            done=done,
            page_of=page_of,
        )
    # A double click sends the form twice at once; the second waits for nothing and says so.
    busy = f"{done}:busy"
    if not cache.add(busy, 1, timeout=BUSY_SECONDS):
        return refused(
            request, _("This form is being submitted already. Wait a moment, then reload the page."), 409
        )
    try:
        return _fill(request, filing, key=key, intent=SUBMIT, done=done, page_of=page_of)
    finally:
        cache.delete(busy)


def _fill(request: HttpRequest, filing: Filing, *, key: str, intent: str, done: str, page_of) -> HttpResponse:
    raw = request.POST
    party = filing.party(raw.get("party", ""))
    if party is None:
        return refusal(request, api.BadRequest(_("Choose for whom you apply, then fill in the form again.")))
    clean, errors = forms.validate(filing.form, raw, language=language())
    draft_id = raw.get("draft", "")
    try:
        draft = _own_draft(filing, draft_id)
        draft = api.draft_save(
            account_id=filing.account_id,
            service_code=filing.service.code,
            data=clean,
            draft_id=draft.id if draft else None,
            party_kind=party.kind,
            party_ref=party.ref,
        )
    except Http404:
        if intent == SUBMIT and draft_id:
            # The draft is gone because this very form was submitted already: the same
            # idempotency key gives back the application it made.
            return _submit(
                request, filing, draft_id=draft_id, key=key, raw=raw, draft=None, done=done, page_of=page_of
            )
        raise
    except api.ApplicationError as error:
        return refusal(request, error)
    for document_id in raw.getlist("remove"):
        api.draft_remove_document(draft_id=draft.id, account_id=filing.account_id, document_id=document_id)
    if intent == AUTOSAVE:
        # The page's script saves what is typed as it goes; it learns the draft to keep saving.
        saved_at = date_format(timezone.localtime(timezone.now()), "H:i")
        return JsonResponse(
            {"draft": draft.id, "message": _("Draft saved at %(time)s.") % {"time": saved_at}}
        )
    errors.update(_upload_files(request, filing, draft))
    draft = api.draft(draft.id, filing.account_id)
    if intent == SAVE:
        shown = {**_typed(raw, errors), **{k: v for k, v in errors.items() if k.startswith("documents.")}}
        if shown:
            return render_form(
                request,
                filing,
                draft=draft,
                data=raw,
                errors=shown,
                party=party.value,
                key=key,
                notice=_("The draft is saved, except the answers marked below."),
                status=422,
            )
        return see_other(f"{filing.action_url}?draft={draft.id}&saved=1")
    if errors:
        return render_form(
            request, filing, draft=draft, data=raw, errors=errors, party=party.value, key=key, status=422
        )
    return _submit(
        request, filing, draft_id=draft.id, key=key, raw=raw, draft=draft, done=done, page_of=page_of
    )


def _submit(request, filing: Filing, *, draft_id, key: str, raw, draft, done: str, page_of) -> HttpResponse:
    try:
        result = api.submit(
            account_id=filing.account_id,
            idempotency_key=key,
            draft_id=draft_id,
            channel=filing.channel,
            centre_code=filing.centre_code,
            language=language(),
        )
    except api.Invalid as error:
        if draft is None:
            return refusal(request, error)
        errors = error.errors or {"__all__": [error.message]}
        return render_form(
            request,
            filing,
            draft=draft,
            data=raw,
            errors=errors,
            party=raw.get("party", ""),
            key=key,
            status=error.status,
        )
    except api.ApplicationError as error:
        return refusal(request, error)
    number = result.application.number
    cache.set(done, number, timeout=DONE_SECONDS)
    return see_other(page_of(number))
