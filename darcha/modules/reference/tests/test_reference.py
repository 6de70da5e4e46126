import re

import pytest
from django.db import transaction
from django.utils import translation

from darcha.modules.reference import api, selectors
from darcha.modules.reference.models import Agency, Area
from darcha.platform.text import to_cyrillic

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_snapshot():
    # Some tests below edit rows with update(), which sends no signal.
    selectors.drop_snapshot()
    yield
    selectors.drop_snapshot()


REGIONS = {
    "1703": "Andijon viloyati",
    "1706": "Buxoro viloyati",
    "1708": "Jizzax viloyati",
    "1710": "Qashqadaryo viloyati",
    "1712": "Navoiy viloyati",
    "1714": "Namangan viloyati",
    "1718": "Samarqand viloyati",
    "1722": "Surxondaryo viloyati",
    "1724": "Sirdaryo viloyati",
    "1726": "Toshkent shahri",
    "1727": "Toshkent viloyati",
    "1730": "Farg‘ona viloyati",
    "1733": "Xorazm viloyati",
    "1735": "Qoraqalpog‘iston Respublikasi",
}
NAME_KEYS = ("uz", "uz_cyrl", "ru", "en")


def test_loaded_data_has_no_problems():
    assert api.check_data() == []


def test_every_region_with_four_names():
    regions = api.regions()
    assert {r.code: r.name["uz"] for r in regions} == REGIONS
    for region in regions:
        assert region.level == "region" and region.parent_code is None
        assert all(region.name[key].strip() for key in NAME_KEYS)
    assert api.area("1726").label("ru") == "город Ташкент"
    assert api.area("1735").label("en") == "Republic of Karakalpakstan"


def test_districts_are_seven_digit_codes_under_their_region():
    districts = api.districts()
    assert 200 <= len(districts) <= 210
    for district in districts:
        assert re.fullmatch(r"17[0-9]{5}", district.code)
        assert district.code[:4] == district.parent_code
        assert district.parent_code in REGIONS
        assert all(district.name[key].strip() for key in NAME_KEYS)
    # Display order is region by region.
    assert [d.parent_code for d in districts] == sorted(
        (d.parent_code for d in districts), key=[r.code for r in api.regions()].index
    )


def test_cyrillic_names_agree_with_the_transliteration():
    for area in [*api.regions(), *api.districts()]:
        assert to_cyrillic(area.name["uz"]) == area.name["uz_cyrl"], area.code


@pytest.mark.parametrize(
    ("code", "uz", "ru"),
    [
        ("1726294", "Chilonzor tumani", "Чиланзарский район"),
        ("1726266", "Yunusobod tumani", "Юнусабадский район"),
        ("1718401", "Samarqand shahri", "город Самарканд"),
        ("1703401", "Andijon shahri", "город Андижан"),
        ("1735401", "Nukus shahri", "город Нукус"),
        ("1727424", "Yangiyo‘l shahri", "город Янгиюль"),
    ],
)
def test_known_districts(code, uz, ru):
    district = api.area(code)
    assert district is not None and district.level == "district"
    assert (district.label("uz"), district.label("ru")) == (uz, ru)


def test_districts_of_one_region():
    tashkent = api.districts("1726")
    assert len(tashkent) == 12
    assert {d.parent_code for d in tashkent} == {"1726"}
    assert api.districts("9999") == []


def test_label_follows_portal_language_codes():
    chilonzor = api.area("1726294")
    assert chilonzor.label("uz-cyrl") == "Чилонзор тумани"
    assert chilonzor.label("en") == "Chilonzor District"
    with translation.override("ru"):
        assert chilonzor.label() == "Чиланзарский район"


def test_is_district_and_area_within():
    assert api.is_district("1726294")
    assert not api.is_district("1726")
    assert not api.is_district("1726999")
    assert api.area_within("1726294", "1726")
    assert api.area_within("1726294", "1726294")
    assert api.area_within("1726294", "17")
    assert api.area_within("1726", "17")
    assert api.area_within("17", "17")
    assert api.area_within("1726", "1726")
    assert not api.area_within("1726294", "1718")
    assert not api.area_within("1726", "1726294")  # a region is not inside its district
    assert not api.area_within("1726999", "17")  # unknown code
    assert not api.area_within("1726999", "1726")


def test_exactly_the_forty_agencies():
    agencies = {a.code: a for a in api.agencies()}
    assert len(agencies) == 40
    assert agencies["dxm-chilonzor"].parent_code == "davxizmat"
    assert agencies["dxm-chilonzor"].area_code == "1726294"
    assert agencies["toshkent-shahar-hokimligi"].area_code == "1726"
    assert agencies["samarqand-viloyat-hokimligi"].area_code == "1718"
    assert agencies["markaziy-bank"].kind == "bank"
    assert agencies["adliya"].label("ru") == "Министерство юстиции Республики Узбекистан"
    assert {a.code for a in api.agencies("service-centre")} == {
        "dxm-chilonzor",
        "dxm-samarqand",
        "dxm-andijon",
    }
    assert {a.code for a in api.agencies("khokimiyat")} == {
        "toshkent-shahar-hokimligi",
        "samarqand-viloyat-hokimligi",
        "chilonzor-tuman-hokimligi",
    }
    assert api.agency("nonexistent") is None


def test_agencies_parents_and_areas_resolve():
    for agency in api.agencies():
        assert agency.kind in {
            "ministry",
            "committee",
            "agency",
            "khokimiyat",
            "service-centre",
            "centre",
            "bank",
        }
        assert agency.parent_code is None or api.agency(agency.parent_code) is not None
        assert agency.area_code == "17" or api.area(agency.area_code) is not None
        assert all(agency.name[key].strip() for key in NAME_KEYS)
        assert agency.competence


def test_service_centres_lie_within_their_city():
    assert api.area_within(api.agency("dxm-samarqand").area_code, "1718")
    assert api.area_within(api.agency("dxm-andijon").area_code, "1703")


def test_load_is_idempotent(django_assert_max_num_queries):
    api.load_reference_data()
    counts = (Area.objects.count(), Agency.objects.count())
    with django_assert_max_num_queries(4):  # two reads and two empty writes at most
        api.load_reference_data()
    assert (Area.objects.count(), Agency.objects.count()) == counts == (14 + len(api.districts()), 40)


def test_load_repairs_edits_and_keeps_operator_rows():
    chilonzor = Area.objects.get(code="1726294")
    chilonzor.name = {**chilonzor.name, "uz": "Boshqa"}
    chilonzor.save()
    Agency.objects.create(code="yangi-agentlik", kind="agency", name={"uz": "Yangi"}, area_code="17")
    api.load_reference_data()
    assert api.area("1726294").label("uz") == "Chilonzor tumani"
    assert api.agency("yangi-agentlik") is not None


def test_lookups_are_cached_and_see_saved_changes(django_assert_num_queries):
    api.area("1726294")
    with django_assert_num_queries(0):
        api.area("1726294")
        api.agency("adliya")
        api.regions()
    agency = Agency.objects.get(code="adliya")
    agency.name = {**agency.name, "en": "Ministry of Justice"}
    agency.save()
    assert api.agency("adliya").label("en") == "Ministry of Justice"
    Agency.objects.get(code="mudofaa").delete()
    assert api.agency("mudofaa") is None


@pytest.mark.django_db(transaction=True)
def test_writes_are_kept_only_once_committed():
    # An earlier test that commits may have flushed the tables; this one commits too.
    api.load_reference_data()
    selectors.forget_snapshot()
    official = "O‘zbekiston Respublikasi Adliya vazirligi"
    with transaction.atomic():
        Agency.objects.filter(code="adliya").update(name={"uz": "Vaqtincha"})
        selectors.forget_snapshot()
        assert api.agency("adliya").label("uz") == "Vaqtincha"
        assert api.agency("adliya").label("uz") == "Vaqtincha"
        transaction.set_rollback(True)
    assert api.agency("adliya").label("uz") == official
    with transaction.atomic():
        agency = Agency.objects.get(code="adliya")
        agency.name = {**agency.name, "uz": "Yangi nom"}
        agency.save()
    assert api.agency("adliya").label("uz") == "Yangi nom"


def test_check_data_reports_problems():
    Area.objects.filter(code="1726294").update(
        name={"uz": "Chilonzor tumani", "ru": "", "en": "x", "uz_cyrl": "y"}
    )
    Area.objects.filter(parent_id="1733").delete()
    Area.objects.filter(code="1733").delete()
    Agency.objects.filter(code="dxm-andijon").update(parent_code="yoq", area_code="1799999")
    Agency.objects.filter(code="adliya").update(parent_code="davxizmat")
    Agency.objects.filter(code="sport").update(
        kind="club", name={"uz": "Sport vazirligi", "uz_cyrl": "а", "ru": "б", "en": "c"}
    )
    Agency.objects.filter(code="madaniyat").update(
        name={"uz": "Madaniyat vazirligi O'zbekiston", "uz_cyrl": "а", "ru": "б", "en": "c"}
    )
    with translation.override("en"):
        problems = api.check_data()
    assert "Region 1733 is missing." in problems
    assert "Area 1726294 has no name in ru." in problems
    assert "Agency dxm-andijon has an unknown area 1799999." in problems
    assert "Agency dxm-andijon has an unknown parent yoq." in problems
    assert "Agency adliya is its own parent through adliya." in problems
    assert "Agency sport has an unknown kind club." in problems
    assert "Agency madaniyat writes o‘, g‘ or ’ with a wrong apostrophe." in problems


def test_check_data_reports_a_misplaced_district():
    Area.objects.create(code="1726999", level="district", parent_id="1718", name={k: "x" for k in NAME_KEYS})
    with translation.override("en"):
        assert "Area 1726999 is not a 7-digit code under its region." in api.check_data()
