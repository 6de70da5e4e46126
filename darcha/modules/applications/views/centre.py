"""A public service centre: the operator identifies a visitor by PINFL, confirms the visitor's
consent with a code sent to the visitor's phone, fills the service form on their behalf with
scanned documents, and prints a receipt with the number, tracking code and a QR code. With the
same consent the operator amends or withdraws the visitor's earlier applications for them.

The code goes to the phone of the visitor's portal account; a visitor without one gives a
phone number at the desk. The visit (which visitor, at which centre, the phone, whether consent
is confirmed) lives in the operator's session; only a keyed hash of the code is kept there.
"""

import hashlib
import hmac
import secrets
import time

import segno
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from darcha.modules.applications import api
from darcha.modules.applications.forms_web import ConsentCodeForm, ServiceSearchForm, VisitorForm
from darcha.modules.applications.views.cabinet import Via, amend_page, withdraw_page
from darcha.modules.applications.views.common import (
    agency_label,
    language,
    refused,
    see_other,
    too_many,
)
from darcha.modules.applications.views.filling import Filing, Party, handle_post, render_form, upload_cap
from darcha.modules.catalog import api as catalog
from darcha.modules.documents import api as documents
from darcha.modules.identity import api as identity
from darcha.modules.notifications import api as notifications
from darcha.platform import audit

OPERATOR = "service_centre_operator"
VISIT = "applications.centre_visit"
CONSENT_PURPOSE = "visitor_consent"
PAPERS = ("a4", "a5")
WITHDRAW, RESUBMIT = "withdraw", "resubmit"


def _centres(request: HttpRequest) -> list[tuple[str, str]]:
    lang = language()
    codes = dict.fromkeys(a.agency_code for a in identity.current_officer(request) if OPERATOR in a.roles)
    return [(code, agency_label(code, lang)) for code in codes]


def _code_hash(visit: dict, code: str) -> str:
    message = f"{visit['salt']}:{visit['person']}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _phone_hint(phone: str) -> str:
    return f"{phone[:6]} ** *** {phone[-2:]}" if len(phone) >= 8 else "**"


def _visit(request: HttpRequest) -> dict | None:
    visit = request.session.get(VISIT)
    # A visit without its phone was begun by an earlier version of this page: begin again.
    if not visit or "phone" not in visit or visit["centre"] not in dict(_centres(request)):
        return None
    return visit


def _visitor(visit: dict) -> identity.PersonInfo | None:
    return identity.person(visit["person"])


def _account_phone(person: identity.PersonInfo) -> tuple[str, str]:
    """(phone, language) of the visitor's portal account; ('', '') without one."""
    contact = identity.contact_for(person.account_id) if person.account_id else None
    return (contact.phone, contact.language) if contact and contact.phone else ("", "")


def _send_code(request: HttpRequest, visit: dict) -> str:
    """Send a new consent code to the visit's phone; '' when sent, else why not."""
    if too_many("consent-code", visit["phone"], limit=settings.OTP_SEND_LIMIT_PER_HOUR, window=3600):
        return _("Too many codes were sent to this phone. Try again in an hour.")
    code = f"{secrets.randbelow(1_000_000):06d}"
    # send_code queues the SMS in the current transaction and sends it once that commits.
    with transaction.atomic():
        notifications.send_code(
            phone=visit["phone"], code=code, purpose=CONSENT_PURPOSE, language=visit["language"] or language()
        )
    visit.update(
        salt=secrets.token_hex(8),
        expires=time.time() + settings.OTP_TTL_SECONDS,
        attempts=0,
        consented=False,
    )
    visit["code_hash"] = _code_hash(visit, code)
    request.session[VISIT] = visit
    return ""


@identity.officer_required(roles={OPERATOR})
@require_http_methods(["GET", "POST"])
def identify(request: HttpRequest) -> HttpResponse:
    template = "applications/centre_identify.html"
    centres = _centres(request)
    if request.method == "GET":
        return render(request, template, {"form": VisitorForm(centres=centres), "visit": _visit(request)})
    form = VisitorForm(request.POST, centres=centres)
    if not form.is_valid():
        return render(request, template, {"form": form}, status=422)
    person = identity.person_by_pinfl(form.cleaned_data["pinfl"])
    audit.record(
        action="personal_data_read",
        actor=str(request.user.pk),
        subject=person.id if person else "",
        purpose="service_centre_visit",
        details={
            "via": "applications.centre",
            "centre": form.cleaned_data["centre"],
            "found": bool(person),
            "phone_given": bool(form.cleaned_data["phone"]),
        },
        ip=identity.client_ip(request),
    )
    if person is None:
        form.add_error(
            "pinfl", _("No person with this PINFL is registered. Check the number on the document.")
        )
        return render(request, template, {"form": form}, status=404)
    # An account holder's code goes to the account's confirmed phone, whatever is typed here:
    # only a visitor without an account is reached at the number given at the desk.
    phone, lang = _account_phone(person)
    source = "account" if phone else "visitor"
    if not phone:
        phone, lang = form.cleaned_data["phone"], language()
    if not phone:
        form.add_error(
            "phone",
            _(
                "The visitor has no portal account with a confirmed phone. Ask for the visitor's phone "
                "number and enter it: the consent code is sent to it."
            ),
        )
        return render(request, template, {"form": form}, status=422)
    visit = {
        "centre": form.cleaned_data["centre"],
        "person": person.id,
        "phone": phone,
        "phone_from": source,
        "language": lang,
        "phone_hint": _phone_hint(phone),
    }
    if problem := _send_code(request, visit):
        form.add_error(None, problem)
        return render(request, template, {"form": form}, status=429)
    return see_other(reverse("applications:centre-consent"))


@identity.officer_required(roles={OPERATOR})
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest) -> HttpResponse:
    template = "applications/centre_consent.html"
    visit = _visit(request)
    if visit is None:
        return see_other(reverse("applications:centre"))
    person = _visitor(visit)
    context = {"visit": visit, "name": person.full_name(language()) if person else ""}
    if request.method == "GET":
        return render(request, template, {**context, "form": ConsentCodeForm()})
    if request.POST.get("action") == "resend":
        if problem := _send_code(request, visit):
            return render(
                request, template, {**context, "form": ConsentCodeForm(), "problem": problem}, status=429
            )
        messages.success(request, _("A new code is sent to the visitor's phone."))
        return see_other(reverse("applications:centre-consent"))
    form = ConsentCodeForm(request.POST)
    if not form.is_valid():
        return render(request, template, {**context, "form": form}, status=422)
    status = _check_code(request, visit, form)
    if status:
        return render(request, template, {**context, "form": form}, status=status)
    audit.record(
        action="visitor_consent",
        actor=str(request.user.pk),
        subject=visit["person"],
        purpose="apply_on_behalf",
        # Who confirmed (the actor), where, and the phone the code went to: the consent's evidence.
        details={"centre": visit["centre"], "phone": visit["phone"], "phone_from": visit["phone_from"]},
        ip=identity.client_ip(request),
    )
    messages.success(request, _("The visitor's consent is confirmed."))
    return see_other(reverse("applications:centre-services"))


def _check_code(request: HttpRequest, visit: dict, form: ConsentCodeForm) -> int:
    """0 when the code is right (the visit is then consented), else the status to answer."""
    if not visit.get("code_hash") or time.time() > visit.get("expires", 0):
        form.add_error("code", _("The code has expired. Send a new one."))
        return 409
    if visit["attempts"] >= settings.OTP_MAX_ATTEMPTS:
        form.add_error("code", _("Too many wrong codes. Send a new one."))
        return 429
    expected = visit["code_hash"]
    if not hmac.compare_digest(expected, _code_hash(visit, form.cleaned_data["code"])):
        visit["attempts"] += 1
        request.session[VISIT] = visit
        form.add_error("code", _("The code is wrong. Check it on the visitor's phone."))
        return 422
    visit.update(consented=True, code_hash="", attempts=0)
    request.session[VISIT] = visit
    return 0


def _consented(request: HttpRequest) -> dict | None:
    visit = _visit(request)
    return visit if visit and visit.get("consented") else None


@identity.officer_required(roles={OPERATOR})
@require_safe
def services(request: HttpRequest) -> HttpResponse:
    visit = _consented(request)
    if visit is None:
        return see_other(reverse("applications:centre"))
    lang = language()
    form = ServiceSearchForm(request.GET or None)
    if form.is_bound and form.is_valid():
        found = [(hit.code, hit.title, hit.summary) for hit in catalog.search(form.cleaned_data["q"], lang)]
    else:
        found = [(card.code, card.title, card.summary) for card in catalog.popular_services(lang)]
    offered = catalog.services_by_code(code for code, _title, _summary in found)
    person = _visitor(visit)
    return render(
        request,
        "applications/centre_services.html",
        {
            "form": form,
            "searched": form.is_bound,
            "services": [
                {
                    "code": code,
                    "title": title,
                    "summary": summary,
                    "url": reverse("applications:centre-apply", args=[code]),
                }
                for code, title, summary in found
                if _at_centres(offered.get(code))
            ],
            "name": person.full_name(lang) if person else "",
            "centre": agency_label(visit["centre"], lang),
            "applications": [
                {
                    "number": summary.number,
                    "title": summary.title(lang),
                    "status": summary.status(lang),
                    "amend_url": reverse("applications:centre-amend", args=[summary.number])
                    if RESUBMIT in actions
                    else "",
                    "withdraw_url": reverse("applications:centre-withdraw", args=[summary.number])
                    if WITHDRAW in actions
                    else "",
                }
                for summary, actions in api.centre_visitor_applications(
                    identity.current_officer(request), centre_code=visit["centre"], visitor_id=visit["person"]
                )
            ],
        },
        status=422 if form.is_bound and not form.is_valid() else 200,
    )


def _at_centres(service: catalog.ServiceInfo | None) -> bool:
    return service is not None and "service-centre" in service.channels and service.level != "informational"


def _filing(request: HttpRequest, visit: dict, code: str) -> Filing | HttpResponse:
    service = catalog.service(code)
    if service is None:
        return refused(request, _("There is no such service."), 404)
    if not _at_centres(service):
        return refused(request, _("This service is not provided at public service centres."), 404)
    try:
        form = api.service_form(code)
    except api.ApplicationError as error:
        return refused(request, error.message, 404)
    person = _visitor(visit)
    lang = language()
    return Filing(
        account_id=str(request.user.pk),
        service=service,
        form=form,
        parties=(Party(f"visitor:{person.id}", "visitor", person.id, person.full_name(lang)),),
        action_url=reverse("applications:centre-apply", args=[code]),
        channel="centre",
        centre_code=visit["centre"],
        context={"centre": agency_label(visit["centre"], lang), "visitor": person.full_name(lang)},
    )


@csrf_exempt
@identity.officer_required(roles={OPERATOR})
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, code: str) -> HttpResponse:
    visit = _consented(request)
    if visit is None:
        return see_other(reverse("applications:centre"))
    filing = _filing(request, visit, code)
    if isinstance(filing, HttpResponse):
        return filing
    if request.method == "POST":
        documents.limit_upload_size(request, max_bytes=upload_cap(filing.form))
        return _post(request, filing)
    return render_form(request, filing, draft=None, data={})


@csrf_protect
def _post(request: HttpRequest, filing: Filing) -> HttpResponse:
    return handle_post(
        request,
        filing,
        page_of=lambda number: reverse("applications:centre-receipt", args=[number]),
    )


def _visitor_application(
    request: HttpRequest, visit: dict, number: str, action: str
) -> tuple[api.ApplicationInfo, Via] | HttpResponse:
    """The visitor's application the operator acts on, as the amend and withdraw pages take it."""
    application = api.centre_visitor_application(
        number, identity.current_officer(request), centre_code=visit["centre"], visitor_id=visit["person"]
    )
    if application is None:
        # Not the visitor's, or outside this operator's centre and area: as if it did not exist.
        return refused(request, _("There is no such application."), 404)
    return application, Via(
        action_url=reverse(action, args=[number]),
        back_url=reverse("applications:centre-services"),
        centre_code=visit["centre"],
        visitor_id=visit["person"],
    )


@identity.officer_required(roles={OPERATOR})
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, number: str) -> HttpResponse:
    visit = _consented(request)
    if visit is None:
        return see_other(reverse("applications:centre"))
    found = _visitor_application(request, visit, number, "applications:centre-withdraw")
    return found if isinstance(found, HttpResponse) else withdraw_page(request, *found)


@csrf_exempt  # amend_page checks the token once the upload size is limited
@identity.officer_required(roles={OPERATOR})
@require_http_methods(["GET", "POST"])
def amend(request: HttpRequest, number: str) -> HttpResponse:
    visit = _consented(request)
    if visit is None:
        return see_other(reverse("applications:centre"))
    found = _visitor_application(request, visit, number, "applications:centre-amend")
    return found if isinstance(found, HttpResponse) else amend_page(request, *found)


@identity.officer_required(roles={OPERATOR})
@require_safe
def receipt(request: HttpRequest, number: str) -> HttpResponse:
    application = api.application_for_officer_by_number(number, identity.current_officer(request))
    if application is None or application.channel != "centre":
        return refused(request, _("There is no such application."), 404)
    lang = language()
    paper = request.GET.get("paper") if request.GET.get("paper") in PAPERS else "a4"
    # The visitor scans it at home: the portal's public address, not the centre's own.
    link = api.public_status_url(application.number, application.tracking_code)
    person = identity.person(application.subject_person_id) if application.subject_person_id else None
    return render(
        request,
        "applications/receipt.html",
        {
            "application": application,
            "title": application.title(lang),
            "status": application.status(lang),
            "centre": agency_label(application.centre_code, lang),
            "agency": agency_label(application.agency_code, lang),
            "name": person.full_name(lang) if person else "",
            "link": link,
            "qr": segno.make(link, error="m").svg_data_uri(scale=4, border=2),
            "paper": paper,
            "other_paper": "a5" if paper == "a4" else "a4",
        },
    )


@identity.officer_required(roles={OPERATOR})
@require_POST
def finish(request: HttpRequest) -> HttpResponse:
    request.session.pop(VISIT, None)
    messages.success(request, _("The visit is finished. You can serve the next visitor."))
    return see_other(reverse("applications:centre"))
