"""JSON API of the identity module, mounted at /api/v1/identity/."""

from datetime import date

from django.utils.translation import get_language
from ninja import Router, Schema
from ninja.security import django_auth

from darcha.modules.apiaccess.api import error_responses
from darcha.modules.identity import api, selectors

router = Router(tags=["identity"])


class EntityOut(Schema):
    id: str
    stir: str
    name: str
    legal_form: str
    roles: list[str]


class OfficerOut(Schema):
    agency_code: str
    scope_code: str
    roles: list[str]


class MeOut(Schema):
    account_id: str
    language: str
    pinfl: str | None
    full_name: str
    surname: str | None
    given_name: str | None
    patronymic: str | None
    birth_date: date | None
    sex: str | None
    address_area: str | None
    verified: bool
    acting_for_stir: str | None
    entities: list[EntityOut]
    officer: list[OfficerOut]


@router.get(
    "/me",
    auth=django_auth,
    response={200: MeOut, **error_responses(401)},
    summary="The signed-in person's own profile",
)
def me(request):
    account = request.auth
    person = selectors.person_for_account(account.pk)
    acting = api.acting_for(request)
    entities = selectors.entities_represented(person.id) if person else []
    return MeOut(
        account_id=str(account.pk),
        language=account.language,
        pinfl=person.pinfl if person else None,
        full_name=person.full_name(get_language() or "uz") if person else account.get_username(),
        surname=person.surname if person else None,
        given_name=person.given_name if person else None,
        patronymic=person.patronymic if person else None,
        birth_date=person.birth_date if person else None,
        sex=person.sex if person else None,
        address_area=person.address_area or None if person else None,
        verified=bool(person and person.verified),
        acting_for_stir=acting.stir if acting and acting.is_entity else None,
        entities=[
            EntityOut(id=e.id, stir=e.stir, name=e.name, legal_form=e.legal_form, roles=list(e.roles))
            for e in entities
        ],
        officer=[
            OfficerOut(agency_code=o.agency_code, scope_code=o.scope_code, roles=list(o.roles))
            for o in api.officer_for(account.pk)
        ],
    )
