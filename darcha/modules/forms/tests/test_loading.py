"""Loading forms as versions: idempotent, versioned, strict about problems."""

import pytest

from darcha.modules.forms import api
from darcha.modules.forms.events import FORMS_LOADED
from darcha.modules.forms.models import FormVersion
from darcha.modules.forms.tests.conftest import definition, write
from darcha.platform.events.models import OutboxEvent

pytestmark = pytest.mark.django_db


def other_form() -> dict:
    data = definition(name="other-application")
    data["title"] = {"uz": "Boshqa ariza", "ru": "Другое заявление", "en": "Other application"}
    return data


@pytest.fixture
def two_forms(forms_root):
    write(forms_root, definition())
    write(forms_root, other_form())
    return forms_root


def test_first_load_creates_version_one_of_each_form(two_forms):
    report = api.load_forms(two_forms)
    assert report.created == ("other-application", "test-application")
    assert (report.updated, report.unchanged, report.withdrawn, report.problems) == ((), 0, (), ())
    info = api.form("test-application")
    assert (info.version, info.is_current, info.text("en"), info.text("uz-cyrl")) == (
        1, True, "Test application", "Синов аризаси")
    assert [f.name for f in info.fields][:3] == ["full_name", "series", "children"]
    assert api.form_names() == ["other-application", "test-application"]
    event = OutboxEvent.objects.get(type=FORMS_LOADED)
    assert event.payload == {"versions": {"test-application": 1, "other-application": 1}, "withdrawn": []}


def test_loading_the_same_files_again_changes_nothing(two_forms):
    api.load_forms(two_forms)
    report = api.load_forms(two_forms)
    assert (report.created, report.updated, report.unchanged) == ((), (), 2)
    assert FormVersion.objects.count() == 2
    assert OutboxEvent.objects.filter(type=FORMS_LOADED).count() == 1


def test_a_changed_file_becomes_a_new_version_and_the_old_one_stays(two_forms):
    api.load_forms(two_forms)
    changed = definition()
    changed["schema"]["properties"]["children"]["maximum"] = 12
    write(two_forms, changed)
    report = api.load_forms(two_forms)
    assert (report.updated, report.unchanged) == (("test-application",), 1)
    current = api.form("test-application")
    old = api.form_version("test-application", 1)
    assert (current.version, current.schema["properties"]["children"]["maximum"]) == (2, 12)
    assert (old.version, old.is_current, old.schema["properties"]["children"]["maximum"]) == (1, False, 10)
    assert old.content_hash != current.content_hash
    # An application started under version 1 is still judged by version 1's rules.
    raw = {"children": "11"}
    assert api.validate(old, raw, language="en")[1]["children"] == ["Enter a number that is 10 or less."]
    assert "children" not in api.validate(current, raw, language="en")[1]


def test_a_removed_file_withdraws_the_form_but_keeps_its_versions(two_forms):
    api.load_forms(two_forms)
    (two_forms / "other-application.yaml").unlink()
    report = api.load_forms(two_forms)
    assert report.withdrawn == ("other-application",)
    assert api.form("other-application") is None
    assert api.form_version("other-application", 1).text("en") == "Other application"
    assert api.form_names() == ["test-application"]

    write(two_forms, other_form())
    report = api.load_forms(two_forms)
    assert report.updated == ("other-application",)
    assert api.form("other-application").version == 1  # same content: no new version


def test_a_strict_load_with_a_problem_loads_nothing(two_forms):
    broken = other_form()
    broken["ui"]["fields"]["full_name"]["widget"] = "checkbox"
    write(two_forms, broken)
    with pytest.raises(api.FormsInvalid) as raised:
        api.load_forms(two_forms)
    assert raised.value.problems == (
        "forms/other-application.yaml: ui.fields.full_name.widget: checkbox is for a yes/no (boolean) field",)
    assert api.form("test-application") is None
    assert FormVersion.objects.count() == 0


def test_a_lenient_load_skips_invalid_files_and_keeps_their_last_good_version(two_forms):
    api.load_forms(two_forms)
    broken = other_form()
    broken["title"] = {"uz": "Faqat o‘zbekcha"}
    write(two_forms, broken)
    changed = definition()
    changed["title"]["en"] = "Test application, revised"
    write(two_forms, changed)
    report = api.load_forms(two_forms, strict=False)
    assert report.updated == ("test-application",)
    assert report.withdrawn == ()
    assert report.problems == (
        "forms/other-application.yaml: title.en: required field 'en' is missing",
        "forms/other-application.yaml: title.ru: required field 'ru' is missing",
    )
    assert api.form("other-application").text("en") == "Other application"
    assert api.form("test-application").text("en") == "Test application, revised"


def test_unknown_forms_and_versions_are_none(two_forms):
    api.load_forms(two_forms)
    assert api.form("no-such-form") is None
    assert api.form_version("test-application", 2) is None
    assert api.form_version("no-such-form", 1) is None
