"""Every change to identity data: persons, entities, officers, accounts, codes and sessions.

Functions that must keep a record of a refused attempt (a wrong password or code counts
towards a lockout) commit that record in their own transaction and raise afterwards, so
the refusal does not roll the count back.
"""

import re
import secrets
import time
import unicodedata
import uuid
from collections.abc import Iterable
from datetime import timedelta
from importlib import import_module

import pyotp
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from darcha.modules.identity import events as event_types
from darcha.modules.identity import selectors
from darcha.modules.identity.errors import Conflict, IdentityError, NotFound, TooManyRequests
from darcha.modules.identity.info import CONSENT_PURPOSES, PendingSignIn
from darcha.modules.identity.models import (
    Account,
    Consent,
    Kinship,
    LegalEntity,
    OfficerAppointment,
    OfficerRole,
    OneTimeCode,
    Person,
    Representation,
    UserSession,
)
from darcha.modules.identity.validators import (
    is_legal_entity_stir,
    normalize_uz_phone,
    validate_person_name,
    validate_pinfl,
    validate_stir,
)
from darcha.modules.notifications import api as notifications
from darcha.modules.reference import api as reference
from darcha.platform import audit, events
from darcha.platform.text import normalize_apostrophes, to_cyrillic

DOCUMENT_NUMBER = re.compile(r"[A-Z]{2}[0-9]{7}")
COUNTRY_SCOPE = "17"
LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}
TOTP_ISSUER = "Darcha"
# How often a session's "last seen" is written: a read on every request, a write at most
# once a minute.
SESSION_TOUCH_SECONDS = 60

# (attempts, window in seconds) per client address and per identifier, counted in the
# shared cache so the limits hold across every web process.
RATE_LIMITS = {
    "sign_in_ip": (30, 600),
    "sign_in_identifier": (10, 600),
    "code_ip": (30, 600),
    "code_account": (10, 600),
    "register_ip": (10, 3600),
}

PURPOSE_CONFIRMATION = "identity confirmation at a public service centre"


# --- Rate limits ----------------------------------------------------------------------------


def _counter_key(scope: str, key: str) -> str:
    # Keyed hashes: the cache must not hold PINFLs, phone numbers or addresses, nor
    # anything they could be guessed back from.
    digest = salted_hmac("darcha.identity.rate-limit", f"{scope}:{key}", algorithm="sha256").hexdigest()[:40]
    return f"identity:rl:{digest}"


def _count_attempt(scope: str, key: str, window: int) -> int:
    """Adds one to a counter of the current fixed window and returns the count."""
    now = time.time()
    bucket = f"{_counter_key(scope, key)}:{int(now // window)}"
    remaining = max(1, int(window - now % window))
    cache.add(bucket, 0, timeout=remaining)
    try:
        count = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.set(bucket, 1, timeout=remaining)
        count = 1
    cache.touch(bucket, timeout=remaining)  # the database cache's incr resets the expiry
    return count


def rate_limit(scope: str, key: str) -> None:
    """Counts one attempt; raises TooManyRequests once the scope's limit is passed."""
    limit, window = RATE_LIMITS[scope]
    if _count_attempt(scope, key, window) > limit:
        raise TooManyRequests(_("Too many attempts. Please wait a few minutes and try again."))


# --- Field checks ----------------------------------------------------------------------------


class _Errors:
    """Collects field errors so a form shows all of them at once."""

    def __init__(self):
        self.errors: dict[str, list] = {}

    def check(self, field: str, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ValidationError as exc:
            self.errors.setdefault(field, []).extend(exc.messages)
            return None

    def add(self, field: str, message) -> None:
        self.errors.setdefault(field, []).append(message)

    def raise_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def clean_document_number(value: str) -> str:
    number = str(value).strip().upper().replace(" ", "")
    if not DOCUMENT_NUMBER.fullmatch(number):
        raise ValidationError(
            _("An ID document number is 2 letters and 7 digits, for example AB1234567."),
            code="document_format",
        )
    return number


def clean_district(value: str) -> str:
    code = str(value).strip()
    if not reference.is_district(code):
        raise ValidationError(_("Choose a district that exists."), code="area_unknown")
    return code


def clean_email(value: str) -> str:
    email = str(value).strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            _("Enter an e-mail address such as name@example.uz."), code="email_format"
        ) from None
    local, _sep, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


# Django's password messages are not translated into Uzbek; these are, in all four languages.
PASSWORD_MESSAGES = {
    "password_too_short": gettext_lazy(
        "The password is too short: it needs at least %(min_length)d characters."
    ),
    "password_too_common": gettext_lazy("This password is too common. Choose one that is harder to guess."),
    "password_entirely_numeric": gettext_lazy("The password cannot be only digits."),
    "password_too_similar": gettext_lazy("The password is too similar to your other details."),
}


def clean_password(password: str, account: Account) -> None:
    try:
        password_validation.validate_password(password, account)
    except ValidationError as exc:
        raise ValidationError(
            [
                ValidationError(
                    PASSWORD_MESSAGES.get(error.code, error.message), code=error.code, params=error.params
                )
                for error in exc.error_list
            ]
        ) from None


def clean_entity_name(value: str) -> str:
    name = unicodedata.normalize("NFC", str(value)).strip()
    if not name:
        raise ValidationError(_("Enter the name of the organisation."), code="entity_name_empty")
    if len(name) > 200:
        raise ValidationError(_("The name is too long: at most 200 characters."), code="entity_name_long")
    # Format (Cf) and control (Cc) characters hide or reorder text: zero-width, bidi overrides.
    if any(unicodedata.category(c) in {"Cc", "Cf"} for c in name):
        raise ValidationError(
            _("The name contains invisible or direction-changing characters. Please retype it."),
            code="entity_name_invisible",
        )
    return name


def _clean_names(errors: _Errors, *, surname, given_name, patronymic, cyrillic=None) -> dict[str, str]:
    """Latin names, and the Cyrillic ones transliterated where they were not given."""
    cyrillic = cyrillic or {}
    names = {
        "surname": errors.check("surname", _clean_name, surname),
        "given_name": errors.check("given_name", _clean_name, given_name),
        "patronymic": errors.check("patronymic", _clean_name, patronymic) if patronymic else "",
    }
    for field, latin in list(names.items()):
        given = cyrillic.get(field, "")
        cyrl_field = f"{field}_cyrl"
        if given:
            names[cyrl_field] = errors.check(cyrl_field, _clean_name, given)
        else:
            names[cyrl_field] = to_cyrillic(latin) if latin else ""
    return names


def _clean_name(value: str) -> str:
    return normalize_apostrophes(validate_person_name(value))


# --- Persons and legal entities ------------------------------------------------------------


@transaction.atomic
def person_create(
    *,
    pinfl: str,
    surname: str,
    given_name: str,
    patronymic: str = "",
    surname_cyrl: str = "",
    given_name_cyrl: str = "",
    patronymic_cyrl: str = "",
    document_number: str = "",
    phone: str = "",
    email: str = "",
    address_area: str = "",
    address_line: str = "",
) -> Person:
    errors = _Errors()
    pinfl = str(pinfl).strip()
    info = errors.check("pinfl", validate_pinfl, pinfl)
    names = _clean_names(
        errors,
        surname=surname,
        given_name=given_name,
        patronymic=patronymic,
        cyrillic={"surname": surname_cyrl, "given_name": given_name_cyrl, "patronymic": patronymic_cyrl},
    )
    if document_number:
        document_number = errors.check("document_number", clean_document_number, document_number)
    if phone:
        phone = errors.check("phone", normalize_uz_phone, phone)
    if email:
        email = errors.check("email", clean_email, email)
    if address_area:
        address_area = errors.check("address_area", clean_district, address_area)
    if len(address_line) > 200:
        errors.add("address_line", _("The address is too long: at most 200 characters."))
    errors.raise_any()
    if Person.objects.filter(pinfl=pinfl).exists():
        raise Conflict(_("A person with this PINFL is already registered."), field="pinfl")
    return Person.objects.create(
        pinfl=pinfl,
        birth_date=info.birth_date,
        sex=info.sex,
        document_number=document_number,
        phone=phone,
        email=email,
        address_area=address_area,
        address_line=address_line.strip(),
        **names,
    )


@transaction.atomic
def child_link(*, parent_id, child_id) -> None:
    """Records that one person is the other's parent (a birth registration does this)."""
    people = {str(p.id): p for p in Person.objects.filter(id__in=[parent_id, child_id])}
    parent, child = people.get(str(parent_id)), people.get(str(child_id))
    if parent is None or child is None:
        raise NotFound(_("No such person."))
    if parent.id == child.id or parent.birth_date >= child.birth_date:
        raise ValidationError({"parent": [_("A parent must be born before the child.")]})
    if Kinship.objects.filter(child=child).exclude(parent=parent).count() >= 2:
        raise Conflict(_("This child already has two parents recorded."))
    Kinship.objects.get_or_create(parent=parent, child=child)


@transaction.atomic
def entity_create(
    *, stir: str, name: str, legal_form: str, address_area: str, address_line: str = ""
) -> LegalEntity:
    errors = _Errors()
    stir = errors.check("stir", validate_stir, stir)
    name = errors.check("name", clean_entity_name, name)
    if legal_form not in LegalEntity.Form.values:
        errors.add("legal_form", _("Choose a legal form from the list."))
    elif stir:
        sole = legal_form == LegalEntity.Form.SOLE_PROPRIETOR
        if sole and is_legal_entity_stir(stir):
            errors.add("stir", _("A sole proprietor has a personal STIR, which does not start with 2."))
        if not sole and not is_legal_entity_stir(stir):
            errors.add("stir", _("The STIR of a legal entity starts with 2."))
    address_area = errors.check("address_area", clean_district, address_area)
    errors.raise_any()
    if LegalEntity.objects.filter(stir=stir).exists():
        raise Conflict(_("An organisation with this STIR is already registered."), field="stir")
    return LegalEntity.objects.create(
        stir=stir,
        name=name,
        legal_form=legal_form,
        address_area=address_area,
        address_line=address_line.strip(),
    )


@transaction.atomic
def representation_add(*, entity_id, person_id, role: str) -> Representation:
    if role not in Representation.Role.values:
        raise ValidationError({"role": [_("Choose a role from the list.")]})
    entity = LegalEntity.objects.filter(id=entity_id).first()
    person = Person.objects.filter(id=person_id).first()
    if entity is None or person is None:
        raise NotFound(_("No such person or organisation."))
    if (
        role == Representation.Role.DIRECTOR
        and entity.representations.filter(role=role).exclude(person=person).exists()
    ):
        raise Conflict(_("This organisation already has a director."), field="role")
    representation, _created = Representation.objects.get_or_create(entity=entity, person=person, role=role)
    return representation


# --- Officers ------------------------------------------------------------------------------------


def _clean_roles(roles: Iterable[str]) -> set[str]:
    roles = set(roles)
    if not roles or not roles <= set(OfficerRole.Role.values):
        raise ValidationError(_("Choose one or more roles from the list."))
    return roles


def _clean_scope(scope_code: str) -> str:
    scope_code = str(scope_code).strip()
    if scope_code != COUNTRY_SCOPE and reference.area(scope_code) is None:
        raise ValidationError(_("Choose the whole country, a region or a district."))
    return scope_code


def officer_appointment_check(
    *, agency_code: str, scope_code: str, roles: Iterable[str]
) -> tuple[str, set[str]]:
    """Checks an appointment's agency, area scope and roles; returns the scope and roles cleaned."""
    errors = _Errors()
    roles = errors.check("roles", _clean_roles, roles)
    if reference.agency(agency_code) is None:
        errors.add("agency_code", _("Choose an agency that exists."))
    scope_code = errors.check("scope_code", _clean_scope, scope_code)
    errors.raise_any()
    return scope_code, roles


@transaction.atomic
def officer_appoint(
    *,
    person_id,
    agency_code: str,
    scope_code: str,
    roles: Iterable[str],
    actor_id: str = "",
    ip: str | None = None,
) -> OfficerAppointment:
    """Appoints a person to an agency within an area, or changes the roles of that appointment."""
    scope_code, roles = officer_appointment_check(agency_code=agency_code, scope_code=scope_code, roles=roles)
    if not Person.objects.filter(id=person_id).exists():
        raise NotFound(_("No such person."))
    appointment, _created = OfficerAppointment.objects.get_or_create(
        person_id=person_id, agency_code=agency_code, scope_code=scope_code
    )
    _roles_set(appointment, roles, actor_id=actor_id, ip=ip)
    return appointment


@transaction.atomic
def officer_dismiss(*, appointment_id, actor_id: str, ip: str | None = None) -> None:
    """Ends an appointment; the roles it loses are audited like any role change."""
    appointment = OfficerAppointment.objects.select_for_update().filter(id=appointment_id).first()
    if appointment is None:
        raise NotFound(_("No such appointment."))
    _roles_set(appointment, set(), actor_id=actor_id, ip=ip)
    appointment.delete()


@transaction.atomic
def officer_set_roles(*, appointment_id, roles: Iterable[str], actor_id: str, ip: str | None = None) -> None:
    appointment = OfficerAppointment.objects.select_for_update().filter(id=appointment_id).first()
    if appointment is None:
        raise NotFound(_("No such appointment."))
    try:
        roles = _clean_roles(roles)
    except ValidationError as exc:
        raise ValidationError({"roles": exc.messages}) from None
    _roles_set(appointment, roles, actor_id=actor_id, ip=ip)


def _roles_set(appointment: OfficerAppointment, roles: set[str], *, actor_id: str, ip: str | None) -> None:
    current = set(appointment.roles.values_list("role", flat=True))
    added, removed = sorted(roles - current), sorted(current - roles)
    if not added and not removed:
        return
    appointment.roles.filter(role__in=removed).delete()
    OfficerRole.objects.bulk_create(OfficerRole(appointment=appointment, role=role) for role in added)
    details = {
        "appointment": str(appointment.id),
        "agency": appointment.agency_code,
        "scope": appointment.scope_code,
        "added": added,
        "removed": removed,
    }
    audit.record(
        action="role_changed", actor=actor_id, subject=str(appointment.person_id), details=details, ip=ip
    )
    events.publish(event_types.ROLE_CHANGED, {"person_id": str(appointment.person_id), **details})


# --- One-time codes ---------------------------------------------------------------------------


def _code_hash(code_id, code: str) -> str:
    return salted_hmac("darcha.identity.one-time-code", f"{code_id}:{code}", algorithm="sha256").hexdigest()


def _code_send(*, phone: str, purpose: str, language: str, account: Account | None = None) -> OneTimeCode:
    """Creates a code and hands it to the SMS channel once the transaction commits."""
    now = timezone.now()
    if selectors.codes_sent_since(phone, now - timedelta(hours=1)) >= settings.OTP_SEND_LIMIT_PER_HOUR:
        raise TooManyRequests(_("Too many codes were sent to this number. Try again in an hour."))
    code = f"{secrets.randbelow(10**6):06d}"
    otp = OneTimeCode(
        id=uuid.uuid4(),
        purpose=purpose,
        phone=phone,
        account=account,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.OTP_TTL_SECONDS),
    )
    otp.code_hash = _code_hash(otp.id, code)
    otp.save()
    notifications.send_code(phone=phone, code=code, purpose=purpose, language=language)
    return otp


def _code_problem(otp: OneTimeCode | None, code: str) -> IdentityError | None:
    if otp is None:
        return IdentityError(_("This code is not valid. Request a new code."), field="code")
    if otp.used_at:
        return IdentityError(_("This code was already used. Request a new code."), field="code")
    if otp.expires_at <= timezone.now():
        return IdentityError(_("This code has expired. Request a new code."), field="code")
    if otp.attempts >= settings.OTP_MAX_ATTEMPTS:
        return TooManyRequests(_("Too many wrong codes were entered. Request a new code."), field="code")
    if not constant_time_compare(otp.code_hash, _code_hash(otp.id, str(code).strip())):
        otp.attempts += 1
        otp.save(update_fields=["attempts"])
        left = settings.OTP_MAX_ATTEMPTS - otp.attempts
        if left <= 0:
            return TooManyRequests(_("Too many wrong codes were entered. Request a new code."), field="code")
        return IdentityError(
            ngettext(
                "Wrong code. You have %(left)d attempt left.",
                "Wrong code. You have %(left)d attempts left.",
                left,
            )
            % {"left": left},
            field="code",
        )
    return None


def _code_consume(*, code_id, code: str, purpose: str, phone: str | None = None) -> None:
    """Accepts a code once; a wrong attempt is committed before the refusal is raised."""
    with transaction.atomic():
        otp = OneTimeCode.objects.select_for_update().filter(id=code_id, purpose=purpose).first()
        if otp is not None and phone is not None and otp.phone != phone:
            otp = None
        problem = _code_problem(otp, code)
        if problem is None:
            otp.used_at = timezone.now()
            otp.save(update_fields=["used_at"])
    if problem is not None:
        raise problem


# --- Notifications to the account holder --------------------------------------------------------


def _notify(account: Account, template: str, context: dict, *, sms_to: str = "") -> None:
    """Tells the account holder through the channels they keep on; SMS only where ``sms_to`` is given."""
    destinations = {
        "sms": sms_to if account.notify_sms else "",
        "email": account.email if account.notify_email else "",
        "in_app": "yes" if account.notify_in_app else "",
    }
    channels = [channel for channel, destination in destinations.items() if destination]
    if channels:
        notifications.notify(
            recipient_id=str(account.id),
            template=template,
            context=context,
            language=account.language,
            phone=destinations["sms"],
            email=destinations["email"],
            channels=channels,
        )


# --- Registration -----------------------------------------------------------------------------


def _registration_conflicts(*, pinfl: str, phone: str, document_number: str) -> None:
    existing = Person.objects.filter(pinfl=pinfl).first()
    if existing and existing.account_id:
        raise Conflict(
            _("An account already exists for this PINFL. Sign in, or restore access at a service centre."),
            field="pinfl",
        )
    if existing and existing.document_number and existing.document_number != document_number:
        raise IdentityError(
            _("This ID document number does not match the one on record for this PINFL."),
            field="document_number",
        )
    if Account.objects.filter(phone=phone).exists():
        raise Conflict(_("This phone number is already used by another account."), field="phone")


def registration_start(
    *,
    pinfl: str,
    document_number: str,
    surname: str,
    given_name: str,
    patronymic: str,
    phone: str,
    password: str,
    address_area: str,
    language: str,
    ip: str,
) -> dict:
    """Checks a sign-up and texts a code to the phone; returns what the session keeps until then."""
    rate_limit("register_ip", ip)
    with transaction.atomic():
        return _registration_check(
            pinfl=pinfl,
            document_number=document_number,
            names={"surname": surname, "given_name": given_name, "patronymic": patronymic},
            phone=phone,
            password=password,
            address_area=address_area,
            language=language,
        )


def _registration_check(*, pinfl, document_number, names, phone, password, address_area, language) -> dict:
    errors = _Errors()
    pinfl = str(pinfl).strip()
    errors.check("pinfl", validate_pinfl, pinfl)
    document_number = errors.check("document_number", clean_document_number, document_number)
    names = _clean_names(errors, **names)
    phone = errors.check("phone", normalize_uz_phone, phone)
    if address_area:
        address_area = errors.check("address_area", clean_district, address_area)
    errors.check("password", clean_password, password, Account(username=pinfl))
    errors.raise_any()
    _registration_conflicts(pinfl=pinfl, phone=phone, document_number=document_number)
    otp = _code_send(phone=phone, purpose=OneTimeCode.Purpose.REGISTER, language=language)
    return {
        "code_id": str(otp.id),
        "pinfl": pinfl,
        "document_number": document_number,
        "names": {key: names[key] for key in ("surname", "given_name", "patronymic")},
        "phone": phone,
        "address_area": address_area or "",
        "password_hash": make_password(password),
        "language": language,
    }


def registration_complete(*, pending: dict, code: str, ip: str) -> Account:
    """Checks the SMS code and creates the account; the person stays unverified."""
    rate_limit("code_ip", ip)
    _code_consume(
        code_id=pending["code_id"], code=code, purpose=OneTimeCode.Purpose.REGISTER, phone=pending["phone"]
    )
    return _account_register(pending, ip=ip)


@transaction.atomic
def _account_register(pending: dict, *, ip: str) -> Account:
    _registration_conflicts(
        pinfl=pending["pinfl"], phone=pending["phone"], document_number=pending["document_number"]
    )
    person = Person.objects.select_for_update().filter(pinfl=pending["pinfl"]).first()
    if person is not None and not person.address_area:
        person.address_area = pending["address_area"]
    if person is None:
        person = person_create(
            pinfl=pending["pinfl"],
            document_number=pending["document_number"],
            address_area=pending["address_area"],
            **pending["names"],
        )
    account = Account.objects.create(
        username=person.pinfl,
        password=pending["password_hash"],
        phone=pending["phone"],
        language=pending["language"] if pending["language"] in LANGUAGE_CODES else settings.LANGUAGE_CODE,
        phone_confirmed_at=timezone.now(),
    )
    person.account = account
    person.phone = account.phone
    person.document_number = pending["document_number"]
    person.save(update_fields=["account", "phone", "document_number", "address_area"])
    audit.record(action="account_registered", actor=str(account.id), subject=str(person.id), ip=ip)
    _notify(account, "identity.registered", {})
    events.publish(
        event_types.ACCOUNT_REGISTERED, {"account_id": str(account.id), "person_id": str(person.id)}
    )
    return account


# --- Sign-in --------------------------------------------------------------------------------------


def _locked_error() -> TooManyRequests:
    minutes = max(1, settings.SIGN_IN_LOCKOUT_SECONDS // 60)
    return TooManyRequests(
        ngettext(
            "Too many failed attempts. Signing in is paused for %(minutes)d minute.",
            "Too many failed attempts. Signing in is paused for %(minutes)d minutes.",
            minutes,
        )
        % {"minutes": minutes}
    )


def _wrong_credentials() -> IdentityError:
    return IdentityError(_("The PINFL or phone number and the password do not match. Please check them."))


def _is_locked(account: Account) -> bool:
    return bool(account.locked_until and account.locked_until > timezone.now())


def _failure_record(account: Account, *, ip: str, reason: str) -> IdentityError:
    """Counts a failed attempt and locks the account at the limit; returns the error to show."""
    account.failed_sign_ins += 1
    if account.failed_sign_ins >= settings.SIGN_IN_MAX_FAILURES:
        account.failed_sign_ins = 0
        account.locked_until = timezone.now() + timedelta(seconds=settings.SIGN_IN_LOCKOUT_SECONDS)
        account.save(update_fields=["failed_sign_ins", "locked_until"])
        audit.record(
            action="sign_in_failed", actor="", subject=str(account.id), details={"reason": reason}, ip=ip
        )
        audit.record(action="locked_out", actor="", subject=str(account.id), ip=ip)
        return _locked_error()
    account.save(update_fields=["failed_sign_ins"])
    audit.record(
        action="sign_in_failed", actor="", subject=str(account.id), details={"reason": reason}, ip=ip
    )
    return _wrong_credentials()


def _unknown_identifier_failure(identifier: str, *, ip: str) -> IdentityError:
    """Unknown identifiers lock out like real accounts do, so errors reveal nothing."""
    failures = _count_attempt("unknown_identifier", identifier, settings.SIGN_IN_LOCKOUT_SECONDS)
    audit.record(action="sign_in_failed", details={"reason": "unknown_identifier"}, ip=ip)
    return _locked_error() if failures >= settings.SIGN_IN_MAX_FAILURES else _wrong_credentials()


def phone_hint(phone: str) -> str:
    return f"{phone[:6]} ** ***-**-{phone[-2:]}" if phone else ""


def _identifier_key(identifier: str) -> str:
    value = str(identifier).strip()
    try:
        return normalize_uz_phone(value)
    except ValidationError:
        return value


def sign_in_start(*, identifier: str, password: str, ip: str, language: str) -> PendingSignIn:
    """Checks the password; texts a code unless the account uses an authenticator app."""
    key = _identifier_key(identifier)
    rate_limit("sign_in_ip", ip)
    rate_limit("sign_in_identifier", key)
    with transaction.atomic():
        account = selectors.account_by_identifier(key)
        if account is not None:
            account = Account.objects.select_for_update().get(id=account.id)
        pending, problem = _password_check(account, key, password, ip=ip, language=language)
    if problem is not None:
        raise problem
    return pending


def _password_check(account: Account | None, key: str, password: str, *, ip: str, language: str):
    if account is None or not account.is_active:
        make_password(password)  # as slow as a real check, so timing tells nothing either
        return None, _unknown_identifier_failure(key, ip=ip)
    if _is_locked(account):
        return None, _locked_error()
    if not account.check_password(password):
        return None, _failure_record(account, ip=ip, reason="password")
    if account.totp_confirmed_at:
        return PendingSignIn(str(account.id), "totp", "", "", time.time()), None
    if not account.phone:
        return None, IdentityError(
            _("This account has no phone number for codes. Please visit a public service centre.")
        )
    otp = _code_send(
        phone=account.phone, purpose=OneTimeCode.Purpose.SIGN_IN, language=language, account=account
    )
    return PendingSignIn(str(account.id), "sms", str(otp.id), phone_hint(account.phone), time.time()), None


def sign_in_resend(*, pending: PendingSignIn, ip: str, language: str) -> PendingSignIn:
    rate_limit("code_ip", ip)
    account = Account.objects.filter(id=pending.account_id, is_active=True).first()
    if pending.method != "sms" or account is None or not account.phone:
        raise IdentityError(_("Your sign-in has expired. Please start again."))
    with transaction.atomic():
        otp = _code_send(
            phone=account.phone, purpose=OneTimeCode.Purpose.SIGN_IN, language=language, account=account
        )
    return PendingSignIn(pending.account_id, "sms", str(otp.id), pending.phone_hint, time.time())


def sign_in_complete(*, pending: PendingSignIn, code: str, ip: str) -> Account:
    """Checks the second factor; wrong codes count towards the lockout as wrong passwords do."""
    rate_limit("code_ip", ip)
    rate_limit("code_account", pending.account_id)
    if time.time() - pending.started_at > settings.OTP_TTL_SECONDS:
        raise IdentityError(_("Your sign-in has expired. Please start again."))
    with transaction.atomic():
        account = Account.objects.select_for_update().filter(id=pending.account_id, is_active=True).first()
        if account is None:
            problem = IdentityError(_("Your sign-in has expired. Please start again."))
        elif _is_locked(account):
            problem = _locked_error()
        elif pending.method == "totp":
            problem = None if _totp_accept(account, code) else _second_factor_failure(account, ip=ip)
        else:
            problem = _sms_code_problem(account, pending, code, ip=ip)
        if problem is None:
            account.failed_sign_ins = 0
            account.locked_until = None
            account.last_login = timezone.now()
            account.save(update_fields=["failed_sign_ins", "locked_until", "last_login"])
    if problem is not None:
        raise problem
    return account


def _sms_code_problem(
    account: Account, pending: PendingSignIn, code: str, *, ip: str
) -> IdentityError | None:
    otp = (
        OneTimeCode.objects.select_for_update()
        .filter(id=pending.code_id, purpose=OneTimeCode.Purpose.SIGN_IN, account=account)
        .first()
    )
    problem = _code_problem(otp, code)
    if problem is None:
        otp.used_at = timezone.now()
        otp.save(update_fields=["used_at"])
        return None
    if otp is not None and not otp.used_at and otp.expires_at > timezone.now():
        lockout = _second_factor_failure(account, ip=ip)
        if isinstance(lockout, TooManyRequests):
            return lockout
    return problem


def _second_factor_failure(account: Account, *, ip: str) -> IdentityError:
    result = _failure_record(account, ip=ip, reason="second_factor")
    if isinstance(result, TooManyRequests):
        return result
    return IdentityError(_("Wrong code. Please check it and try again."), field="code")


# --- Authenticator app (TOTP) ---------------------------------------------------------------------


def totp_new_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, label: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=label, issuer_name=TOTP_ISSUER)


def _totp_accept(account: Account, code: str, secret: str | None = None) -> bool:
    """Accepts a code of this 30-second step or one step either side, never the same step twice."""
    code = str(code).strip()
    totp = pyotp.TOTP(secret or account.totp_secret)
    if not (totp.secret and re.fullmatch(r"[0-9]{6}", code)):
        return False
    now_step = totp.timecode(timezone.now())
    for step in (now_step - 1, now_step, now_step + 1):
        if step > account.totp_last_step and constant_time_compare(totp.generate_otp(step), code):
            account.totp_last_step = step
            account.save(update_fields=["totp_last_step"])
            return True
    return False


@transaction.atomic
def totp_enable(*, account_id, secret: str, code: str, ip: str) -> None:
    account = Account.objects.select_for_update().get(id=account_id)
    if not _totp_accept(account, code, secret=secret):
        raise IdentityError(_("Wrong code. Please check the time on your phone and try again."), field="code")
    account.totp_secret = secret
    account.totp_confirmed_at = timezone.now()
    account.save(update_fields=["totp_secret", "totp_confirmed_at"])
    audit.record(action="totp_enabled", actor=str(account.id), subject=str(account.id), ip=ip)


def totp_verify(*, account_id, code: str, ip: str) -> None:
    """Checks a code for an already signed-in session (a step up to the officer area)."""
    rate_limit("code_account", str(account_id))
    with transaction.atomic():
        account = Account.objects.select_for_update().get(id=account_id)
        if _is_locked(account):
            problem = _locked_error()
        elif not account.totp_confirmed_at:
            problem = IdentityError(_("Set up an authenticator app first."))
        elif _totp_accept(account, code):
            problem = None
        else:
            problem = _second_factor_failure(account, ip=ip)
    if problem is not None:
        raise problem


# --- Sessions ---------------------------------------------------------------------------------------


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


@transaction.atomic
def session_start(*, account_id, session_key: str, ip: str | None, user_agent: str, method: str) -> None:
    now = timezone.now()
    UserSession.objects.update_or_create(
        session_key=session_key,
        defaults={
            "account_id": account_id,
            "ip": ip,
            "user_agent": user_agent[:300],
            "started_at": now,
            "last_seen_at": now,
        },
    )
    audit.record(
        action="sign_in", actor=str(account_id), subject=str(account_id), details={"method": method}, ip=ip
    )
    signed_in_at = timezone.localtime(now).strftime("%d.%m.%Y %H:%M")
    _notify(Account.objects.get(id=account_id), "identity.new_sign_in", {"signed_in_at": signed_in_at})


def session_touch(*, account_id, session_key: str, ip: str | None, user_agent: str) -> None:
    """Records that a session was used; sessions started elsewhere (the admin) are added.

    Runs on every signed-in request: it only reads unless a write is due, because a write
    transaction on the embedded SQLite takes the database's single write lock.
    """
    seen = UserSession.objects.filter(session_key=session_key).values_list("last_seen_at", flat=True).first()
    if seen is None or (timezone.now() - seen).total_seconds() >= SESSION_TOUCH_SECONDS:
        _session_seen(account_id=account_id, session_key=session_key, ip=ip, user_agent=user_agent)


@transaction.atomic
def _session_seen(*, account_id, session_key: str, ip: str | None, user_agent: str) -> None:
    now = timezone.now()
    updated = UserSession.objects.filter(session_key=session_key).update(last_seen_at=now, ip=ip)
    if not updated:
        UserSession.objects.create(
            session_key=session_key,
            account_id=account_id,
            ip=ip,
            user_agent=user_agent[:300],
            started_at=now,
            last_seen_at=now,
        )


@transaction.atomic
def session_revoke(*, account_id, session_id: int, ip: str | None) -> None:
    """Signs one of the account's own sessions out: its device is anonymous on its next request."""
    session = UserSession.objects.filter(id=session_id, account_id=account_id).first()
    if session is None:
        raise NotFound(_("This session has already ended."))
    _session_store()().delete(session.session_key)
    session.delete()
    audit.record(action="session_revoked", actor=str(account_id), subject=str(account_id), ip=ip)


@transaction.atomic
def session_revoke_others(*, account_id, current_key: str | None, ip: str | None) -> int:
    others = list(UserSession.objects.filter(account_id=account_id).exclude(session_key=current_key or ""))
    store = _session_store()()
    for session in others:
        store.delete(session.session_key)
    UserSession.objects.filter(id__in=[s.id for s in others]).delete()
    if others:
        audit.record(
            action="session_revoked",
            actor=str(account_id),
            subject=str(account_id),
            details={"count": len(others)},
            ip=ip,
        )
    return len(others)


def password_change(
    *, account_id, current_password: str, new_password: str, current_key: str, ip: str
) -> None:
    """Sets a new password once the current one is given; every other device is signed out.

    A wrong current password counts towards the lockout, as at sign-in.
    """
    rate_limit("code_account", str(account_id))
    with transaction.atomic():
        account = Account.objects.select_for_update().get(id=account_id)
        if _is_locked(account):
            problem = _locked_error()
        elif account.check_password(current_password):
            problem = None
        else:
            problem = _failure_record(account, ip=ip, reason="password_change")
            if not isinstance(problem, TooManyRequests):
                problem = IdentityError(_("The current password is not right."), field="current_password")
    if problem is not None:
        raise problem
    _password_set(account_id=account_id, password=new_password, current_key=current_key, ip=ip)


@transaction.atomic
def _password_set(*, account_id, password: str, current_key: str, ip: str) -> None:
    account = Account.objects.select_for_update().get(id=account_id)
    try:
        clean_password(password, account)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    account.set_password(password)
    account.failed_sign_ins = 0
    account.save(update_fields=["password", "failed_sign_ins"])
    audit.record(action="password_changed", actor=str(account_id), subject=str(account_id), ip=ip)
    session_revoke_others(account_id=account_id, current_key=current_key, ip=ip)


@transaction.atomic
def sign_out(*, account_id, session_key: str | None, ip: str | None) -> None:
    UserSession.objects.filter(session_key=session_key or "").delete()
    audit.record(action="sign_out", actor=str(account_id), subject=str(account_id), ip=ip)


# --- Profile and settings ---------------------------------------------------------------------------


@transaction.atomic
def account_set_language(*, account_id, language: str) -> None:
    if language not in LANGUAGE_CODES:
        raise ValidationError({"language": [_("Choose a language from the list.")]})
    Account.objects.filter(id=account_id).update(language=language)


@transaction.atomic
def account_set_channels(*, account_id, sms: bool, email: bool, in_app: bool) -> None:
    Account.objects.filter(id=account_id).update(notify_sms=sms, notify_email=email, notify_in_app=in_app)


@transaction.atomic
def account_set_email(*, account_id, email: str) -> None:
    try:
        email = clean_email(email) if email.strip() else ""
    except ValidationError as exc:
        raise ValidationError({"email": exc.messages}) from None
    Account.objects.filter(id=account_id).update(email=email)
    Person.objects.filter(account_id=account_id).update(email=email)
    events.publish(event_types.CONTACT_CHANGED, {"account_id": str(account_id), "fields": ["email"]})


def phone_change_start(*, account_id, phone: str, language: str, ip: str) -> dict:
    """Texts a code to the new number; returns what the session keeps until it is entered."""
    rate_limit("code_ip", ip)
    try:
        phone = normalize_uz_phone(phone)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from None
    account = Account.objects.get(id=account_id)
    if account.phone == phone:
        raise ValidationError({"phone": [_("This is already your phone number.")]})
    if Account.objects.filter(phone=phone).exists():
        raise Conflict(_("This phone number is already used by another account."), field="phone")
    with transaction.atomic():
        otp = _code_send(
            phone=phone, purpose=OneTimeCode.Purpose.PHONE_CHANGE, language=language, account=account
        )
    return {"code_id": str(otp.id), "phone": phone, "phone_hint": phone_hint(phone)}


def phone_change_complete(*, account_id, pending: dict, code: str, ip: str) -> None:
    rate_limit("code_account", str(account_id))
    _code_consume(
        code_id=pending["code_id"],
        code=code,
        purpose=OneTimeCode.Purpose.PHONE_CHANGE,
        phone=pending["phone"],
    )
    _phone_set(account_id=account_id, phone=pending["phone"], ip=ip)


@transaction.atomic
def _phone_set(*, account_id, phone: str, ip: str) -> None:
    if Account.objects.filter(phone=phone).exclude(id=account_id).exists():
        raise Conflict(_("This phone number is already used by another account."), field="phone")
    account = Account.objects.select_for_update().get(id=account_id)
    # The old number hears of the change: if it was not its owner, they can act.
    _notify(account, "identity.phone_changed", {"phone_last_digits": phone[-4:]}, sms_to=account.phone)
    account.phone = phone
    account.phone_confirmed_at = timezone.now()
    account.save(update_fields=["phone", "phone_confirmed_at"])
    Person.objects.filter(account_id=account_id).update(phone=phone)
    audit.record(action="phone_changed", actor=str(account_id), subject=str(account_id), ip=ip)
    events.publish(event_types.CONTACT_CHANGED, {"account_id": str(account_id), "fields": ["phone"]})


@transaction.atomic
def consent_give(*, person_id, purpose: str) -> None:
    if purpose not in CONSENT_PURPOSES:
        raise NotFound(_("No such consent."))
    if Consent.objects.filter(person_id=person_id, purpose=purpose, withdrawn_at__isnull=True).exists():
        return
    Consent.objects.create(person_id=person_id, purpose=purpose, given_at=timezone.now())
    events.publish(event_types.CONSENT_GIVEN, {"person_id": str(person_id), "purpose": purpose})


@transaction.atomic
def consent_withdraw(*, person_id, purpose: str) -> None:
    if purpose not in CONSENT_PURPOSES:
        raise NotFound(_("No such consent."))
    if Consent.objects.filter(person_id=person_id, purpose=purpose, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now()
    ):
        events.publish(event_types.CONSENT_WITHDRAWN, {"person_id": str(person_id), "purpose": purpose})


# --- Identity confirmation at a service centre -------------------------------------------------------


@transaction.atomic
def person_read_for_confirmation(*, pinfl: str, officer_id, ip: str | None):
    """Finds a person for an operator; the read of another person's record is audited."""
    pinfl = str(pinfl).strip()
    try:
        validate_pinfl(pinfl)
    except ValidationError as exc:
        raise ValidationError({"pinfl": exc.messages}) from None
    person = selectors.person_by_pinfl(pinfl)
    if person is None:
        raise NotFound(_("No person with this PINFL is registered."), field="pinfl")
    audit.record(
        action="person_read", actor=str(officer_id), subject=person.id, purpose=PURPOSE_CONFIRMATION, ip=ip
    )
    return person


@transaction.atomic
def person_verify(*, person_id, officer_id, document_number: str, ip: str | None) -> None:
    """Marks a person's identity as confirmed after an operator checked the ID document."""
    person = Person.objects.select_for_update().filter(id=person_id).first()
    if person is None:
        raise NotFound(_("No such person."))
    try:
        document_number = clean_document_number(document_number)
    except ValidationError as exc:
        raise ValidationError({"document_number": exc.messages}) from None
    if person.verified_at:
        raise Conflict(_("This person's identity is already confirmed."))
    if person.document_number and person.document_number != document_number:
        raise IdentityError(
            _("This document number does not match the one given at registration. Check the document."),
            field="document_number",
        )
    person.document_number = document_number
    person.verified_at = timezone.now()
    person.verified_by_id = officer_id
    person.save(update_fields=["document_number", "verified_at", "verified_by"])
    audit.record(
        action="person_verified",
        actor=str(officer_id),
        subject=str(person.id),
        purpose=PURPOSE_CONFIRMATION,
        ip=ip,
    )
    events.publish(
        event_types.PERSON_VERIFIED,
        {
            "person_id": str(person.id),
            "account_id": str(person.account_id) if person.account_id else None,
            "officer_account_id": str(officer_id),
        },
    )
