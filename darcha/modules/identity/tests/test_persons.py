from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from darcha.modules.identity import api, selectors, services
from darcha.modules.identity.errors import Conflict
from darcha.modules.identity.models import Kinship, LegalEntity, OfficerAppointment, Person, Representation
from darcha.modules.identity.tests.conftest import CHILONZOR, make_account, make_person, new_pinfl
from darcha.platform.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_a_person_gets_birth_date_and_sex_from_the_pinfl_and_a_cyrillic_name():
    person = make_person(
        pinfl=new_pinfl(date(1991, 7, 22), "F"),
        surname="Yo'ldosheva",
        given_name="Dilnoza",
        patronymic="Rustamovna",
    )
    assert (person.birth_date, person.sex) == (date(1991, 7, 22), "F")
    assert person.surname == "Yo‘ldosheva"  # the apostrophe is stored in its official form
    assert person.surname_cyrl == "Йўлдошева"
    assert person.given_name_cyrl == "Дилноза"
    assert person.verified_at is None and person.account is None


def test_a_given_cyrillic_name_is_kept():
    person = make_person(surname="Karimov", surname_cyrl="Каримов")
    assert person.surname_cyrl == "Каримов"


@pytest.mark.parametrize(
    ("pinfl", "message"),
    [
        ("31505901234567", "last digit does not match"),  # wrong check digit
        ("33102901234561", "real birth date"),  # 31 February
        ("31505900004561", "cannot be 000"),  # area 000
        ("3150590123456", "exactly 14 digits"),
    ],
)
def test_a_bad_pinfl_is_refused_and_nothing_is_written(pinfl, message):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        make_person(pinfl=pinfl)
    assert message in " ".join(caught.value.message_dict["pinfl"])
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("K" * 61, "too long"),
        ("Kari\u200bmov", "invisible or direction-changing"),
        ("\u202eKarimov", "invisible or direction-changing"),
        ("Karimov1", "only letters"),
    ],
)
def test_a_bad_name_is_refused(name, message):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        make_person(surname=name)
    assert message in " ".join(caught.value.message_dict["surname"])
    assert not Person.objects.exists()


def test_bad_contact_and_address_are_refused_together():
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        make_person(phone="+7 901 234 56 78", address_area="1726999", document_number="A1234567")
    errors = caught.value.message_dict
    assert "Uzbek numbers" in errors["phone"][0]
    assert errors["address_area"] == ["Choose a district that exists."]
    assert "2 letters and 7 digits" in errors["document_number"][0]
    assert not Person.objects.exists()


def test_a_region_is_not_a_registered_address():
    with pytest.raises(ValidationError) as caught:
        make_person(address_area="1726")
    assert "address_area" in caught.value.message_dict


def test_a_duplicate_pinfl_is_a_conflict():
    pinfl = new_pinfl()
    make_person(pinfl=pinfl)
    with pytest.raises(Conflict):
        make_person(pinfl=pinfl, surname="Boshqa")
    assert Person.objects.count() == 1


def test_entity_stir_format_and_legal_form_rules():
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.entity_create(stir="312345678", name="Test MChJ", legal_form="mchj", address_area=CHILONZOR)
    assert "9 digits and starts with 2, 4, 5, 6 or 7" in caught.value.message_dict["stir"][0]
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.entity_create(stir="412345678", name="Test MChJ", legal_form="mchj", address_area=CHILONZOR)
    assert caught.value.message_dict["stir"] == ["The STIR of a legal entity starts with 2."]
    with pytest.raises(ValidationError) as caught:
        services.entity_create(stir="212345678", name="YaTT Test", legal_form="yatt", address_area=CHILONZOR)
    assert "stir" in caught.value.message_dict
    assert not LegalEntity.objects.exists()


def test_entity_name_with_bidirectional_override_is_refused():
    with pytest.raises(ValidationError) as caught:
        services.entity_create(
            stir="212345678", name="Test\u202e MChJ", legal_form="mchj", address_area=CHILONZOR
        )
    assert "name" in caught.value.message_dict


def test_entity_with_representatives_and_one_director():
    entity = services.entity_create(
        stir="212345678", name="Test MChJ", legal_form="mchj", address_area=CHILONZOR
    )
    director, accountant = make_person(), make_person()
    services.representation_add(entity_id=entity.id, person_id=director.id, role="director")
    services.representation_add(entity_id=entity.id, person_id=accountant.id, role="accountant")
    with pytest.raises(Conflict):
        services.representation_add(entity_id=entity.id, person_id=accountant.id, role="director")
    with pytest.raises(Conflict):
        services.entity_create(stir="212345678", name="Other", legal_form="mchj", address_area=CHILONZOR)
    assert [(e.stir, e.roles) for e in selectors.entities_represented(director.id)] == [
        ("212345678", ("director",))
    ]
    assert Representation.objects.filter(entity=entity).count() == 2


def test_appointing_an_officer_and_changing_roles_is_audited():
    account = make_account()
    appointment = services.officer_appoint(
        person_id=account.person.id,
        agency_code="maktabgacha",
        scope_code="1726",
        roles=["receiver"],
        actor_id="admin",
    )
    services.officer_set_roles(
        appointment_id=appointment.id, roles={"receiver", "approver"}, actor_id="admin"
    )
    entries = list(AuditEntry.objects.filter(action="role_changed").order_by("seq"))
    assert [e.details["added"] for e in entries] == [["receiver"], ["approver"]]
    assert all(e.subject == str(account.person.id) and e.actor == "admin" for e in entries)
    [officer] = api.officer_for(account.pk)
    assert (officer.agency_code, officer.scope_code, officer.roles) == (
        "maktabgacha",
        "1726",
        ("approver", "receiver"),
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"agency_code": "no-such-agency"}, "agency_code"),
        ({"scope_code": "1799"}, "scope_code"),
        ({"roles": ["emperor"]}, "roles"),
        ({"roles": []}, "roles"),
    ],
)
def test_bad_appointments_are_refused(fields, field):
    person = make_person()
    arguments = {
        "person_id": person.id,
        "agency_code": "maktabgacha",
        "scope_code": "17",
        "roles": ["receiver"],
    }
    with pytest.raises(ValidationError) as caught:
        services.officer_appoint(**{**arguments, **fields})
    assert field in caught.value.message_dict
    assert not OfficerAppointment.objects.exists()
    assert not AuditEntry.objects.filter(action="role_changed").exists()


def test_children_are_linked_to_parents_and_only_minors_are_listed():
    parent = make_person(pinfl=new_pinfl(date(1970, 1, 1), "F"))
    today = date.today()
    turns_18_soon = today.replace(year=today.year - 18, day=1) + timedelta(days=40)
    almost_adult = make_person(pinfl=new_pinfl(turns_18_soon, "M"))
    grown_up = make_person(pinfl=new_pinfl(date(1995, 3, 3), "M"))
    baby = make_person(pinfl=new_pinfl(date(2024, 6, 1), "F"))
    for child in (almost_adult, grown_up, baby):
        api.child_link(parent_id=parent.id, child_id=child.id)
    api.child_link(parent_id=parent.id, child_id=baby.id)  # recording it again changes nothing
    assert [c.id for c in api.children_of(parent.id)] == [str(baby.id), str(almost_adult.id)]
    assert api.children_of(baby.id) == []


def test_a_parent_must_be_older_and_a_child_has_at_most_two_parents():
    child = make_person(pinfl=new_pinfl(date(2020, 1, 1), "F"))
    with pytest.raises(ValidationError):
        api.child_link(parent_id=child.id, child_id=make_person(pinfl=new_pinfl(date(1990, 1, 1), "M")).id)
    for _ in range(2):
        api.child_link(parent_id=make_person(pinfl=new_pinfl(date(1990, 1, 1), "M")).id, child_id=child.id)
    with pytest.raises(Conflict):
        api.child_link(parent_id=make_person(pinfl=new_pinfl(date(1991, 1, 1), "F")).id, child_id=child.id)
    assert len(Kinship.objects.filter(child=child)) == 2


def test_officer_accounts_by_agency_and_role():
    head = make_account()
    services.officer_appoint(
        person_id=head.person.id, agency_code="maktabgacha", scope_code="17", roles=["head"]
    )
    receiver = make_account()
    services.officer_appoint(
        person_id=receiver.person.id, agency_code="maktabgacha", scope_code="1726", roles=["receiver"]
    )
    [(account_id, appointment)] = api.officer_accounts("maktabgacha", "head")
    assert account_id == str(head.pk) and appointment.scope_code == "17"
    assert api.officer_accounts("soliq", "head") == []
    both = api.officer_accounts("maktabgacha", "head", "receiver")
    assert sorted(account for account, _ in both) == sorted([str(head.pk), str(receiver.pk)])


def test_an_officer_with_several_of_the_roles_is_listed_once():
    officer = make_account()
    services.officer_appoint(
        person_id=officer.person.id, agency_code="maktabgacha", scope_code="17", roles=["head", "approver"]
    )
    assert [account for account, _ in api.officer_accounts("maktabgacha", "head", "approver")] == [
        str(officer.pk)
    ]


def test_validators_are_offered_to_other_modules():
    assert api.normalize_uz_phone("90 123 45 67") == "+998901234567"
    assert api.validate_pinfl("31505901234568").birth_date == date(1990, 5, 15)
    assert api.is_legal_entity_stir("207123451") is True


def test_other_modules_register_a_newborn_and_its_parents():
    mother = make_person(pinfl=new_pinfl(date(1992, 4, 4), "F"))
    baby = api.person_create(
        pinfl=new_pinfl(date(2026, 3, 1), "M"), surname="Karimov", given_name="Ali", address_area=CHILONZOR
    )
    api.child_link(parent_id=mother.id, child_id=baby.id)
    assert baby.given_name_cyrl == "Али" and baby.account_id is None and not baby.verified
    assert [c.id for c in api.children_of(mother.id)] == [baby.id]
