"""Reads of identity data, returned as frozen records."""

import re
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from darcha.modules.identity.info import (
    CONSENT_PURPOSES,
    AccountInfo,
    ConsentInfo,
    Contact,
    EntityInfo,
    OfficerInfo,
    PersonInfo,
    SessionInfo,
)
from darcha.modules.identity.models import (
    Account,
    Consent,
    LegalEntity,
    OfficerAppointment,
    OneTimeCode,
    Person,
    Representation,
    UserSession,
)
from darcha.modules.identity.validators import normalize_uz_phone, validate_pinfl, validate_stir
from darcha.modules.reference import api as reference
from darcha.platform import db

PINFL_SHAPE = re.compile(r"[0-9]{14}")


def person_info(person: Person) -> PersonInfo:
    return PersonInfo(
        id=str(person.id),
        pinfl=person.pinfl,
        birth_date=person.birth_date,
        sex=person.sex,
        surname=person.surname,
        given_name=person.given_name,
        patronymic=person.patronymic,
        surname_cyrl=person.surname_cyrl,
        given_name_cyrl=person.given_name_cyrl,
        patronymic_cyrl=person.patronymic_cyrl,
        address_area=person.address_area,
        address_line=person.address_line,
        verified=person.verified_at is not None,
        account_id=str(person.account_id) if person.account_id else None,
    )


def person_by_id(person_id) -> PersonInfo | None:
    person = Person.objects.filter(id=person_id).first()
    return person_info(person) if person else None


def person_by_pinfl(pinfl: str) -> PersonInfo | None:
    person = Person.objects.filter(pinfl=str(pinfl).strip()).first()
    return person_info(person) if person else None


def person_for_account(account_id) -> PersonInfo | None:
    # On every submission: read without compiling a query (darcha.platform.db).
    found = db.instances(Person, account_id=account_id)
    return person_info(found[0]) if found else None


def persons_for_accounts(account_ids) -> dict[str, PersonInfo]:
    return {str(p.account_id): person_info(p) for p in Person.objects.filter(account_id__in=account_ids)}


def account_info(account_id) -> AccountInfo | None:
    account = Account.objects.filter(id=account_id).select_related("person").first()
    if account is None:
        return None
    person = getattr(account, "person", None)
    return AccountInfo(
        id=str(account.id),
        username=account.username,
        language=account.language,
        person_id=str(person.id) if person else None,
        verified=bool(person and person.verified_at),
        totp_enabled=account.totp_confirmed_at is not None,
        is_superuser=account.is_superuser,
    )


def account_by_identifier(identifier: str) -> Account | None:
    """The account signed in to with a PINFL or a phone number, if there is one."""
    value = str(identifier).strip()
    if PINFL_SHAPE.fullmatch(value):
        return Account.objects.filter(person__pinfl=value).first()
    try:
        phone = normalize_uz_phone(value)
    except ValidationError:
        return None
    return Account.objects.filter(phone=phone).first()


def contact_for(account_id) -> Contact | None:
    account = Account.objects.filter(id=account_id).first()
    if account is None:
        return None
    channels = [
        name
        for name, enabled in (
            ("sms", account.notify_sms and bool(account.phone)),
            ("email", account.notify_email and bool(account.email)),
            ("in_app", account.notify_in_app),
        )
        if enabled
    ]
    return Contact(
        phone=account.phone, email=account.email, language=account.language, channels=tuple(channels)
    )


def _officer_info(appointment: OfficerAppointment) -> OfficerInfo:
    return OfficerInfo(
        appointment_id=str(appointment.id),
        agency_code=appointment.agency_code,
        scope_code=appointment.scope_code,
        roles=tuple(sorted(r.role for r in appointment.roles.all())),
    )


def officer_appointments(account_id) -> list[OfficerInfo]:
    appointments = (
        OfficerAppointment.objects.filter(person__account_id=account_id)
        .prefetch_related("roles")
        .order_by("agency_code", "scope_code")
    )
    return [_officer_info(a) for a in appointments]


def officer_accounts(agency_code: str, roles: Iterable[str]) -> list[tuple[str, OfficerInfo]]:
    """Accounts of the agency's officers with any of the roles, each with that appointment, once."""
    appointments = (
        OfficerAppointment.objects.filter(
            agency_code=agency_code, roles__role__in=list(roles), person__account__isnull=False
        )
        .distinct()
        .select_related("person")
        .prefetch_related("roles")
        .order_by("scope_code", "id")
    )
    return [(str(a.person.account_id), _officer_info(a)) for a in appointments]


def children_of(person_id) -> list[PersonInfo]:
    """The person's children under 18, youngest first."""
    today = timezone.localdate()
    try:
        coming_of_age = today.replace(year=today.year - 18)
    except ValueError:  # 29 February
        coming_of_age = today.replace(year=today.year - 18, day=28)
    children = Person.objects.filter(parent_links__parent_id=person_id, birth_date__gt=coming_of_age)
    return [person_info(child) for child in children.order_by("-birth_date")]


def entity_info(entity: LegalEntity, roles: tuple[str, ...] = ()) -> EntityInfo:
    return EntityInfo(
        id=str(entity.id),
        stir=entity.stir,
        name=entity.name,
        legal_form=entity.legal_form,
        address_area=entity.address_area,
        roles=roles,
    )


def entity_by_stir(stir: str) -> EntityInfo | None:
    entity = LegalEntity.objects.filter(stir=str(stir).strip()).first()
    return entity_info(entity) if entity else None


def entities_represented(person_id) -> list[EntityInfo]:
    """The legal entities a person may act for, each with the person's roles in it."""
    roles: dict = {}
    entities: dict = {}
    for rep in (
        Representation.objects.filter(person_id=person_id)
        .select_related("entity")
        .order_by("entity__name", "role")
    ):
        entities[rep.entity_id] = rep.entity
        roles.setdefault(rep.entity_id, []).append(rep.role)
    return [entity_info(entity, tuple(roles[key])) for key, entity in entities.items()]


def representation_roles(person_id, entity_id) -> tuple[str, ...]:
    return tuple(
        Representation.objects.filter(person_id=person_id, entity_id=entity_id)
        .order_by("role")
        .values_list("role", flat=True)
    )


def sessions_of(account_id, current_key: str | None) -> list[SessionInfo]:
    since = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    return [
        SessionInfo(
            id=s.id,
            user_agent=s.user_agent,
            ip=s.ip or "",
            started_at=s.started_at,
            last_seen_at=s.last_seen_at,
            current=s.session_key == current_key,
        )
        for s in UserSession.objects.filter(account_id=account_id, last_seen_at__gte=since).order_by(
            "-last_seen_at"
        )
    ]


def consents_of(person_id) -> list[ConsentInfo]:
    """Every purpose with its current state; never given purposes have no dates."""
    latest: dict[str, Consent] = {}
    for consent in Consent.objects.filter(person_id=person_id).order_by("given_at"):
        latest[consent.purpose] = consent
    return [
        ConsentInfo(
            purpose=purpose,
            title=str(title),
            given_at=latest[purpose].given_at if purpose in latest else None,
            withdrawn_at=latest[purpose].withdrawn_at if purpose in latest else None,
        )
        for purpose, title in CONSENT_PURPOSES.items()
    ]


def has_consent(person_id, purpose: str) -> bool:
    return Consent.objects.filter(person_id=person_id, purpose=purpose, withdrawn_at__isnull=True).exists()


def codes_sent_since(phone: str, since) -> int:
    return OneTimeCode.objects.filter(phone=phone, created_at__gte=since).count()


def check_data() -> list[str]:
    """Stored identity data that no longer passes the rules; lines name internal ids only."""
    problems = []
    for person in Person.objects.only(
        "id", "pinfl", "birth_date", "sex", "address_area", "surname", "surname_cyrl"
    ):
        try:
            info = validate_pinfl(person.pinfl)
        except ValidationError:
            problems.append(f"identity: person {person.id} has an invalid PINFL")
        else:
            if (info.birth_date, info.sex) != (person.birth_date, person.sex):
                problems.append(f"identity: person {person.id}: birth date or sex differs from the PINFL")
        if person.address_area and not reference.is_district(person.address_area):
            problems.append(
                f"identity: person {person.id}: address area {person.address_area} is not a district"
            )
        if person.surname and not person.surname_cyrl:
            problems.append(f"identity: person {person.id} has no Cyrillic name")
    for entity in LegalEntity.objects.only("id", "stir", "address_area"):
        try:
            validate_stir(entity.stir)
        except ValidationError:
            problems.append(f"identity: legal entity {entity.id} has an invalid STIR")
        if not reference.is_district(entity.address_area):
            problems.append(
                f"identity: legal entity {entity.id}: address area {entity.address_area} is not a district"
            )
    for appointment in OfficerAppointment.objects.only("id", "agency_code", "scope_code"):
        if reference.agency(appointment.agency_code) is None:
            problems.append(
                f"identity: appointment {appointment.id}: unknown agency {appointment.agency_code}"
            )
        if appointment.scope_code != "17" and reference.area(appointment.scope_code) is None:
            problems.append(f"identity: appointment {appointment.id}: unknown area {appointment.scope_code}")
    for account_id, phone in Account.objects.exclude(phone="").values_list("id", "phone"):
        try:
            if normalize_uz_phone(phone) != phone:
                raise ValidationError("not normalised")
        except ValidationError:
            problems.append(f"identity: account {account_id} has a phone number not in +998XXXXXXXXX form")
    return problems
