"""Every form in forms/ loads, renders in four languages and accepts the sample it carries."""

import pytest
import yaml
from django.conf import settings
from django.utils.html import escape

from darcha.modules.forms import api
from darcha.modules.forms.tests.conftest import REAL_FORMS

NAMES = sorted(path.stem for path in REAL_FORMS.glob("*.yaml"))
SERVICES = {path.stem for path in (settings.REPO_DIR / "services").glob("*/*.yaml")}
LANGUAGES = ("uz", "uz-cyrl", "ru", "en")


def as_posted(form, data: dict) -> dict[str, str]:
    """What a browser sends for ``data``: text for every value, nothing for an unticked box."""
    posted = {}
    for field in form.fields:
        value = data.get(field.name)
        if value is None or (value is False and field.widget == "checkbox"):
            continue
        posted[field.name] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return posted


@pytest.fixture
def real_forms(areas):
    report = api.load_forms()
    assert report.problems == ()


def test_the_services_that_apply_online_have_forms():
    assert {
        "kindergarten-placement", "address-registration", "e-signature-key", "business-registration",
        "sole-proprietor-registration", "construction-permit", "child-benefit", "school-enrollment",
        "medical-certificate", "criminal-record-certificate", "utility-connection", "marriage-registration",
        "driving-licence-replacement", "tin-certificate",
    } <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_each_form_is_named_after_a_service(name):
    assert name in SERVICES


@pytest.mark.parametrize("name", NAMES)
def test_each_form_asks_only_for_documents_its_service_lists(name):
    form = yaml.safe_load((REAL_FORMS / f"{name}.yaml").read_text(encoding="utf-8"))
    service_file = next((settings.REPO_DIR / "services").glob(f"*/{name}.yaml"))
    service = yaml.safe_load(service_file.read_text(encoding="utf-8"))
    assert {d["code"] for d in form.get("documents", [])} <= {d["code"] for d in service["documents"]}


@pytest.mark.django_db
def test_the_real_forms_pass_every_check(areas):
    assert api.check_forms() == []


@pytest.mark.django_db
@pytest.mark.parametrize("name", NAMES)
def test_each_form_accepts_its_sample_renders_in_four_languages_and_explains_what_is_missing(
        real_forms, name):
    form = api.form(name)
    posted = as_posted(form, form.sample)
    assert api.validate_json(form, form.sample, language="en") == {}
    for language in LANGUAGES:
        clean, errors = api.validate(form, posted, language=language)
        assert errors == {}
        assert {k: v for k, v in clean.items() if k in form.sample} == form.sample
        assert all(clean[k] is False for k in set(clean) - set(form.sample))

        for text in (form.title, *(s.title for s in form.sections), *(f.ui["label"] for f in form.fields)):
            assert all(text.get(key, "").strip() for key in ("uz", "uz_cyrl", "ru", "en")), text
        page = api.render(form, data=posted, errors={}, language=language)
        for field in form.fields:
            assert escape(field.label(language)) in page
            assert f'id="id_{field.name}' in page
        assert "error-summary" not in page

    clean, errors = api.validate(form, {}, language="ru")
    required = [f.name for f in form.shown(clean) if f.required and f.widget != "checkbox"]
    assert list(errors) == required
    assert {m for messages in errors.values() for m in messages} == {"Обязательное поле."}
    page = api.render(form, data={}, errors=errors, language="ru")
    assert page.count('<a href="#id_') == len(required)
