from datetime import date

import pyotp
import pytest

from darcha.modules.identity import api
from darcha.modules.identity.models import Account, LegalEntity, OfficerRole, Person
from darcha.modules.identity.validators import is_legal_entity_stir, validate_pinfl

pytestmark = pytest.mark.django_db


def age(born: date, today: date = date(2026, 9, 1)) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def test_demo_data_is_complete_and_loading_it_twice_changes_nothing():
    assert api.demo_accounts_exist() is False
    api.seed_demo()
    counts = (Person.objects.count(), Account.objects.count(), LegalEntity.objects.count())
    api.seed_demo()
    assert (Person.objects.count(), Account.objects.count(), LegalEntity.objects.count()) == counts
    assert api.demo_accounts_exist() is True

    people = list(Person.objects.all())
    assert len(people) >= 50
    assert len({p.address_area[:4] for p in people}) >= 5
    ages = [age(p.birth_date) for p in people]
    assert sum(a <= 6 for a in ages) >= 8  # children who need a kindergarten place
    assert any(7 <= a <= 17 for a in ages) and any(a >= 60 for a in ages)
    for person in people:
        info = validate_pinfl(person.pinfl)
        assert (info.birth_date, info.sex) == (person.birth_date, person.sex)
        assert person.surname_cyrl and person.given_name_cyrl
    assert all(not p.account_id for p in people if age(p.birth_date) < 16)

    stirs = list(LegalEntity.objects.values_list("stir", "legal_form"))
    assert len(stirs) == 5
    assert [form for stir, form in stirs if not is_legal_entity_stir(stir)] == ["yatt"]
    assert set(OfficerRole.objects.values_list("role", flat=True)) == set(OfficerRole.Role.values)
    assert api.check_data() == []

    jasur = api.person_by_pinfl(
        next(r["pinfl"] for r in api.demo_accounts() if r["name"].startswith("Karimov Jasur"))
    )
    assert [c.given_name for c in api.children_of(jasur.id)] == ["Madina", "Sardor", "Otabek"]


def test_demo_accounts_sign_in_with_the_published_password_and_secrets():
    api.seed_demo()
    rows = api.demo_accounts()
    assert len(rows) >= 25
    for row in rows:
        account = Account.objects.get(phone=row["phone"])
        assert account.username == row["pinfl"]
        assert account.check_password(row["password"]) and row["password"] == "Darcha-2026"
        if row["totp_secret"]:
            assert account.totp_secret == row["totp_secret"]
            assert len(pyotp.TOTP(row["totp_secret"]).now()) == 6
            assert api.officer_for(account.pk)
    officers = [row for row in rows if row["role"].startswith("officer")]
    assert all(row["totp_secret"] for row in officers)
    assert any(
        "service_centre_operator" in row["role"] and "dxm-chilonzor" in row["role"] for row in officers
    )
    assert any(not row["verified"] for row in rows)  # someone to confirm at a service centre
