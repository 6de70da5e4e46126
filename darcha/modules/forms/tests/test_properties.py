"""Properties of validation on arbitrary input: it never fails, and what it accepts is valid."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from darcha.modules.forms import api
from darcha.modules.forms.tests.conftest import POSTED, TEST_FORM

pytestmark = pytest.mark.django_db

NAMES = [*TEST_FORM["schema"]["properties"], "csrfmiddlewaretoken", "colour"]
# Phrases of jsonschema's own messages, which must never reach a person.
RAW_PHRASES = ("is not of type", "is a required property", "does not match", "is not one of", "is too long",
               "is too short", "is not a '", "is less than", "is greater than", "Failed validating",
               "was expected", "is before", "is after")
AWKWARD = ["", " ", "true", "false", "on", "1", "-0", "+7", "0,5", "1.", "1e5", "nan", "inf", "31.02.2024",
           "2024-02-29", "29.02.2023", "9" * 30, "\x00", "\u200b", "１２", "٣", "1726294", "1726294-0",
           "1726294-12", "+998 90 123 45 67", "31505901234568", "I-TN 1234567", "a@b.uz", "uz", "disability"]
LANGUAGES = st.sampled_from(["uz", "uz-cyrl", "ru", "en"])

posted_values = st.one_of(st.text(), st.sampled_from(AWKWARD))


@st.composite
def near_valid_posts(draw) -> dict[str, str]:
    """The valid post with a few fields left out or replaced, so that both outcomes occur."""
    raw = dict(POSTED)
    for name in draw(st.sets(st.sampled_from(NAMES), max_size=4)):
        value = draw(st.none() | posted_values)
        if value is None:
            raw.pop(name, None)
        else:
            raw[name] = value
    return raw


raw_forms = near_valid_posts() | st.dictionaries(st.sampled_from(NAMES) | st.text(max_size=8), posted_values)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.sampled_from(AWKWARD),
    lambda children: (st.lists(children, max_size=3)
                      | st.dictionaries(st.text(max_size=5), children, max_size=3)),
    max_leaves=5,
)
json_forms = st.dictionaries(st.sampled_from(NAMES), json_values)

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def assert_readable(form, errors):
    known = {field.name for field in form.fields}
    for name, messages in errors.items():
        assert name in known or name in NAMES
        assert messages and all(isinstance(m, str) and m.strip() for m in messages)
        assert not any(phrase in m for m in messages for phrase in RAW_PHRASES), messages


@SETTINGS
@given(raw=raw_forms, language=LANGUAGES)
def test_validate_never_fails_and_returns_valid_data_or_readable_errors(form, raw, language):
    clean, errors = api.validate(form, raw, language=language)
    assert_readable(form, errors)
    assert set(clean) <= {field.name for field in form.shown(clean)}
    assert not set(clean) & set(errors)
    if not errors:
        assert api.validate_json(form, clean, language="en") == {}


@SETTINGS
@given(data=json_forms, language=LANGUAGES)
def test_validate_json_never_fails_and_explains_every_problem(form, data, language):
    errors = api.validate_json(form, data, language=language)
    assert_readable(form, errors)
    if not errors:
        assert set(data) <= {field.name for field in form.shown(data)}
