"""Pages: sign-in, registration, cabinet, sessions, settings and the officer area entry."""

import time
from dataclasses import asdict

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from darcha.modules.identity import api, forms, selectors, services
from darcha.modules.identity.errors import IdentityError
from darcha.modules.identity.info import PendingSignIn
from darcha.modules.identity.models import LegalEntity, OfficerRole, Person, Representation
from darcha.modules.reference import api as reference

PENDING_SIGN_IN = "identity.pending_sign_in"
PENDING_REGISTRATION = "identity.pending_registration"
PENDING_PHONE = "identity.pending_phone"
PENDING_TOTP_SECRET = "identity.pending_totp_secret"
NEXT_URL = "identity.next"
ACCOUNT_BACKEND = "darcha.modules.identity.backends.AccountBackend"


# --- Helpers --------------------------------------------------------------------------------------


def _see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _safe_next(request: HttpRequest, url: str | None) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def _language() -> str:
    return get_language() or settings.LANGUAGE_CODE


def _refuse(request: HttpRequest, template: str, context: dict, form, exc: Exception) -> HttpResponse:
    """Shows a refusal on the form with the status it carries (422 for invalid data)."""
    if isinstance(exc, ValidationError):
        status = 422
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)
    else:
        status = exc.status
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return render(request, template, context, status=status)


def _invalid(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    return render(request, template, context, status=422)


def _area_label(code: str, language: str) -> str:
    area = reference.area(code) if code else None
    return area.label(language) if area else code


def _district_choices(language: str) -> list:
    """Districts grouped by region, for a select with option groups."""
    return [
        (region.label(language), [(d.code, d.label(language)) for d in reference.districts(region.code)])
        for region in reference.regions()
    ]


def _start_session(request: HttpRequest, account, method: str) -> None:
    login(request, account, backend=ACCOUNT_BACKEND)
    request.session[api.SESSION_SECOND_FACTOR] = method
    services.session_start(
        account_id=account.pk,
        session_key=request.session.session_key,
        ip=api.client_ip(request),
        user_agent=request.headers.get("User-Agent", ""),
        method=method,
    )
    request.session[api.SESSION_SEEN] = time.time()  # recorded just now: the next minute needs no write


def _apply_language(request: HttpRequest, response: HttpResponse, account) -> HttpResponse:
    """A language chosen on this device wins and is saved; otherwise the saved one applies."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen in services.LANGUAGE_CODES:
        if chosen != account.language:
            services.account_set_language(account_id=account.pk, language=chosen)
    else:
        _set_language_cookie(response, account.language)
    return response


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE or settings.SESSION_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE or "Lax",
    )


def _home_for(account_id) -> str:
    return reverse("identity:office") if api.officer_for(account_id) else reverse("identity:cabinet")


# --- Sign-in --------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    template = "identity/sign_in.html"
    if request.method == "GET":
        if request.user.is_authenticated:
            return redirect("identity:cabinet")
        form = forms.SignInForm(initial={"next": _safe_next(request, request.GET.get("next"))})
        return render(request, template, {"form": form})
    form = forms.SignInForm(request.POST)
    context = {"form": form}
    if not form.is_valid():
        return _invalid(request, template, context)
    try:
        pending = services.sign_in_start(
            identifier=form.cleaned_data["identifier"],
            password=form.cleaned_data["password"],
            ip=api.client_ip(request),
            language=_language(),
        )
    except (IdentityError, ValidationError) as exc:
        return _refuse(request, template, context, form, exc)
    request.session[PENDING_SIGN_IN] = asdict(pending)
    request.session[NEXT_URL] = _safe_next(request, form.cleaned_data["next"])
    return _see_other(reverse("identity:code"))


@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    template = "identity/code.html"
    stored = request.session.get(PENDING_SIGN_IN)
    if not stored:
        messages.error(request, _("Your sign-in has expired. Please start again."))
        return _see_other(reverse("identity:sign-in"))
    pending = PendingSignIn(**stored)
    form = forms.CodeForm(request.POST if request.method == "POST" and "resend" not in request.POST else None)
    context = {"form": form, "pending": pending}
    if request.method == "GET":
        return render(request, template, context)
    if "resend" in request.POST:
        try:
            pending = services.sign_in_resend(
                pending=pending, ip=api.client_ip(request), language=_language()
            )
        except IdentityError as exc:
            return render(request, template, {**context, "problem": exc.message}, status=exc.status)
        request.session[PENDING_SIGN_IN] = asdict(pending)
        messages.success(request, _("A new code was sent."))
        return _see_other(reverse("identity:code"))
    if not form.is_valid():
        return _invalid(request, template, context)
    try:
        account = services.sign_in_complete(
            pending=pending, code=form.cleaned_data["code"], ip=api.client_ip(request)
        )
    except IdentityError as exc:
        return _refuse(request, template, context, form, exc)
    next_url = request.session.get(NEXT_URL) or _home_for(account.pk)
    _start_session(request, account, pending.method)
    request.session.pop(PENDING_SIGN_IN, None)
    request.session.pop(NEXT_URL, None)
    return _apply_language(request, _see_other(next_url), account)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        services.sign_out(
            account_id=request.user.pk, session_key=request.session.session_key, ip=api.client_ip(request)
        )
    logout(request)
    messages.success(request, _("You have signed out."))
    return _see_other(reverse("portal:home"))


# --- Registration ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    template = "identity/register.html"
    districts = _district_choices(_language())
    if request.method == "GET":
        if request.user.is_authenticated:
            return redirect("identity:cabinet")
        return render(request, template, {"form": forms.RegisterForm(districts=districts)})
    form = forms.RegisterForm(request.POST, districts=districts)
    context = {"form": form}
    if not form.is_valid():
        return _invalid(request, template, context)
    data = form.cleaned_data
    try:
        pending = services.registration_start(
            pinfl=data["pinfl"],
            document_number=data["document_number"],
            surname=data["surname"],
            given_name=data["given_name"],
            patronymic=data["patronymic"],
            phone=data["phone"],
            password=data["password"],
            address_area=data["address_area"],
            language=_language(),
            ip=api.client_ip(request),
        )
    except (IdentityError, ValidationError) as exc:
        return _refuse(request, template, context, form, exc)
    request.session[PENDING_REGISTRATION] = pending
    return _see_other(reverse("identity:register-code"))


@require_http_methods(["GET", "POST"])
def register_code(request: HttpRequest) -> HttpResponse:
    template = "identity/register_code.html"
    pending = request.session.get(PENDING_REGISTRATION)
    if not pending:
        messages.error(request, _("Your registration has expired. Please start again."))
        return _see_other(reverse("identity:register"))
    form = forms.CodeForm(request.POST or None)
    context = {"form": form, "phone_hint": services.phone_hint(pending["phone"])}
    if request.method == "GET":
        return render(request, template, context)
    if not form.is_valid():
        return _invalid(request, template, context)
    try:
        account = services.registration_complete(
            pending=pending, code=form.cleaned_data["code"], ip=api.client_ip(request)
        )
    except (IdentityError, ValidationError) as exc:
        return _refuse(request, template, context, form, exc)
    _start_session(request, account, "sms")
    request.session.pop(PENDING_REGISTRATION, None)
    messages.success(
        request,
        _(
            "Your account is created. Until your identity is confirmed at a public service centre, "
            "only some services are available."
        ),
    )
    return _see_other(reverse("identity:cabinet"))


# --- Cabinet --------------------------------------------------------------------------------------


@login_required
@require_GET
def cabinet(request: HttpRequest) -> HttpResponse:
    language = _language()
    person = api.own_person(request)
    entities = selectors.entities_represented(person.id) if person else []
    forms_by_value = dict(LegalEntity.Form.choices)
    roles_by_value = dict(Representation.Role.choices)
    context = {
        "person": person,
        "name": person.full_name(language) if person else request.user.get_username(),
        "sex_label": dict(Person.Sex.choices).get(person.sex) if person else "",
        "address_label": _area_label(person.address_area, language) if person else "",
        "entities": [
            {
                "entity": entity,
                "legal_form": forms_by_value.get(entity.legal_form, entity.legal_form),
                "roles": [roles_by_value.get(role, role) for role in entity.roles],
            }
            for entity in entities
        ],
        "acting": api.acting_for(request),
        "is_officer": api.is_officer(request),
    }
    return render(request, "identity/cabinet.html", context)


@login_required
@require_POST
def entity_switch(request: HttpRequest) -> HttpResponse:
    form = forms.EntitySwitchForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "identity/denied.html",
            {"message": _("Choose an organisation from the list.")},
            status=400,
        )
    entity_id = form.cleaned_data["entity"]
    person = selectors.person_for_account(request.user.pk)
    if entity_id is None:
        request.session.pop(api.SESSION_ACTING_ENTITY, None)
        messages.success(request, _("You now act for yourself."))
    elif person and selectors.representation_roles(person.id, entity_id):
        request.session[api.SESSION_ACTING_ENTITY] = str(entity_id)
        messages.success(request, _("You now act for the organisation you chose."))
    else:
        return render(
            request,
            "identity/denied.html",
            {"message": _("You are not registered as a representative of this organisation.")},
            status=403,
        )
    return _see_other(_safe_next(request, form.cleaned_data["next"]) or reverse("identity:cabinet"))


@login_required
@require_GET
def sessions(request: HttpRequest) -> HttpResponse:
    rows = selectors.sessions_of(request.user.pk, request.session.session_key)
    return render(request, "identity/sessions.html", {"sessions": rows})


@login_required
@require_POST
def session_revoke(request: HttpRequest) -> HttpResponse:
    form = forms.SessionForm(request.POST)
    if not form.is_valid():
        return render(
            request, "identity/denied.html", {"message": _("Choose a session from the list.")}, status=400
        )
    current = selectors.sessions_of(request.user.pk, request.session.session_key)
    if any(s.current and s.id == form.cleaned_data["session"] for s in current):
        messages.error(request, _("To end this session, sign out."))
        return _see_other(reverse("identity:sessions"))
    try:
        services.session_revoke(
            account_id=request.user.pk, session_id=form.cleaned_data["session"], ip=api.client_ip(request)
        )
    except IdentityError as exc:
        return render(request, "identity/denied.html", {"message": exc.message}, status=exc.status)
    messages.success(request, _("The session was ended. That device is signed out."))
    return _see_other(reverse("identity:sessions"))


@login_required
@require_POST
def session_revoke_others(request: HttpRequest) -> HttpResponse:
    count = services.session_revoke_others(
        account_id=request.user.pk, current_key=request.session.session_key, ip=api.client_ip(request)
    )
    messages.success(request, _("Other sessions ended: %(count)d.") % {"count": count})
    return _see_other(reverse("identity:sessions"))


# --- Settings -------------------------------------------------------------------------------------


def _settings_context(request: HttpRequest, **forms_given) -> dict:
    account = request.user
    person = selectors.person_for_account(account.pk)
    return {
        "language_form": forms_given.get("language_form")
        or forms.LanguageForm(initial={"language": account.language}),
        "channels_form": forms_given.get("channels_form")
        or forms.ChannelsForm(
            initial={
                "sms": account.notify_sms,
                "email": account.notify_email,
                "in_app": account.notify_in_app,
            }
        ),
        "consents": selectors.consents_of(person.id) if person else [],
        "has_person": person is not None,
        "totp_enabled": account.totp_confirmed_at is not None,
    }


@login_required
@require_GET
def settings_page(request: HttpRequest) -> HttpResponse:
    return render(request, "identity/settings.html", _settings_context(request))


@login_required
@require_POST
def settings_language(request: HttpRequest) -> HttpResponse:
    form = forms.LanguageForm(request.POST)
    if not form.is_valid():
        return _invalid(request, "identity/settings.html", _settings_context(request, language_form=form))
    language = form.cleaned_data["language"]
    services.account_set_language(account_id=request.user.pk, language=language)
    response = _see_other(reverse("identity:settings"))
    _set_language_cookie(response, language)
    messages.success(request, _("Your language is saved."))
    return response


@login_required
@require_POST
def settings_channels(request: HttpRequest) -> HttpResponse:
    form = forms.ChannelsForm(request.POST)
    form.is_valid()  # every field is an optional checkbox
    services.account_set_channels(account_id=request.user.pk, **form.cleaned_data)
    messages.success(request, _("Your notification settings are saved."))
    return _see_other(reverse("identity:settings"))


@login_required
@require_POST
def settings_consent(request: HttpRequest) -> HttpResponse:
    form = forms.ConsentForm(request.POST)
    person = selectors.person_for_account(request.user.pk)
    if not form.is_valid() or person is None:
        return render(
            request, "identity/denied.html", {"message": _("Choose a consent from the list.")}, status=400
        )
    if form.cleaned_data["action"] == "give":
        services.consent_give(person_id=person.id, purpose=form.cleaned_data["purpose"])
        messages.success(request, _("Your consent is recorded."))
    else:
        services.consent_withdraw(person_id=person.id, purpose=form.cleaned_data["purpose"])
        messages.success(request, _("Your consent is withdrawn."))
    return _see_other(reverse("identity:settings"))


# --- Contacts -------------------------------------------------------------------------------------


def _contacts_context(request: HttpRequest, **forms_given) -> dict:
    return {
        "phone": request.user.phone,
        "phone_form": forms_given.get("phone_form") or forms.PhoneForm(),
        "email_form": forms_given.get("email_form") or forms.EmailForm(initial={"email": request.user.email}),
    }


@login_required
@require_GET
def contacts(request: HttpRequest) -> HttpResponse:
    return render(request, "identity/contacts.html", _contacts_context(request))


@login_required
@require_POST
def contacts_phone(request: HttpRequest) -> HttpResponse:
    template = "identity/contacts.html"
    form = forms.PhoneForm(request.POST)
    context = _contacts_context(request, phone_form=form)
    if not form.is_valid():
        return _invalid(request, template, context)
    try:
        pending = services.phone_change_start(
            account_id=request.user.pk,
            phone=form.cleaned_data["phone"],
            language=_language(),
            ip=api.client_ip(request),
        )
    except (IdentityError, ValidationError) as exc:
        return _refuse(request, template, context, form, exc)
    request.session[PENDING_PHONE] = pending
    return _see_other(reverse("identity:contacts-phone-confirm"))


@login_required
@require_http_methods(["GET", "POST"])
def contacts_phone_confirm(request: HttpRequest) -> HttpResponse:
    template = "identity/phone_code.html"
    pending = request.session.get(PENDING_PHONE)
    if not pending:
        return _see_other(reverse("identity:contacts"))
    form = forms.CodeForm(request.POST or None)
    context = {"form": form, "phone_hint": pending["phone_hint"]}
    if request.method == "GET":
        return render(request, template, context)
    if not form.is_valid():
        return _invalid(request, template, context)
    try:
        services.phone_change_complete(
            account_id=request.user.pk,
            pending=pending,
            code=form.cleaned_data["code"],
            ip=api.client_ip(request),
        )
    except IdentityError as exc:
        return _refuse(request, template, context, form, exc)
    request.session.pop(PENDING_PHONE, None)
    messages.success(request, _("Your phone number is changed."))
    return _see_other(reverse("identity:contacts"))


@login_required
@require_POST
def contacts_email(request: HttpRequest) -> HttpResponse:
    form = forms.EmailForm(request.POST)
    context = _contacts_context(request, email_form=form)
    if not form.is_valid():
        return _invalid(request, "identity/contacts.html", context)
    try:
        services.account_set_email(account_id=request.user.pk, email=form.cleaned_data["email"])
    except ValidationError as exc:
        return _refuse(request, "identity/contacts.html", context, form, exc)
    messages.success(request, _("Your e-mail is saved."))
    return _see_other(reverse("identity:contacts"))


@login_required
@require_http_methods(["GET", "POST"])
def password(request: HttpRequest) -> HttpResponse:
    template = "identity/password.html"
    form = forms.PasswordForm(request.POST or None)
    context = {"form": form}
    if request.method == "GET":
        return render(request, template, context)
    if not form.is_valid():
        return _invalid(request, template, context)
    try:
        services.password_change(
            account_id=request.user.pk,
            current_password=form.cleaned_data["current_password"],
            new_password=form.cleaned_data["password"],
            current_key=request.session.session_key,
            ip=api.client_ip(request),
        )
    except (IdentityError, ValidationError) as exc:
        return _refuse(request, template, context, form, exc)
    request.user.refresh_from_db()
    update_session_auth_hash(request, request.user)
    messages.success(request, _("Your password is changed. Your other devices are signed out."))
    return _see_other(reverse("identity:password"))


# --- Officer area ---------------------------------------------------------------------------------


@api.officer_required()
@require_GET
def office(request: HttpRequest) -> HttpResponse:
    language = _language()
    role_labels = dict(OfficerRole.Role.choices)
    appointments = []
    for officer in api.current_officer(request):
        agency = reference.agency(officer.agency_code)
        appointments.append(
            {
                "agency": agency.label(language) if agency else officer.agency_code,
                "scope": _("Whole country")
                if officer.scope_code == services.COUNTRY_SCOPE
                else _area_label(officer.scope_code, language),
                "roles": [role_labels.get(role, role) for role in officer.roles],
                "codes": officer.roles,
            }
        )
    is_operator = any("service_centre_operator" in a["codes"] for a in appointments)
    sees_statistics = any({"head", "auditor"} & set(a["codes"]) for a in appointments)
    return render(
        request,
        "identity/office.html",
        {"appointments": appointments, "is_operator": is_operator, "sees_statistics": sees_statistics},
    )


def _totp_qr(secret: str, request: HttpRequest) -> str:
    person = selectors.person_for_account(request.user.pk)
    label = person.short_name("uz") if person else request.user.get_username()
    return segno.make(services.totp_uri(secret, label), error="m").svg_data_uri(scale=5, border=2)


@login_required
@require_http_methods(["GET", "POST"])
def totp(request: HttpRequest) -> HttpResponse:
    """Sets up an authenticator app, or checks a code from it to step up this session."""
    template = "identity/totp.html"
    next_url = _safe_next(request, request.GET.get("next") or request.POST.get("next")) or reverse(
        "identity:office"
    )
    enabled = request.user.totp_confirmed_at is not None
    form = forms.CodeForm(request.POST or None)
    context = {"form": form, "enabled": enabled, "verified": api.is_totp_verified(request), "next": next_url}
    if not enabled:
        secret = request.session.get(PENDING_TOTP_SECRET) or services.totp_new_secret()
        request.session[PENDING_TOTP_SECRET] = secret
        context.update(secret=secret, qr=_totp_qr(secret, request))
    if request.method == "GET":
        return render(request, template, context)
    if not form.is_valid():
        return _invalid(request, template, context)
    try:
        if enabled:
            services.totp_verify(
                account_id=request.user.pk, code=form.cleaned_data["code"], ip=api.client_ip(request)
            )
        else:
            services.totp_enable(
                account_id=request.user.pk,
                secret=secret,
                code=form.cleaned_data["code"],
                ip=api.client_ip(request),
            )
    except IdentityError as exc:
        return _refuse(request, template, context, form, exc)
    request.session.pop(PENDING_TOTP_SECRET, None)
    request.session[api.SESSION_SECOND_FACTOR] = "totp"
    messages.success(
        request,
        _("The code is accepted.")
        if enabled
        else _("Your authenticator app is set up. You will need it to sign in."),
    )
    return _see_other(next_url)


@api.officer_required({"service_centre_operator"})
@require_http_methods(["GET", "POST"])
def identity_confirm(request: HttpRequest) -> HttpResponse:
    template = "identity/confirm.html"
    search = forms.PersonSearchForm(request.POST if request.POST.get("action") == "search" else None)
    confirm = forms.PersonConfirmForm(request.POST if request.POST.get("action") == "confirm" else None)
    context = {"search": search, "confirm": confirm, "person": None}
    if request.method == "GET":
        return render(request, template, context)
    ip = api.client_ip(request)
    if search.is_bound:
        if not search.is_valid():
            return _invalid(request, template, context)
        try:
            found = services.person_read_for_confirmation(
                pinfl=search.cleaned_data["pinfl"], officer_id=request.user.pk, ip=ip
            )
        except (IdentityError, ValidationError) as exc:
            return _refuse(request, template, context, search, exc)
        context["person"] = _confirm_view(found)
        context["confirm"] = forms.PersonConfirmForm(initial={"person": found.id})
        return render(request, template, context)
    if not confirm.is_valid():
        return _invalid(request, template, context)
    found = selectors.person_by_id(confirm.cleaned_data["person"])
    context["person"] = _confirm_view(found) if found else None
    try:
        services.person_verify(
            person_id=confirm.cleaned_data["person"],
            officer_id=request.user.pk,
            document_number=confirm.cleaned_data["document_number"],
            ip=ip,
        )
    except (IdentityError, ValidationError) as exc:
        return _refuse(request, template, context, confirm, exc)
    messages.success(request, _("The identity is confirmed. The person can now use every service."))
    return _see_other(reverse("identity:confirm"))


def _confirm_view(person) -> dict:
    language = _language()
    return {
        "info": person,
        "name": person.full_name(language),
        "name_other": person.full_name("uz" if language in {"uz-cyrl", "ru"} else "uz-cyrl"),
        "sex": dict(Person.Sex.choices).get(person.sex),
        "address": _area_label(person.address_area, language),
        "has_account": person.account_id is not None,
    }
