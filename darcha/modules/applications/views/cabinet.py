"""The citizen's cabinet: every application and draft, one application's story, and what the
applicant can do with it (amend when asked, withdraw, rate)."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from darcha.modules.applications import api
from darcha.modules.applications.forms_web import RatingForm, WithdrawForm
from darcha.modules.applications.views.common import (
    attached_files,
    deadline_view,
    decision_view,
    language,
    page_number,
    pages,
    refusal,
    request_text,
    see_other,
    service_title,
    status_url,
    timeline_items,
)
from darcha.modules.applications.views.filling import slot_views, summary_errors, too_large, upload_cap
from darcha.modules.catalog import api as catalog
from darcha.modules.documents import api as documents
from darcha.modules.forms import api as forms

PER_PAGE = 20
WITHDRAW, RESUBMIT = "withdraw", "resubmit"


@login_required
def cabinet(request: HttpRequest) -> HttpResponse:
    lang = language()
    number = page_number(request)
    page = api.my_applications(request.user.pk, limit=PER_PAGE, offset=(number - 1) * PER_PAGE)
    titles: dict[str, str] = {}
    drafts = [
        {
            "info": d,
            "title": service_title(d.service_code, lang, titles),
            "url": f"{reverse('applications:start', args=[d.service_code])}?draft={d.id}",
        }
        for d in api.drafts(request.user.pk)
    ]
    return render(
        request,
        "applications/cabinet.html",
        {
            "items": [
                {"info": item, "title": item.title(lang), "status": item.status(lang)} for item in page.items
            ],
            "pages": pages(page, number),
            "drafts": drafts,
        },
    )


def _detail_context(request: HttpRequest, application: api.ApplicationInfo) -> dict:
    lang = language()
    actions = {a.code for a in api.applicant_actions(application)}
    timeline = api.timeline(application)
    decision = decision_view(application, lang)
    rateable = (
        application.terminal and application.decision is not None and application.decision.code != "withdrawn"
    )
    names = catalog.document_names(lang)
    files = attached_files(application.documents, viewer_id=request.user.pk)
    return {
        "application": application,
        "title": application.title(lang),
        "status": application.status(lang),
        "timeline": timeline_items(timeline, lang),
        "can_amend": RESUBMIT in actions,
        "can_withdraw": WITHDRAW in actions,
        "request_text": request_text(timeline, application.state) if RESUBMIT in actions else "",
        "decision": decision,
        "deadline": deadline_view(application),
        "queue_position": api.queue_position(application),
        "rateable": rateable,
        "rating": api.rating(application) if rateable else None,
        "rating_form": RatingForm(),
        "documents": [{"label": names.get(code, code), "files": items} for code, items in files.items()],
        "status_url": status_url(application),
        "result": api.result_state(application),
        "result_url": reverse("applications:result", args=[application.number]),
    }


@dataclass(frozen=True)
class Via:
    """Whose hands the amend and withdraw pages are in: the applicant's (no centre), or those of
    an operator of ``centre_code`` acting for the visitor ``visitor_id``; and the pages the
    form posts to (``action_url``) and leads back to (``back_url``)."""

    action_url: str
    back_url: str
    centre_code: str = ""
    visitor_id: str = ""


def _own_pages(application: api.ApplicationInfo, action: str) -> Via:
    return Via(
        action_url=reverse(action, args=[application.number]),
        back_url=reverse("applications:detail", args=[application.number]),
    )


def _own(request: HttpRequest, number: str) -> api.ApplicationInfo | None:
    return api.application_by_number(number, request.user.pk)


def _missing(request: HttpRequest) -> HttpResponse:
    return refusal(request, api.NotFound(_("There is no such application.")))


@login_required
def detail(request: HttpRequest, number: str) -> HttpResponse:
    application = _own(request, number)
    if application is None:
        return _missing(request)
    return render(request, "applications/detail.html", _detail_context(request, application))


@login_required
@require_safe
def result(request: HttpRequest, number: str) -> HttpResponse:
    """The decision letter as a PDF download (never shown inline from the portal's origin)."""
    application = _own(request, number)
    if application is None:
        return _missing(request)
    try:
        return api.result_response(application)
    except api.ApplicationError as error:
        return refusal(request, error)


@login_required
@require_POST
def rate(request: HttpRequest, number: str) -> HttpResponse:
    application = _own(request, number)
    if application is None:
        return _missing(request)
    form = RatingForm(request.POST)
    context = _detail_context(request, application)
    context["rating_form"] = form
    if not form.is_valid():
        return render(request, "applications/detail.html", context, status=422)
    try:
        api.rate(
            application_id=application.id,
            account_id=request.user.pk,
            stars=form.cleaned_data["stars"],
            comment=form.cleaned_data["comment"],
        )
    except api.ApplicationError as error:
        context["problem"] = error.message
        for name, problems in error.errors.items():
            for problem in problems:
                form.add_error(name if name in form.fields else None, problem)
        return render(request, "applications/detail.html", context, status=error.status)
    messages.success(request, _("Thank you for your rating."))
    return see_other(reverse("applications:detail", args=[application.number]))


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, number: str) -> HttpResponse:
    application = _own(request, number)
    if application is None:
        return _missing(request)
    return withdraw_page(request, application)


def withdraw_page(
    request: HttpRequest, application: api.ApplicationInfo, via: Via | None = None
) -> HttpResponse:
    """The withdraw page, for the applicant or (``via``) an operator acting for the visitor."""
    via = via or _own_pages(application, "applications:withdraw")
    lang = language()
    context = {"application": application, "title": application.title(lang), "via": via}
    if request.method == "GET":
        context["form"] = WithdrawForm(initial={"version": application.version})
        return render(request, "applications/withdraw.html", context)
    form = WithdrawForm(request.POST)
    context["form"] = form
    if not form.is_valid():
        return render(request, "applications/withdraw.html", context, status=422)
    try:
        api.withdraw(
            application_id=application.id,
            account_id=request.user.pk,
            expected_version=form.cleaned_data["version"],
            comment=form.cleaned_data["comment"],
            centre_code=via.centre_code,
            visitor_id=via.visitor_id,
        )
    except api.ApplicationError as error:
        context["problem"] = error.message
        return render(request, "applications/withdraw.html", context, status=error.status)
    messages.success(
        request,
        _("The application is withdrawn.") if via.centre_code else _("Your application is withdrawn."),
    )
    return see_other(via.back_url)


def _render_amend(
    request, application, form, via: Via, *, data, errors=None, problem="", status=200
) -> HttpResponse:
    lang = language()
    errors = errors or {}
    names = catalog.document_names(lang)
    files = attached_files(application.documents, viewer_id=request.user.pk)
    return render(
        request,
        "applications/amend.html",
        {
            "application": application,
            "title": application.title(lang),
            "fields": forms.render(form, data=data, errors=summary_errors(errors, names), language=lang),
            "slots": slot_views(form, files, errors, names, lang),
            "comment": request.POST.get("comment", ""),
            "version": request.POST.get("version", application.version),
            "problem": problem,
            "request_text": request_text(api.timeline(application), application.state),
            "via": via,
        },
        status=status,
    )


@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def amend(request: HttpRequest, number: str) -> HttpResponse:
    application = _own(request, number)
    if application is None:
        return _missing(request)
    return amend_page(request, application)


def amend_page(
    request: HttpRequest, application: api.ApplicationInfo, via: Via | None = None
) -> HttpResponse:
    """The amend page, for the applicant or (``via``) an operator acting for the visitor."""
    via = via or _own_pages(application, "applications:amend")
    form = forms.form_version(application.form_name, application.form_version)
    if request.method == "GET":
        return _render_amend(request, application, form, via, data=application.data)
    documents.limit_upload_size(request, max_bytes=upload_cap(form))
    return _amend_post(request, application, form, via)


def _intake(request: HttpRequest, form: forms.FormInfo, owner_id: str) -> tuple[dict, dict]:
    """Check and store the newly posted files: (document code → new ids, errors)."""
    added: dict[str, list[str]] = {}
    errors: dict[str, list[str]] = {}
    for slot in form.documents:
        problems = too_large(request, slot)
        for upload in request.FILES.getlist(f"document-{slot.code}"):
            try:
                stored = documents.document_intake(
                    upload=upload,
                    owner_id=owner_id,
                    max_bytes=slot.max_bytes,
                    allowed_types=set(slot.types),
                    purpose=f"application:{slot.code}",
                )
            except documents.DocumentRejected as rejected:
                problems.append(rejected.message)
            else:
                added.setdefault(slot.code, []).append(stored.id)
        if problems:
            errors[f"documents.{slot.code}"] = problems
    return added, errors


@csrf_protect
def _amend_post(
    request: HttpRequest, application: api.ApplicationInfo, form: forms.FormInfo, via: Via
) -> HttpResponse:
    lang = language()
    raw = request.POST
    clean, errors = forms.validate(form, raw, language=lang)
    if errors:
        return _render_amend(request, application, form, via, data=raw, errors=errors, status=422)
    # Files belong to whoever submitted the application, as the submission checks.
    added, errors = _intake(request, form, application.submitted_by_id)
    if errors:
        return _render_amend(request, application, form, via, data=raw, errors=errors, status=422)
    removed = set(raw.getlist("remove"))
    attached = {
        code: [i for i in ids if i not in removed] + added.pop(code, [])
        for code, ids in application.documents.items()
    }
    attached = {code: ids for code, ids in {**attached, **added}.items() if ids}
    try:
        api.amend(
            application_id=application.id,
            account_id=request.user.pk,
            expected_version=raw.get("version"),
            data=clean,
            documents=attached,
            comment=raw.get("comment", ""),
            language=lang,
            centre_code=via.centre_code,
            visitor_id=via.visitor_id,
        )
    except api.ApplicationError as error:
        return _render_amend(
            request,
            application,
            form,
            via,
            data=raw,
            errors=error.errors,
            problem=error.message,
            status=error.status,
        )
    messages.success(
        request,
        _("The corrected application is sent to the agency.")
        if via.centre_code
        else _("Your corrected application is sent to the agency."),
    )
    return see_other(via.back_url)


@login_required
@require_POST
def draft_delete(request: HttpRequest, draft_id) -> HttpResponse:
    try:
        api.draft_delete(draft_id=draft_id, account_id=request.user.pk)
    except api.ApplicationError as error:
        return refusal(request, error)
    messages.success(request, _("The draft is deleted."))
    return see_other(reverse("applications:cabinet"))
