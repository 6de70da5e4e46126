"""Public surface of the identity module: the only thing other modules import.

Records are frozen dataclasses with ids as strings; nothing here hands out a model.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from darcha.modules.identity import demo, selectors, services
from darcha.modules.identity.errors import Conflict, IdentityError, NotFound, TooManyRequests
from darcha.modules.identity.info import (
    CONSENT_PURPOSES,
    AccountInfo,
    ActingParty,
    Contact,
    EntityInfo,
    OfficerInfo,
    PersonInfo,
)
from darcha.modules.identity.models import OfficerRole
from darcha.modules.identity.validators import (
    PinflInfo,
    is_legal_entity_stir,
    make_pinfl,
    normalize_uz_phone,
    validate_person_name,
    validate_pinfl,
    validate_stir,
)
from darcha.platform.http import client_address

__all__ = [
    "CONSENT_PURPOSES",
    "OFFICER_ROLES",
    "SESSION_ACTING_ENTITY",
    "SESSION_SECOND_FACTOR",
    "SESSION_SEEN",
    "AccountInfo",
    "ActingParty",
    "Conflict",
    "Contact",
    "EntityInfo",
    "IdentityError",
    "NotFound",
    "OfficerInfo",
    "PersonInfo",
    "PinflInfo",
    "TooManyRequests",
    "account_info",
    "account_set_language",
    "acting_for",
    "check_data",
    "child_link",
    "children_of",
    "client_ip",
    "contact_for",
    "current_officer",
    "demo_accounts",
    "demo_accounts_exist",
    "entities_represented",
    "entity_by_stir",
    "has_consent",
    "identity_header",
    "is_legal_entity_stir",
    "is_platform_admin",
    "is_totp_verified",
    "make_pinfl",
    "normalize_uz_phone",
    "officer_accounts",
    "officer_for",
    "officer_required",
    "person",
    "person_by_pinfl",
    "person_create",
    "person_for_account",
    "persons_for_accounts",
    "seed_demo",
    "validate_person_name",
    "validate_pinfl",
    "validate_stir",
]

OFFICER_ROLES = tuple(OfficerRole.Role.values)

# Session keys: the second factor the session passed, and the entity it acts for; when the
# session was last recorded in the person's list of devices (SessionTrackingMiddleware), kept
# in the session so that a signed-in request needs no query to know it.
SESSION_SECOND_FACTOR = "identity.second_factor"
SESSION_ACTING_ENTITY = "identity.acting_entity"
SESSION_SEEN = "identity.seen"


# --- Lookups ---------------------------------------------------------------------------------


def account_info(account_id) -> AccountInfo | None:
    return selectors.account_info(account_id)


def person(person_id) -> PersonInfo | None:
    return selectors.person_by_id(person_id)


def person_for_account(account_id) -> PersonInfo | None:
    return selectors.person_for_account(account_id)


def persons_for_accounts(account_ids: list) -> dict[str, PersonInfo]:
    """Account id → its person, in one query; accounts without a person are left out."""
    return selectors.persons_for_accounts(account_ids)


def person_by_pinfl(pinfl: str) -> PersonInfo | None:
    return selectors.person_by_pinfl(pinfl)


def entity_by_stir(stir: str) -> EntityInfo | None:
    return selectors.entity_by_stir(stir)


def entities_represented(person_id) -> list[EntityInfo]:
    """The legal entities the person may act for, each with the person's roles in it."""
    return selectors.entities_represented(person_id)


def children_of(person_id) -> list[PersonInfo]:
    """The person's children under 18 (minors a parent may apply for), youngest first."""
    return selectors.children_of(person_id)


def person_create(
    *,
    pinfl: str,
    surname: str,
    given_name: str,
    patronymic: str = "",
    address_area: str = "",
    address_line: str = "",
    phone: str = "",
) -> PersonInfo:
    """Registers a person known by PINFL (for example a newborn); the Cyrillic names are
    transliterated. Raises ValidationError for bad fields, Conflict for a known PINFL."""
    person = services.person_create(
        pinfl=pinfl,
        surname=surname,
        given_name=given_name,
        patronymic=patronymic,
        address_area=address_area,
        address_line=address_line,
        phone=phone,
    )
    return selectors.person_info(person)


def child_link(*, parent_id, child_id) -> None:
    """Records a parent and child (civil registration of a birth)."""
    services.child_link(parent_id=parent_id, child_id=child_id)


def contact_for(account_id) -> Contact | None:
    """Where and how to reach an account holder: phone, e-mail, language, enabled channels."""
    return selectors.contact_for(account_id)


def officer_for(account_id) -> list[OfficerInfo]:
    """Every officer appointment of the account's person (agency, area scope, roles)."""
    return selectors.officer_appointments(account_id)


def officer_accounts(agency_code: str, *roles: str) -> list[tuple[str, OfficerInfo]]:
    """(account id, appointment) of every officer of the agency holding any of the roles."""
    return selectors.officer_accounts(agency_code, roles)


def has_consent(person_id, purpose: str) -> bool:
    """Whether the person currently consents to the purpose (a key of CONSENT_PURPOSES)."""
    return selectors.has_consent(person_id, purpose)


def account_set_language(account_id, language: str) -> None:
    """Saves the account's language (uz, uz-cyrl, ru, en); raises ValidationError otherwise."""
    services.account_set_language(account_id=account_id, language=language)


# --- Request-level helpers --------------------------------------------------------------------


def client_ip(request: HttpRequest) -> str | None:
    return client_address(request)


def is_totp_verified(request: HttpRequest) -> bool:
    """Whether this session was signed in, or stepped up, with an authenticator code."""
    return request.user.is_authenticated and request.session.get(SESSION_SECOND_FACTOR) == "totp"


def current_officer(request: HttpRequest) -> list[OfficerInfo]:
    """The signed-in officer's appointments, or none when the session has not passed TOTP."""
    if not is_totp_verified(request):
        return []
    return _request_appointments(request)


def _request_appointments(request: HttpRequest) -> list[OfficerInfo]:
    """The signed-in account's officer appointments, read once per request: the access check,
    the page and the header all need them."""
    if not hasattr(request, "_identity_appointments"):
        request._identity_appointments = officer_for(request.user.pk)
    return request._identity_appointments


def is_platform_admin(request: HttpRequest) -> bool:
    """A superuser, or an officer with the platform_admin role in a TOTP-verified session."""
    if not request.user.is_authenticated:
        return False
    if request.user.is_superuser:
        return True
    return any("platform_admin" in officer.roles for officer in current_officer(request))


def officer_required(roles: set[str] | None = None):
    """View decorator: a signed-in officer (with one of ``roles``, if given) whose session passed TOTP.

    Anonymous visitors go to sign-in, officers without a TOTP-verified session to the
    authenticator step, everyone else gets 403.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            appointments = _request_appointments(request)
            if not appointments:
                return _denied(request, _("This page is for officers of government agencies."))
            if not is_totp_verified(request):
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('identity:totp')}?{query}")
            if roles and not any(set(officer.roles) & set(roles) for officer in appointments):
                return _denied(request, _("Your officer role does not give access to this page."))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _denied(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "identity/denied.html", {"message": message}, status=403)


def own_person(request: HttpRequest) -> PersonInfo | None:
    """The signed-in person, read once per request."""
    if not hasattr(request, "_identity_person"):
        request._identity_person = selectors.person_for_account(request.user.pk)
    return request._identity_person


def acting_for(request: HttpRequest) -> ActingParty | None:
    """Who the signed-in person acts as: themselves, or the legal entity chosen in this session."""
    if not request.user.is_authenticated:
        return None
    cached = getattr(request, "_identity_acting", None)
    if cached is not None:
        return cached
    language = get_language() or "uz"
    own = own_person(request)
    party = ActingParty(
        kind="person",
        account_id=str(request.user.pk),
        person_id=own.id if own else None,
        name=own.short_name(language) if own else request.user.get_username(),
    )
    entity_id = request.session.get(SESSION_ACTING_ENTITY)
    if own and entity_id:
        entity = next((e for e in selectors.entities_represented(own.id) if e.id == entity_id), None)
        if entity is not None:
            party = ActingParty(
                kind="entity",
                account_id=party.account_id,
                person_id=own.id,
                name=entity.name,
                entity_id=entity.id,
                stir=entity.stir,
            )
    request._identity_acting = party
    return party


def is_officer(request: HttpRequest) -> bool:
    """Whether the signed-in account holds any officer appointment, read once per request."""
    return bool(_request_appointments(request))


def identity_header(request: HttpRequest) -> dict:
    """Context for the page header: who is signed in, for whom they act, officer or not."""
    party = acting_for(request)
    if party is None:
        return {}
    own = own_person(request)
    language = get_language() or "uz"
    return {
        "display_name": own.short_name(language) if own else request.user.get_username(),
        "acting_for": party.name if party.is_entity else "",
        "acting": party,
        "is_officer": is_officer(request),
    }


# --- Installation data ----------------------------------------------------------------------------


def seed_demo() -> None:
    """Loads the demonstration people, organisations and officers; safe to repeat."""
    demo.seed()


def demo_accounts() -> list[dict]:
    """The demonstration sign-ins: role, name, PINFL, phone, password hint, TOTP secret."""
    return demo.accounts()


def demo_accounts_exist() -> bool:
    return demo.loaded()


def check_data() -> list[str]:
    """Problems in stored identity data, each a line naming internal ids only."""
    return selectors.check_data()
