"""Loading definitions as versions: idempotent, versioned, strict about problems."""

import pytest

from darcha.modules.catalog import api
from darcha.modules.catalog.events import DEFINITIONS_LOADED
from darcha.modules.catalog.models import Service, ServiceVersion, Term
from darcha.modules.catalog.selectors import catalog_revision
from darcha.modules.catalog.tests.conftest import definition, write
from darcha.platform.events.models import OutboxEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_services(services_root):
    write(services_root, definition())
    write(
        services_root,
        definition(
            "school-enrollment",
            popularity=80,
            title={"uz": "Maktabga qabul", "ru": "Запись в школу", "en": "School enrolment"},
        ),
    )
    return services_root


def test_first_load_creates_version_one_of_each_service(two_services):
    report = api.load_definitions(two_services)
    assert report.created == ("kindergarten-placement", "school-enrollment")
    assert (report.updated, report.unchanged, report.withdrawn, report.problems) == ((), 0, (), ())
    info = api.service("kindergarten-placement")
    assert (info.version, info.title["en"], info.level) == (
        1,
        "Referral to a state kindergarten",
        "interactive",
    )
    assert info.url == "/services/kindergarten-placement/"
    assert Term.objects.filter(kind="document", code="birth-certificate").exists()
    event = OutboxEvent.objects.get(type=DEFINITIONS_LOADED)
    assert event.payload["versions"] == {"kindergarten-placement": 1, "school-enrollment": 1}


def test_loading_the_same_files_again_changes_nothing(two_services):
    api.load_definitions(two_services)
    revision = catalog_revision()
    report = api.load_definitions(two_services)
    assert (report.created, report.updated, report.unchanged) == ((), (), 2)
    assert ServiceVersion.objects.count() == 2
    assert catalog_revision() == revision
    assert OutboxEvent.objects.filter(type=DEFINITIONS_LOADED).count() == 1


def test_a_changed_definition_becomes_a_new_version_and_the_old_one_stays(two_services):
    api.load_definitions(two_services)
    revision = catalog_revision()
    changed = definition(term_days=5, title={**definition()["title"], "en": "Kindergarten place"})
    write(two_services, changed)
    report = api.load_definitions(two_services)
    assert (report.updated, report.unchanged) == (("kindergarten-placement",), 1)
    assert catalog_revision() != revision
    current = api.service("kindergarten-placement")
    assert (current.version, current.term_days, current.title["en"]) == (2, 5, "Kindergarten place")
    old = api.service_version("kindergarten-placement", 1)
    assert (old.version, old.term_days, old.title["en"]) == (1, 10, "Referral to a state kindergarten")
    assert old.content_hash != current.content_hash
    history = api.service_versions("kindergarten-placement")
    assert [(v.number, v.is_current) for v in history] == [(2, True), (1, False)]
    assert history[0].source_file == "services/education/kindergarten-placement.yaml"
    assert api.service_version("kindergarten-placement", 3) is None


def test_reordering_keys_is_not_a_change(two_services):
    api.load_definitions(two_services)
    data = definition()
    write(two_services, dict(reversed(list(data.items()))))
    assert api.load_definitions(two_services).unchanged == 2


def test_strict_load_refuses_everything_when_one_file_is_invalid(two_services):
    write(two_services, definition("broken-service", level="online"))
    with pytest.raises(api.DefinitionsInvalid) as refused:
        api.load_definitions(two_services)
    assert [(p.file, p.field) for p in refused.value.problems] == [
        ("services/education/broken-service.yaml", "level")
    ]
    assert not Service.objects.exists()


def test_lenient_load_skips_invalid_files_and_keeps_their_last_good_version(two_services):
    api.load_definitions(two_services)
    write(two_services, definition(level="online"))
    report = api.load_definitions(two_services, strict=False)
    assert [p.field for p in report.problems] == ["level"]
    assert report.withdrawn == ()
    kept = api.service("kindergarten-placement")
    assert (kept.version, kept.level) == (1, "interactive")


def test_a_removed_definition_is_withdrawn_and_its_versions_remain(two_services):
    api.load_definitions(two_services)
    (two_services / "education" / "school-enrollment.yaml").unlink()
    report = api.load_definitions(two_services)
    assert report.withdrawn == ("school-enrollment",)
    assert api.service("school-enrollment") is None
    assert api.service_version("school-enrollment", 1).title["en"] == "School enrolment"
    assert api.service_version("school-enrollment", 1).is_active is False
    write(
        two_services,
        definition(
            "school-enrollment",
            popularity=80,
            title={"uz": "Maktabga qabul", "ru": "Запись в школу", "en": "School enrolment"},
        ),
    )
    report = api.load_definitions(two_services)
    assert report.updated == ("school-enrollment",)
    assert api.service("school-enrollment").version == 1


def test_services_by_code_give_the_active_current_versions_only(two_services, django_assert_num_queries):
    api.load_definitions(two_services)
    (two_services / "education" / "school-enrollment.yaml").unlink()
    api.load_definitions(two_services)
    with django_assert_num_queries(1):
        found = api.services_by_code(["kindergarten-placement", "school-enrollment", "no-such-service"])
    assert list(found) == ["kindergarten-placement"]
    assert found["kindergarten-placement"] == api.service("kindergarten-placement")


def test_a_changed_dictionary_is_loaded_and_moves_the_revision(two_services):
    api.load_definitions(two_services)
    revision = catalog_revision()
    (two_services / "_documents_extra.yaml").write_text(
        'x-ray: {uz: "Rentgen", ru: "Рентген", en: "X-ray"}\n'
    )
    report = api.load_definitions(two_services)
    assert not report.changed
    assert catalog_revision() != revision
    assert Term.objects.get(kind="document", code="x-ray").title["en"] == "X-ray"


def test_document_names_in_each_language_follow_a_new_load(two_services):
    api.load_definitions(two_services)
    assert api.document_names("en")["passport"] == "Passport"
    assert api.document_names("ru")["birth-certificate"] == "Свидетельство о рождении"
    assert "x-ray" not in api.document_names("en")
    (two_services / "_documents_extra.yaml").write_text(
        'x-ray: {uz: "Rentgen surati", ru: "Рентген", en: "X-ray"}\n'
    )
    api.load_definitions(two_services)
    # Uzbek Cyrillic, when not written, is transliterated from the Latin.
    assert (api.document_names("en")["x-ray"], api.document_names("uz-cyrl")["x-ray"]) == (
        "X-ray",
        "Рентген сурати",
    )


def test_the_search_index_follows_a_new_load(two_services):
    api.load_definitions(two_services)
    assert api.search("zebra", "en") == []
    write(two_services, definition(keywords={"uz": ["zebra"], "ru": [], "en": []}))
    api.load_definitions(two_services)
    assert [hit.code for hit in api.search("zebra", "en")] == ["kindergarten-placement"]


def test_ratings_are_counted(two_services):
    api.load_definitions(two_services)
    api.rating_add("kindergarten-placement", 5)
    api.rating_add("kindergarten-placement", 4)
    info = api.service("kindergarten-placement")
    assert (str(info.rating), info.rating_count) == ("4.5", 2)
    with pytest.raises(ValueError):
        api.rating_add("kindergarten-placement", 6)
    with pytest.raises(LookupError):
        api.rating_add("no-such-service", 5)
