"""Demonstration people, organisations and officers for a fresh installation.

Every demonstration account signs in with the password ``Darcha-2026``; citizens get
their one-time code from the developer inbox, officers compute theirs from the fixed
authenticator secrets below (for example ``pyotp.TOTP(secret).now()``).
"""

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from darcha.modules.identity import services
from darcha.modules.identity.models import Account, LegalEntity, Person, Representation
from darcha.modules.identity.validators import make_pinfl

DEMO_PASSWORD = "Darcha-2026"  # published on purpose for the demonstration

# Region SOATO code → the area digits used in the demonstration PINFLs.
PINFL_AREA = {
    "1726": 263,
    "1718": 181,
    "1703": 31,
    "1730": 301,
    "1706": 61,
    "1714": 141,
    "1733": 331,
    "1710": 101,
}


@dataclass(frozen=True)
class DemoPerson:
    key: str
    surname: str
    given_name: str
    patronymic: str
    sex: str
    born: date
    district: str
    address: str
    phone: str = ""
    verified: bool = True
    consents: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class DemoOfficer:
    person: str
    agency: str
    scope: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class DemoEntity:
    stir: str
    name: str
    legal_form: str
    district: str
    address: str
    representatives: tuple[tuple[str, str], ...] = field(default_factory=tuple)


FAMILY_CONSENTS = ("personal_data", "interagency", "proactive")

# fmt: off
PEOPLE = (
    # Tashkent city, Chilonzor: parents with a business, two children under 6, a schoolboy, a grandmother.
    DemoPerson("jasur", "Karimov", "Jasur", "Baxtiyorovich", "M", date(1988, 3, 14), "1726294",
               "Bunyodkor ko‘chasi, 12-uy, 45-xonadon", "+998901234567", consents=FAMILY_CONSENTS,
               note="citizen with a business"),
    DemoPerson("dilnoza", "Karimova", "Dilnoza", "Rustamovna", "F", date(1991, 7, 22), "1726294",
               "Bunyodkor ko‘chasi, 12-uy, 45-xonadon", "+998901234568", consents=FAMILY_CONSENTS,
               note="mother of young children"),
    DemoPerson("sardor", "Karimov", "Sardor", "Jasurovich", "M", date(2022, 5, 10), "1726294",
               "Bunyodkor ko‘chasi, 12-uy, 45-xonadon"),
    DemoPerson("madina", "Karimova", "Madina", "Jasurovna", "F", date(2025, 1, 18), "1726294",
               "Bunyodkor ko‘chasi, 12-uy, 45-xonadon"),
    DemoPerson("otabek_k", "Karimov", "Otabek", "Jasurovich", "M", date(2017, 9, 3), "1726294",
               "Bunyodkor ko‘chasi, 12-uy, 45-xonadon"),
    DemoPerson("mehriniso", "Karimova", "Mehriniso", "Abdullayevna", "F", date(1956, 2, 11), "1726294",
               "Qatortol ko‘chasi, 7-uy", "+998901234569", note="pensioner"),
    # Tashkent city, Yunusobod.
    DemoPerson("bobur", "Rahimov", "Bobur", "Anvarovich", "M", date(1985, 11, 2), "1726266",
               "Amir Temur shoh ko‘chasi, 108-uy, 12-xonadon", "+998901112233", consents=FAMILY_CONSENTS),
    DemoPerson("nigora", "Rahimova", "Nigora", "Shavkatovna", "F", date(1989, 4, 19), "1726266",
               "Amir Temur shoh ko‘chasi, 108-uy, 12-xonadon", "+998901112234"),
    DemoPerson("sevara", "Rahimova", "Sevara", "Boburovna", "F", date(2021, 8, 25), "1726266",
               "Amir Temur shoh ko‘chasi, 108-uy, 12-xonadon"),
    DemoPerson("temur", "Rahimov", "Temur", "Boburovich", "M", date(2013, 2, 14), "1726266",
               "Amir Temur shoh ko‘chasi, 108-uy, 12-xonadon"),
    # Samarqand city.
    DemoPerson("sherzod", "Toshmatov", "Sherzod", "Ilhomovich", "M", date(1987, 6, 30), "1718401",
               "Registon ko‘chasi, 21-uy", "+998902223344", consents=FAMILY_CONSENTS),
    DemoPerson("gulnoza", "Toshmatova", "Gulnoza", "Farhodovna", "F", date(1990, 12, 5), "1718401",
               "Registon ko‘chasi, 21-uy", "+998902223345", consents=FAMILY_CONSENTS),
    DemoPerson("ali", "Toshmatov", "Ali", "Sherzodovich", "M", date(2023, 3, 17), "1718401",
               "Registon ko‘chasi, 21-uy"),
    DemoPerson("zarina", "Toshmatova", "Zarina", "Sherzodovna", "F", date(2019, 10, 9), "1718401",
               "Registon ko‘chasi, 21-uy"),
    DemoPerson("ilhom", "Toshmatov", "Ilhom", "Karimovich", "M", date(1952, 8, 21), "1718401",
               "Registon ko‘chasi, 21-uy", "+998902223346", note="pensioner"),
    # Andijon city.
    DemoPerson("akmal", "Yo‘ldoshev", "Akmal", "Rustamovich", "M", date(1984, 1, 25), "1703401",
               "Bobur shoh ko‘chasi, 5-uy", "+998903334455", consents=FAMILY_CONSENTS),
    DemoPerson("feruza", "Yo‘ldosheva", "Feruza", "Akbarovna", "F", date(1988, 9, 14), "1703401",
               "Bobur shoh ko‘chasi, 5-uy", "+998903334456"),
    DemoPerson("jahongir", "Yo‘ldoshev", "Jahongir", "Akmalovich", "M", date(2024, 6, 1), "1703401",
               "Bobur shoh ko‘chasi, 5-uy"),
    DemoPerson("mohinur", "Yo‘ldosheva", "Mohinur", "Akmalovna", "F", date(2020, 12, 20), "1703401",
               "Bobur shoh ko‘chasi, 5-uy"),
    DemoPerson("doston", "Yo‘ldoshev", "Doston", "Akmalovich", "M", date(2011, 4, 4), "1703401",
               "Bobur shoh ko‘chasi, 5-uy"),
    # Farg‘ona city.
    DemoPerson("ulugbek", "Qodirov", "Ulug‘bek", "Shuhratovich", "M", date(1982, 5, 12), "1730401",
               "Al-Farg‘oniy ko‘chasi, 33-uy", "+998904445566"),
    DemoPerson("shahnoza", "Qodirova", "Shahnoza", "Baxromovna", "F", date(1986, 3, 3), "1730401",
               "Al-Farg‘oniy ko‘chasi, 33-uy", "+998904445567", consents=FAMILY_CONSENTS),
    DemoPerson("laylo", "Qodirova", "Laylo", "Ulug‘bekovna", "F", date(2022, 11, 11), "1730401",
               "Al-Farg‘oniy ko‘chasi, 33-uy"),
    DemoPerson("abdulaziz", "Qodirov", "Abdulaziz", "Ulug‘bekovich", "M", date(2015, 7, 7), "1730401",
               "Al-Farg‘oniy ko‘chasi, 33-uy"),
    # Buxoro city: a sole proprietor and a pensioner.
    DemoPerson("gulnora", "Yusupova", "Gulnora", "Hamidovna", "F", date(1979, 2, 28), "1706401",
               "Mustaqillik ko‘chasi, 9-uy", "+998905556677", note="sole proprietor"),
    DemoPerson("rustam", "Yusupov", "Rustam", "Olimovich", "M", date(1976, 10, 10), "1706401",
               "Mustaqillik ko‘chasi, 9-uy", "+998905556678"),
    DemoPerson("hamid", "Yusupov", "Hamid", "Rustamovich", "M", date(2012, 1, 15), "1706401",
               "Mustaqillik ko‘chasi, 9-uy"),
    DemoPerson("nodira_y", "Yusupova", "Nodira", "Saidovna", "F", date(1950, 6, 6), "1706401",
               "Mustaqillik ko‘chasi, 9-uy", "+998905556679", note="pensioner"),
    # Namangan city: a newborn.
    DemoPerson("behzod", "Ergashev", "Behzod", "Murodovich", "M", date(1993, 8, 8), "1714401",
               "Navoiy ko‘chasi, 44-uy", "+998906667788", consents=FAMILY_CONSENTS),
    DemoPerson("malika", "Ergasheva", "Malika", "Olimjonovna", "F", date(1995, 2, 2), "1714401",
               "Navoiy ko‘chasi, 44-uy", "+998906667789", consents=FAMILY_CONSENTS),
    DemoPerson("samandar", "Ergashev", "Samandar", "Behzodovich", "M", date(2026, 2, 14), "1714401",
               "Navoiy ko‘chasi, 44-uy"),
    DemoPerson("oysha", "Ergasheva", "Oysha", "Behzodovna", "F", date(2023, 9, 30), "1714401",
               "Navoiy ko‘chasi, 44-uy"),
    # Xorazm, Urganch city.
    DemoPerson("otabek_m", "Matyoqubov", "Otabek", "Bahodirovich", "M", date(1990, 4, 4), "1733401",
               "Al-Xorazmiy ko‘chasi, 2-uy", "+998907778899"),
    DemoPerson("dilfuza", "Matyoqubova", "Dilfuza", "Quvondiqovna", "F", date(1992, 11, 21), "1733401",
               "Al-Xorazmiy ko‘chasi, 2-uy", "+998907778800"),
    DemoPerson("sanjar_m", "Matyoqubov", "Sanjar", "Otabekovich", "M", date(2021, 3, 3), "1733401",
               "Al-Xorazmiy ko‘chasi, 2-uy"),
    # Qashqadaryo, Qarshi city: grandparents raising a grandson.
    DemoPerson("sherali", "Nurmatov", "Sherali", "Xudoyberdiyevich", "M", date(1961, 1, 1), "1710401",
               "Nasaf ko‘chasi, 17-uy", "+998901230001", note="pensioner"),
    DemoPerson("mavluda", "Nurmatova", "Mavluda", "To‘xtayevna", "F", date(1963, 4, 12), "1710401",
               "Nasaf ko‘chasi, 17-uy", "+998901230002", note="pensioner"),
    DemoPerson("asadbek", "Nurmatov", "Asadbek", "Farruxovich", "M", date(2020, 1, 20), "1710401",
               "Nasaf ko‘chasi, 17-uy"),
    # Tashkent city, Mirzo Ulug‘bek: a student whose identity is not confirmed yet.
    DemoPerson("kamron", "Abdullayev", "Kamron", "Sobirovich", "M", date(2005, 6, 15), "1726269",
               "Universitet ko‘chasi, 4-uy, talabalar turar joyi", "+998901230003", verified=False,
               note="unconfirmed identity"),
    # Officers.
    DemoPerson("nodira_x", "Xolmatova", "Nodira", "Akramovna", "F", date(1983, 2, 17), "1726294",
               "Lutfiy ko‘chasi, 3-uy", "+998909000001", note="officer"),
    DemoPerson("farrux", "Nazarov", "Farrux", "Ismoilovich", "M", date(1980, 6, 12), "1726287",
               "Shota Rustaveli ko‘chasi, 40-uy", "+998909000002", note="officer"),
    DemoPerson("kamola", "Saidova", "Kamola", "Yoqubovna", "F", date(1975, 9, 9), "1726273",
               "Oybek ko‘chasi, 18-uy", "+998909000003", note="officer"),
    DemoPerson("jamshid", "Azimov", "Jamshid", "Toirovich", "M", date(1991, 12, 1), "1726294",
               "Muqimiy ko‘chasi, 56-uy", "+998909000004", note="officer"),
    DemoPerson("lola", "Mirzayeva", "Lola", "Baxodirovna", "F", date(1994, 5, 5), "1718401",
               "Dagbitskaya ko‘chasi, 8-uy", "+998909000005", note="officer"),
    DemoPerson("sanjar_a", "Abdurahmonov", "Sanjar", "Erkinovich", "M", date(1986, 3, 23), "1726266",
               "Bog‘ishamol ko‘chasi, 25-uy", "+998909000006", note="officer"),
    DemoPerson("dilorom", "Usmonova", "Dilorom", "Rashidovna", "F", date(1978, 7, 27), "1726273",
               "Nukus ko‘chasi, 70-uy", "+998909000007", note="officer"),
    DemoPerson("baxtiyor", "Tursunov", "Baxtiyor", "Qahramonovich", "M", date(1981, 10, 15), "1718401",
               "Ulug‘bek ko‘chasi, 11-uy", "+998909000008", note="officer"),
    DemoPerson("zulfiya", "Hasanova", "Zulfiya", "Anvarovna", "F", date(1985, 1, 30), "1703401",
               "Navoiy shoh ko‘chasi, 60-uy", "+998909000009", note="officer"),
    DemoPerson("elyor", "Rasulov", "Elyor", "Shuhratovich", "M", date(1989, 8, 18), "1726266",
               "Yunusobod 4-mavze, 15-uy", "+998909000010", note="officer"),
    DemoPerson("javlon", "Qosimov", "Javlon", "Alisherovich", "M", date(1992, 3, 8), "1703401",
               "Mashrab ko‘chasi, 22-uy", "+998909000011", note="officer"),
)

OFFICERS = (
    DemoOfficer("nodira_x", "maktabgacha", "1726", ("receiver",)),
    DemoOfficer("farrux", "maktabgacha", "1726", ("reviewer", "approver")),
    DemoOfficer("kamola", "maktabgacha", "17", ("head",)),
    DemoOfficer("jamshid", "dxm-chilonzor", "1726294", ("service_centre_operator",)),
    DemoOfficer("lola", "dxm-samarqand", "1718", ("service_centre_operator",)),
    DemoOfficer("javlon", "dxm-andijon", "1703", ("service_centre_operator",)),
    DemoOfficer("sanjar_a", "elektron-hukumat", "17", ("platform_admin",)),
    DemoOfficer("dilorom", "raqamli", "17", ("auditor",)),
    DemoOfficer("baxtiyor", "adliya", "1718", ("receiver", "approver")),
    DemoOfficer("zulfiya", "ijtimoiy-himoya", "1703", ("reviewer", "approver")),
    DemoOfficer("zulfiya", "pensiya", "1703", ("receiver",)),
    DemoOfficer("elyor", "soliq", "17", ("receiver", "reviewer")),
    DemoOfficer("elyor", "statistika", "17", ("head",)),
)

# Child → parents, as the civil registry would have recorded them.
PARENTS = {
    "sardor": ("jasur", "dilnoza"),
    "madina": ("jasur", "dilnoza"),
    "otabek_k": ("jasur", "dilnoza"),
    "jasur": ("mehriniso",),
    "sevara": ("bobur", "nigora"),
    "temur": ("bobur", "nigora"),
    "ali": ("sherzod", "gulnoza"),
    "zarina": ("sherzod", "gulnoza"),
    "sherzod": ("ilhom",),
    "jahongir": ("akmal", "feruza"),
    "mohinur": ("akmal", "feruza"),
    "doston": ("akmal", "feruza"),
    "laylo": ("ulugbek", "shahnoza"),
    "abdulaziz": ("ulugbek", "shahnoza"),
    "hamid": ("gulnora", "rustam"),
    "gulnora": ("nodira_y",),
    "samandar": ("behzod", "malika"),
    "oysha": ("behzod", "malika"),
    "sanjar_m": ("otabek_m", "dilfuza"),
}

# Fixed authenticator secrets (base32) of the demonstration officers, by person key.
TOTP_SECRETS = {
    "nodira_x": "DARCHAMAKTABGACHARECEIVERAAAAAAA",
    "farrux": "DARCHAMAKTABGACHAAPPROVERAAAAAAA",
    "kamola": "DARCHAMAKTABGACHAHEADAAAAAAAAAAA",
    "jamshid": "DARCHADXMCHILONZOROPERATORAAAAAA",
    "lola": "DARCHADXMSAMARQANDOPERATORAAAAAA",
    "javlon": "DARCHADXMANDIJONOPERATORAAAAAAAA",
    "sanjar_a": "DARCHAPLATFORMADMINAAAAAAAAAAAAA",
    "dilorom": "DARCHAAUDITORAAAAAAAAAAAAAAAAAAA",
    "baxtiyor": "DARCHAADLIYAAPPROVERAAAAAAAAAAAA",
    "zulfiya": "DARCHAIJTIMOIYHIMOYAAAAAAAAAAAAA",
    "elyor": "DARCHASOLIQRECEIVERAAAAAAAAAAAAA",
}

ENTITIES = (
    DemoEntity("207123451", "Chilonzor Non MChJ", "mchj", "1726294", "Bunyodkor ko‘chasi, 20-uy",
               (("jasur", "director"), ("dilnoza", "accountant"))),
    DemoEntity("203456781", "Samarqand Tekstil AJ", "aj", "1718401", "Sanoat zonasi, 3-uy",
               (("sherzod", "director"), ("gulnoza", "representative"))),
    DemoEntity("208765432", "Andijon Agro fermer xo‘jaligi", "fx", "1703401", "Xonobod yo‘li, 1-uy",
               (("akmal", "director"), ("feruza", "accountant"))),
    DemoEntity("204567893", "Farg‘ona Qurilish Servis MChJ", "mchj", "1730401", "Marg‘ilon ko‘chasi, 50-uy",
               (("ulugbek", "director"), ("bobur", "representative"))),
    DemoEntity("412345678", "YaTT Yusupova Gulnora Hamidovna", "yatt", "1706401",
               "Mustaqillik ko‘chasi, 9-uy", (("gulnora", "director"),)),
)


# fmt: on


def pinfl_of(person: DemoPerson) -> str:
    serial = [p.key for p in PEOPLE].index(person.key) + 1
    return make_pinfl(person.born, person.sex, PINFL_AREA[person.district[:4]], serial)


def document_of(person: DemoPerson) -> str:
    serial = [p.key for p in PEOPLE].index(person.key) + 1
    return f"AD{1000000 + serial * 7919:07d}"


def _person_by_key() -> dict[str, DemoPerson]:
    return {person.key: person for person in PEOPLE}


def loaded() -> bool:
    return Person.objects.filter(pinfl=pinfl_of(PEOPLE[0])).exists()


@transaction.atomic
def seed() -> None:
    """Creates what is missing; what exists (perhaps edited by hand) is left as it is."""
    password_hash = make_password(DEMO_PASSWORD)  # one hash for all: the password is public anyway
    now = timezone.now()
    ids: dict[str, str] = {}
    for demo in PEOPLE:
        pinfl = pinfl_of(demo)
        person = Person.objects.filter(pinfl=pinfl).first()
        if person is None:
            person = services.person_create(
                pinfl=pinfl,
                surname=demo.surname,
                given_name=demo.given_name,
                patronymic=demo.patronymic,
                document_number=document_of(demo) if demo.born.year < 2010 else "",
                phone=demo.phone,
                address_area=demo.district,
                address_line=demo.address,
            )
            if demo.verified:
                Person.objects.filter(id=person.id).update(verified_at=now)
        if demo.phone and person.account_id is None and not Account.objects.filter(username=pinfl).exists():
            account = Account.objects.create(
                username=pinfl, password=password_hash, phone=demo.phone, phone_confirmed_at=now
            )
            if demo.key in TOTP_SECRETS:
                account.totp_secret = TOTP_SECRETS[demo.key]
                account.totp_confirmed_at = now
                account.save(update_fields=["totp_secret", "totp_confirmed_at"])
            Person.objects.filter(id=person.id).update(account=account)
            for purpose in demo.consents:
                services.consent_give(person_id=person.id, purpose=purpose)
        ids[demo.key] = str(person.id)
    for child, parents in PARENTS.items():
        for parent in parents:
            services.child_link(parent_id=ids[parent], child_id=ids[child])
    for officer in OFFICERS:
        services.officer_appoint(
            person_id=ids[officer.person],
            agency_code=officer.agency,
            scope_code=officer.scope,
            roles=officer.roles,
        )
    for entity in ENTITIES:
        row = LegalEntity.objects.filter(stir=entity.stir).first() or services.entity_create(
            stir=entity.stir,
            name=entity.name,
            legal_form=entity.legal_form,
            address_area=entity.district,
            address_line=entity.address,
        )
        for key, role in entity.representatives:
            if not Representation.objects.filter(entity=row, role=role, person_id=ids[key]).exists():
                services.representation_add(entity_id=row.id, person_id=ids[key], role=role)


def accounts() -> list[dict]:
    """One line per demonstration sign-in, for the developer inbox page and the README."""
    people = _person_by_key()
    roles: dict[str, list[str]] = {}
    for officer in OFFICERS:
        roles.setdefault(officer.person, []).append(
            f"{officer.agency} ({officer.scope}): {', '.join(officer.roles)}"
        )
    businesses: dict[str, list[str]] = {}
    for entity in ENTITIES:
        for key, role in entity.representatives:
            businesses.setdefault(key, []).append(f"{role} of {entity.name}")
    rows = []
    for demo in people.values():
        if not demo.phone:
            continue
        role = (
            "; ".join(roles.get(demo.key, []))
            or "; ".join(part for part in (demo.note, *businesses.get(demo.key, [])) if part)
            or "citizen"
        )
        rows.append(
            {
                "role": f"officer: {role}" if demo.key in roles else role,
                "name": f"{demo.surname} {demo.given_name} {demo.patronymic}",
                "pinfl": pinfl_of(demo),
                "phone": demo.phone,
                "password": DEMO_PASSWORD,
                "second_factor": "authenticator app" if demo.key in TOTP_SECRETS else "SMS code",
                "totp_secret": TOTP_SECRETS.get(demo.key, ""),
                "verified": demo.verified,
            }
        )
    return rows
