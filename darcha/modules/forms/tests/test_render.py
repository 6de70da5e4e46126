"""Rendering a form as accessible HTML fields, in every language."""

import pytest
from django.test.html import Element, parse_html

from darcha.modules.forms import api
from darcha.modules.forms.tests.conftest import CHILONZOR, POSTED, definition, write

pytestmark = pytest.mark.django_db


def html(form, data=None, errors=None, language="en") -> Element:
    return parse_html(api.render(form, data=data or {}, errors=errors or {}, language=language))


def find(root, tag=None, **attrs) -> list[Element]:
    """``root`` and its descendants by tag and attributes (``aria_invalid`` for aria-invalid,
    ``class_`` for class; ``True`` matches any value)."""
    wanted = {name.rstrip("_").replace("_", "-"): value for name, value in attrs.items()}
    found = []

    def walk(node):
        have = dict(node.attributes)
        if (tag is None or node.name == tag) and all(
                name in have and (value is True or have[name] == value) for name, value in wanted.items()):
            found.append(node)
        for child in node.children:
            if not isinstance(child, str):
                walk(child)

    walk(root)
    return found


def one(root, tag=None, **attrs) -> Element:
    found = find(root, tag, **attrs)
    assert len(found) == 1, (tag, attrs, found)
    return found[0]


def text(node) -> str:
    if isinstance(node, str):
        return node
    return " ".join(t for t in (text(c) for c in node.children) if t).strip()


def attr(node, name):
    return dict(node.attributes).get(name)


def test_every_control_has_a_label_and_a_unique_id(form):
    page = html(form)
    ids = [attr(node, "id") for node in find(page, id=True)]
    assert len(ids) == len(set(ids))
    for field in form.fields:
        if field.widget == "radio":
            group = one(page, "fieldset", data_field=field.name)
            assert text(one(group, "legend")).startswith(field.label("en"))
            for radio in find(group, "input", type="radio"):
                assert one(group, "label", **{"for": attr(radio, "id")})
        else:
            control = one(page, id=f"id_{field.name}")
            assert control.name in {"input", "select", "textarea"}
            assert attr(control, "name") == field.name
            assert field.label("en") in text(one(page, "label", **{"for": f"id_{field.name}"}))


def test_fields_come_in_sections_in_form_order(form):
    page = html(form)
    sections = find(page, "section")
    assert [text(one(s, "h2")) for s in sections] == ["Applicant", "Numbers", "Preference"]
    order = [attr(node, "data-field") for node in find(page, data_field=True)]
    assert order == [f.name for f in form.fields]


@pytest.mark.parametrize(("language", "mark", "heading"), [
    ("uz", "(majburiy)", "Ariza beruvchi"),
    ("uz-cyrl", "(мажбурий)", "Ариза берувчи"),
    ("ru", "(обязательно)", "Заявитель"),
    ("en", "(required)", "Applicant"),
])
def test_required_fields_are_marked_in_words_in_each_language(form, language, mark, heading):
    page = html(form, language=language)
    assert text(find(page, "h2")[0]) == heading
    full_name = text(one(page, "label", **{"for": "id_full_name"}))
    assert full_name == f"{form.field('full_name').label(language)} {mark}"
    assert mark not in text(one(page, "label", **{"for": "id_series"}))
    assert attr(one(page, "input", id="id_full_name"), "aria-required") == "true"
    assert text(one(page, "legend")).endswith(mark)  # the language radio group
    assert mark in text(one(page, "label", **{"for": "id_consent"}))  # a box that must be ticked
    assert mark not in text(one(page, "label", **{"for": "id_preferential"}))


def test_hints_are_tied_to_their_controls(form):
    page = html(form)
    control = one(page, "input", id="id_full_name")
    assert attr(control, "aria-describedby") == "id_full_name_hint"
    assert text(one(page, "p", id="id_full_name_hint")) == "As in the passport"
    date_hint = text(one(page, "p", id="id_start_date_hint"))
    assert date_hint == "For example, 27.03.2025"
    assert attr(one(page, "input", id="id_children"), "aria-describedby") is None


def test_without_errors_there_is_no_summary_and_nothing_is_invalid(form):
    page = html(form, data=POSTED)
    assert find(page, class_="error-summary") == []
    assert find(page, aria_invalid=True) == []


def test_errors_are_summarised_at_the_top_and_shown_at_each_field(form):
    errors = {"language": ["Choose one of the options."], "full_name": ["This field is required."],
              "__all__": ["Attach the birth certificate."]}
    page = html(form, errors=errors)
    container = one(page, "div", data_darcha_form="test-application")
    summary = container.children[0]
    assert (attr(summary, "class"), attr(summary, "role")) == ("error-summary", "alert")
    assert text(one(summary, "h2")) == "There is a problem"
    links = [(attr(a, "href"), text(a)) for a in find(summary, "a")]
    assert links == [("#id_full_name", "Full name: This field is required."),
                     ("#id_language_0", "Language: Choose one of the options.")]
    assert [text(li) for li in find(summary, "li")][-1] == "Attach the birth certificate."

    control = one(page, "input", id="id_full_name")
    assert attr(control, "aria-invalid") == "true"
    assert attr(control, "aria-describedby") == "id_full_name_hint id_full_name_error"
    assert text(one(page, "p", id="id_full_name_error")) == "Error: This field is required."
    assert attr(one(page, "p", id="id_full_name_error"), "class") == "field-error"
    group = one(page, "fieldset", data_field="language")
    assert attr(group, "aria-describedby") == "id_language_error"
    assert all(attr(radio, "aria-invalid") == "true" for radio in find(group, "input", type="radio"))
    assert attr(one(page, "input", id="id_series"), "aria-invalid") is None


def test_the_summary_is_in_the_users_language(form):
    page = html(form, errors={"full_name": ["Обязательное поле."]}, language="ru")
    summary = one(page, class_="error-summary")
    assert text(one(summary, "h2")) == "Есть ошибка"
    assert text(one(summary, "a")) == "Полное имя: Обязательное поле."
    assert text(one(page, "p", id="id_full_name_error")) == "Ошибка: Обязательное поле."


def test_posted_values_are_shown_back(form):
    data = {**POSTED, "preferential": "true", "category": "low-income", "note": "Line one\nLine two",
            "language": "ru", "children": "many"}
    page = html(form, data=data)
    assert attr(one(page, "input", id="id_full_name"), "value") == "Ali Valiyev"
    assert attr(one(page, "input", id="id_children"), "value") == "many"
    date = one(page, "input", id="id_start_date")
    assert (attr(date, "type"), attr(date, "value")) == ("date", "2030-09-01")
    assert "checked" in dict(one(page, "input", id="id_preferential").attributes)
    checked = [attr(r, "value") for r in find(page, "input", type="radio") if "checked" in dict(r.attributes)]
    assert checked == ["ru"]
    selected = [attr(o, "value") for o in find(one(page, "select", id="id_category"), "option")
                if "selected" in dict(o.attributes)]
    assert selected == ["low-income"]
    assert text(one(page, "textarea", id="id_note")) == "Line one Line two"


def test_a_draft_of_typed_values_is_shown_too(form):
    page = html(form, data={"preferential": True, "children": 2, "start_date": "2030-09-01"})
    assert "checked" in dict(one(page, "input", id="id_preferential").attributes)
    assert attr(one(page, "input", id="id_children"), "value") == "2"
    assert attr(one(page, "input", id="id_start_date"), "value") == "2030-09-01"


@pytest.mark.parametrize(("language", "region", "district"), [
    ("en", "Tashkent City", "Chilonzor District"),
    ("uz", "Toshkent shahri", "Chilonzor tumani"),
    ("uz-cyrl", "Тошкент шаҳри", "Чилонзор тумани"),
    ("ru", "город Ташкент", "Чиланзарский район"),
])
def test_districts_are_chosen_from_a_list_grouped_by_region(form, language, region, district):
    page = html(form, data={"district": CHILONZOR}, language=language)
    select = one(page, "select", id="id_district")
    group = one(select, "optgroup", label=region)
    option = one(group, "option", value=CHILONZOR)
    assert text(option) == district
    assert "selected" in dict(option.attributes)
    assert len(find(select, "optgroup")) == 14


def test_inputs_get_the_right_keyboard_and_autofill(form):
    page = html(form)
    assert attr(one(page, "input", id="id_pinfl"), "inputmode") == "numeric"
    assert attr(one(page, "input", id="id_phone"), "type") == "tel"
    assert attr(one(page, "input", id="id_phone"), "autocomplete") == "tel"
    assert attr(one(page, "input", id="id_email"), "inputmode") == "email"
    assert attr(one(page, "input", id="id_children"), "inputmode") == "numeric"
    assert attr(one(page, "input", id="id_area"), "inputmode") == "decimal"
    assert attr(one(page, "input", id="id_start_date"), "type") == "date"
    assert attr(one(page, "input", id="id_preferential"), "type") == "checkbox"


@pytest.mark.parametrize(("language", "ticked", "one_of"), [
    ("en", "(only if “I have a preference” is ticked)",
     "(only if “Kind of preference” is one of: Disability, Low income)"),
    ("ru", "(только если отмечено «Есть льгота»)",
     "(только если в поле «Вид льготы» выбрано одно из: Инвалидность, Малообеспеченные)"),
])
def test_conditional_fields_are_always_in_the_page_and_say_when_they_apply(form, language, ticked, one_of):
    page = html(form, language=language)
    category = one(page, data_field="category")
    assert attr(category, "data-show-if") == "preferential"
    assert attr(category, "data-show-if-values") == '["true"]'
    assert text(one(category, "p", id="id_category_condition")) == ticked
    assert "id_category_condition" in attr(one(page, "select", id="id_category"), "aria-describedby")
    details = one(page, data_field="details")
    assert attr(details, "data-show-if-values") == '["disability", "low-income"]'
    assert text(one(details, "p", id="id_details_condition")) == one_of
    assert attr(one(page, "script"), "src").endswith("/forms/conditional.js")


def test_a_form_without_conditions_has_no_script(forms_root, areas):
    data = definition()
    for name in ("category", "details"):
        del data["ui"]["fields"][name]["show_if"]
    data["documents"][1].pop("show_if")
    write(forms_root, data)
    api.load_forms(forms_root)
    page = html(api.form("test-application"))
    assert find(page, "script") == []
    assert find(page, data_show_if=True) == []


def test_text_from_definitions_and_data_is_escaped(forms_root, areas):
    data = definition()
    data["ui"]["fields"]["full_name"]["label"]["en"] = "Name <b>bold</b>"
    write(forms_root, data)
    api.load_forms(forms_root)
    rendered = api.render(api.form("test-application"), data={"note": "</textarea><script>x()</script>"},
                          errors={"full_name": ["<i>bad</i>"]}, language="en")
    assert "<b>" not in rendered and "<i>" not in rendered and "<script>x()" not in rendered
    assert "Name &lt;b&gt;bold&lt;/b&gt;" in rendered
