"""The back office: an agency's inbox within the officer's area, and one application's page
with the applicant, the answers, the documents, the timeline and the decision forms.

An application outside the officer's agency and area is answered 404, like one that does
not exist, so guessing ids tells nothing.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from darcha.modules.applications import api
from darcha.modules.applications.forms_web import CommentForm, InboxFilterForm, InboxSearchForm
from darcha.modules.applications.records import COUNT_CAP
from darcha.modules.applications.views.common import (
    CHANNELS,
    agency_label,
    area_label,
    attached_files,
    deadline_view,
    decision_view,
    language,
    page_number,
    pages,
    refusal,
    see_other,
    timeline_items,
)
from darcha.modules.catalog import api as catalog
from darcha.modules.forms import api as forms
from darcha.modules.identity import api as identity
from darcha.modules.reference import api as reference
from darcha.platform import audit
from darcha.platform.text import localized

PER_PAGE = 50
# Any valid number: the detail URL is reversed with it once and each row's number put in its place.
NUMBER_PLACEHOLDER = "00-0000-000000"
ASSIGN = "assign"
ASSIGNING_ROLES = {"receiver", "head"}
# Who work may be assigned to: the officers of the agency who handle applications.
ASSIGNEE_ROLES = ("receiver", "reviewer", "approver", "head")
OFFICER_ROLES = {"receiver", "reviewer", "approver", "head", "service_centre_operator"}
# The fields a decision form may post, as the workflow action requires them.
ACTION_FIELDS = ("comment", "reason_code", "target_agency", "assignee", "place", "appointment_at")


def _appointments(request: HttpRequest) -> list[identity.OfficerInfo]:
    return identity.current_officer(request)


def _filters(request: HttpRequest) -> dict:
    form = InboxFilterForm(request.GET)
    form.is_valid()  # a wrong filter value is left out, not refused
    values = {name: form.cleaned_data.get(name) for name in form.fields}
    return {name: value for name, value in values.items() if value}


def _assignees(request: HttpRequest, agencies, lang: str, *, area: str = "") -> list[tuple[str, str]]:
    """(account id, name) of the officers of ``agencies`` (working in ``area``, when given), me first."""
    me = str(request.user.pk)
    found: dict[str, None] = {me: None}
    for agency in sorted(set(agencies)):
        for account_id, appointment in identity.officer_accounts(agency, *ASSIGNEE_ROLES):
            if not area or reference.area_within(area, appointment.scope_code):
                found.setdefault(str(account_id), None)
    people = identity.persons_for_accounts(list(found))
    choices = []
    for account_id in found:
        person = people.get(account_id)
        name = person.full_name(lang) if person else account_id
        choices.append((account_id, _("%(name)s (me)") % {"name": name} if account_id == me else name))
    return choices


def _rows(items: list[api.ApplicationSummary], lang: str, me: str) -> list[dict]:
    """The inbox rows with every cell ready to print. The row loop was most of the page's
    rendering time: here the detail URL is reversed and the labels translated once per page,
    not by template tags in every row."""
    # One reversal for the page; a number (digits and hyphens) needs no quoting in a path.
    before, after = reverse("applications:office-detail", args=[NUMBER_PLACEHOLDER]).split(NUMBER_PLACEHOLDER)
    choose = _("Choose %(number)s")
    channels = {code: str(label) for code, label in CHANNELS.items()}
    return [
        {
            "id": item.id,
            "number": item.number,
            "url": f"{before}{item.number}{after}",
            "choose": choose % {"number": item.number},
            "title": item.title(lang),
            "status": item.status(lang),
            "deadline": f"{item.deadline:%d.%m.%Y}",
            "overdue": item.overdue,
            "clock_stopped": not item.clock_runs and not item.terminal,
            "channel": channels.get(item.channel, item.channel),
            "mine": item.assignee_id == me,
            "assigned": bool(item.assignee_id),
        }
        for item in items
    ]


def _query_string(filters: dict, **changes) -> str:
    merged = {**filters, **changes}
    return urlencode({k: ("1" if v is True else v) for k, v in merged.items() if v})


def _inbox_response(
    request: HttpRequest,
    *,
    search: InboxSearchForm,
    query: str = "",
    purpose: str = "",
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    appointments = _appointments(request)
    filters = _filters(request)
    number = page_number(request)
    lang = language()
    inbox = api.inbox(
        appointments,
        actor_account_id=request.user.pk,
        state=filters.get("state", ""),
        service=filters.get("service", ""),
        assigned_to_me=bool(filters.get("mine")),
        due_today=bool(filters.get("due")),
        overdue=bool(filters.get("overdue")),
        query=query,
        purpose=purpose,
        include_closed=bool(filters.get("closed")),
        sort=filters.get("sort") or "deadline",
        limit=PER_PAGE,
        offset=(number - 1) * PER_PAGE,
        ip=identity.client_ip(request),
    )
    me = str(request.user.pk)
    assigning = [a.agency_code for a in appointments if ASSIGNING_ROLES & set(a.roles)]
    counts = [
        {
            "code": code,
            "label": localized(inbox.state_labels.get(code, {}), lang) or code,
            "count": min(count, COUNT_CAP),
            "more": count > COUNT_CAP,
            "url": f"?{_query_string(filters, state=code)}",
            "current": filters.get("state") == code,
        }
        for code, count in sorted(inbox.counts.items(), key=lambda item: -item[1])
    ]
    return render(
        request,
        "applications/inbox.html",
        {
            "items": _rows(inbox.items, lang, me),
            "total": inbox.total,
            "total_capped": inbox.total_capped,
            "counts": counts,
            "all_url": f"?{_query_string(filters, state=None)}",
            "filters": InboxFilterForm(initial=filters),
            "filter_values": filters,
            "search": search,
            "searched": bool(query),
            "assignees": _assignees(request, assigning, lang) if assigning and inbox.items else [],
            "pages": pages(inbox, number),
            "page_query": _query_string(filters),
            "problem": problem,
        },
        status=status,
    )


@identity.officer_required(roles=OFFICER_ROLES)
@require_http_methods(["GET", "POST"])
def inbox(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _inbox_response(request, search=InboxSearchForm())
    if request.POST.get("action") == ASSIGN:
        return _assign(request)
    search = InboxSearchForm(request.POST)
    if not search.is_valid():
        return _inbox_response(request, search=search, status=422)
    # Answered here rather than by a redirect, so a PINFL never travels in a URL.
    return _inbox_response(
        request, search=search, query=search.cleaned_data["q"], purpose=search.cleaned_data["purpose"]
    )


def _assign(request: HttpRequest) -> HttpResponse:
    appointments = _appointments(request)
    ids, assignee = request.POST.getlist("ids"), request.POST.get("assignee", "")
    problem = (
        _("Choose at least one application to assign.")
        if not ids
        else _("Choose the officer to assign them to.")
        if not assignee
        else ""
    )
    if problem:
        return _inbox_response(request, search=InboxSearchForm(), problem=problem, status=422)
    try:
        result = api.assign_bulk(
            application_ids=ids,
            assignee_id=assignee,
            actor_account_id=request.user.pk,
            appointments=appointments,
        )
    except api.ApplicationError as error:
        return _inbox_response(request, search=InboxSearchForm(), problem=error.message, status=error.status)
    if result.done:
        messages.success(request, _("Applications assigned: %(count)d.") % {"count": len(result.done)})
    for application_id, reason in result.refused.items():
        found = api.application_for_officer(application_id, appointments)
        label = found.number if found else _("an application")
        messages.error(
            request, _("%(number)s was not assigned: %(reason)s") % {"number": label, "reason": reason}
        )
    return see_other(request.get_full_path())


# --- One application ---------------------------------------------------------------------------------


def _applicant(application: api.ApplicationInfo, lang: str) -> dict:
    person = identity.person(application.subject_person_id) if application.subject_person_id else None
    view = {
        "person": person,
        "name": person.full_name(lang) if person else "",
        "address": (
            ", ".join(p for p in (area_label(person.address_area, lang), person.address_line) if p)
            if person
            else ""
        ),
        "kind": application.party_kind,
        "channel": CHANNELS.get(application.channel, application.channel),
        "centre": agency_label(application.centre_code, lang) if application.centre_code else "",
    }
    if application.party_kind == "entity":
        view["entity"] = identity.entity_by_stir(application.party_ref)
    if application.party_kind == "child" and application.applicant_account_id:
        parent = identity.person_for_account(application.applicant_account_id)
        view["parent"] = parent.full_name(lang) if parent else ""
    return view


def _answers(application: api.ApplicationInfo, lang: str) -> list[dict]:
    form = forms.form_version(application.form_name, application.form_version)
    sections: list[dict] = []
    for answer in forms.answers(form, application.data, language=lang) if form else []:
        if not sections or sections[-1]["title"] != answer.section:
            sections.append({"title": answer.section, "answers": []})
        sections[-1]["answers"].append(answer)
    return sections


def _action_views(
    request: HttpRequest,
    application: api.ApplicationInfo,
    appointments,
    lang: str,
    *,
    failed: str = "",
    errors: dict | None = None,
) -> list[dict]:
    views = []
    for action in api.officer_actions(application, appointments):
        requires = set(action.requires)
        posted = request.POST if action.code == failed else {}
        views.append(
            {
                "code": action.code,
                "label": action.text(lang),
                "requires": requires,
                "notify": action.notify_applicant,
                "reasons": [(r.code, r.text(lang)) for r in api.reject_reasons(application)]
                if "reason_code" in requires
                else [],
                "agencies": [
                    (a.code, a.label(lang)) for a in reference.agencies() if a.code != application.agency_code
                ]
                if "target_agency" in requires
                else [],
                "assignees": _assignees(request, [application.agency_code], lang, area=application.area_code)
                if "assignee" in requires
                else [],
                "errors": (errors or {}) if action.code == failed else {},
                "posted": {name: posted.get(name, "") for name in ACTION_FIELDS},
            }
        )
    return views


def _detail_response(
    request: HttpRequest,
    application: api.ApplicationInfo,
    *,
    failed: str = "",
    errors: dict | None = None,
    problem: str = "",
    comment_form: CommentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    appointments = _appointments(request)
    lang = language()
    # The officer reads the applicant's personal data: recorded with its purpose.
    audit.record(
        action="personal_data_read",
        actor=str(request.user.pk),
        subject=application.subject_person_id,
        purpose="application_handling",
        details={"application_id": application.id, "via": "applications.office"},
        ip=identity.client_ip(request),
    )
    names = catalog.document_names(lang)
    files = attached_files(application.documents, viewer_id=request.user.pk, inline=True)
    authors: dict[str, str] = {}
    comments = []
    for comment in api.internal_comments(application):
        if comment.author_id not in authors:
            author = identity.person_for_account(comment.author_id)
            authors[comment.author_id] = author.short_name(lang) if author else _("an officer")
        comments.append({"info": comment, "author": authors[comment.author_id]})
    return render(
        request,
        "applications/office_detail.html",
        {
            "application": application,
            "title": application.title(lang),
            "status": application.status(lang),
            "agency": agency_label(application.agency_code, lang),
            "area": area_label(application.area_code, lang),
            "applicant": _applicant(application, lang),
            "sections": _answers(application, lang),
            "documents": [{"label": names.get(code, code), "files": items} for code, items in files.items()],
            "timeline": timeline_items(api.timeline(application), lang),
            "deadline": deadline_view(application),
            "decision": decision_view(application, lang),
            "result": api.result_state(application),
            "result_url": reverse("applications:office-result", args=[application.number]),
            "actions": _action_views(request, application, appointments, lang, failed=failed, errors=errors),
            "assigned_to_me": application.assignee_id == str(request.user.pk),
            "comments": comments,
            "comment_form": comment_form or CommentForm(),
            "problem": problem,
            "errors": errors or {},
        },
        status=status,
    )


def _in_scope(request: HttpRequest, number: str) -> api.ApplicationInfo | None:
    return api.application_for_officer_by_number(number, _appointments(request))


def _missing(request: HttpRequest) -> HttpResponse:
    return refusal(request, api.NotFound(_("There is no such application.")))


@identity.officer_required(roles=OFFICER_ROLES)
def detail(request: HttpRequest, number: str) -> HttpResponse:
    application = _in_scope(request, number)
    if application is None:
        return _missing(request)
    return _detail_response(request, application)


@identity.officer_required(roles=OFFICER_ROLES)
@require_safe
def result(request: HttpRequest, number: str) -> HttpResponse:
    """The decision letter as a PDF download; it names the applicant, so the read is recorded."""
    application = _in_scope(request, number)
    if application is None:
        return _missing(request)
    try:
        response = api.result_response(application)
    except api.ApplicationError as error:
        return refusal(request, error)
    audit.record(
        action="personal_data_read",
        actor=str(request.user.pk),
        subject=application.subject_person_id,
        purpose="application_handling",
        details={"application_id": application.id, "via": "applications.office_result"},
        ip=identity.client_ip(request),
    )
    return response


@identity.officer_required(roles=OFFICER_ROLES)
@require_POST
def act(request: HttpRequest, number: str) -> HttpResponse:
    application = _in_scope(request, number)
    if application is None:
        return _missing(request)
    code = request.POST.get("action", "")
    fields = {name: request.POST[name] for name in ACTION_FIELDS if name in request.POST}
    try:
        api.act(
            application_id=application.id,
            action=code,
            actor_account_id=request.user.pk,
            expected_version=request.POST.get("version"),
            appointments=_appointments(request),
            **fields,
        )
    except api.NotFound:
        return _missing(request)
    except api.ApplicationError as error:
        return _detail_response(
            request, application, failed=code, errors=error.errors, problem=error.message, status=error.status
        )
    messages.success(request, _("Done: %(action)s.") % {"action": _action_label(application, code)})
    return see_other(reverse("applications:office-detail", args=[application.number]))


def _action_label(application: api.ApplicationInfo, code: str) -> str:
    workflow = api.workflow(application.workflow_name, application.workflow_version)
    action = workflow.actions.get(code) if workflow else None
    return action.text(language()) if action else code


@identity.officer_required(roles=OFFICER_ROLES)
@require_POST
def comment(request: HttpRequest, number: str) -> HttpResponse:
    application = _in_scope(request, number)
    if application is None:
        return _missing(request)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _detail_response(request, application, comment_form=form, status=422)
    try:
        api.comment_add(
            application_id=application.id,
            author_account_id=request.user.pk,
            appointments=_appointments(request),
            text=form.cleaned_data["text"],
        )
    except api.ApplicationError as error:
        form.add_error("text" if "text" in error.errors else None, error.message)
        return _detail_response(request, application, comment_form=form, status=error.status)
    messages.success(request, _("The comment is added."))
    return see_other(reverse("applications:office-detail", args=[application.number]) + "#comments")
