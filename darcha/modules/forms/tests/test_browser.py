"""The rendered fields in a real browser: accessibility rules, and conditional fields with and without JS."""

from pathlib import Path

import pytest

from darcha.modules.forms import api
from darcha.modules.forms.tests.conftest import POSTED

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SCRIPT = Path(api.__file__).parent / "static" / "forms" / "conditional.js"


def page_with(browser, form, *, data=None, errors=None, language="en", javascript=True):
    """The fields inside a minimal page, as the applications pages wrap them."""
    fields = api.render(form, data=data or {}, errors=errors or {}, language=language)
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.set_content(
        f'<!doctype html><html lang="{language}"><head><title>{form.text(language)}</title></head>'
        "<body><main>"
        f'<h1>{form.text(language)}</h1><form method="post" novalidate>{fields}'
        '<button type="submit">Send</button></form></main></body></html>'
    )
    if javascript:
        page.add_script_tag(path=str(SCRIPT))
    return context, page


def test_the_fields_with_errors_pass_axe_and_are_reachable_by_label(browser, axe, form):
    _clean, errors = api.validate(form, {**POSTED, "children": "many", "language": ""}, language="en")
    context, page = page_with(browser, form, data={**POSTED, "children": "many"}, errors=errors)
    try:
        axe(page)
        assert page.get_by_role("alert").get_by_role("link").all_inner_texts() == [
            "Number of children: Enter a whole number.", "Language: This field is required."]
        page.get_by_role("link", name="Number of children: Enter a whole number.").click()
        children = page.get_by_label("Number of children (required)")
        assert children.evaluate("node => node === document.activeElement")
        assert children.get_attribute("aria-invalid") == "true"
        assert page.get_by_role("group", name="Language (required)").get_by_role("radio").count() == 3
    finally:
        context.close()


def test_conditional_fields_show_and_hide_live_with_javascript(browser, form):
    context, page = page_with(browser, form, language="ru")
    try:
        category = page.locator('[data-field="category"]')
        details = page.locator('[data-field="details"]')
        assert category.is_hidden() and details.is_hidden()
        page.get_by_label("Есть льгота").check()
        assert category.is_visible() and details.is_hidden()
        assert page.locator("#id_category_condition").is_hidden()
        page.get_by_label("Вид льготы").select_option("disability")
        assert details.is_visible()
        page.get_by_label("Вид льготы").select_option("single-parent")
        assert details.is_hidden()
        page.get_by_label("Вид льготы").select_option("low-income")
        page.get_by_label("Есть льгота").uncheck()
        assert category.is_hidden() and details.is_hidden()  # hidden with the field it depends on
    finally:
        context.close()


def test_without_javascript_every_field_is_shown_with_its_condition(browser, form):
    context, page = page_with(browser, form, javascript=False)
    try:
        assert page.locator('[data-field="category"]').is_visible()
        assert page.locator('[data-field="details"]').is_visible()
        note = page.locator("#id_category_condition")
        assert note.inner_text() == "(only if “I have a preference” is ticked)"
    finally:
        context.close()
