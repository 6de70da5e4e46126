import pytest
from django.db import transaction
from django.urls import reverse

from darcha.modules.notifications import api
from darcha.modules.notifications.models import Message, Template, TemplateText

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client, make_account):
    client.force_login(make_account(is_staff=True, is_superuser=True))
    client.cookies["darcha_lang"] = "en"
    return client


def texts_form(template: Template, **changes) -> dict:
    """The change form of a template as the admin page posts it, with some text bodies changed."""
    texts = list(template.texts.order_by("channel", "language"))
    data = {
        "texts-TOTAL_FORMS": str(len(texts)),
        "texts-INITIAL_FORMS": str(len(texts)),
        "texts-MIN_NUM_FORMS": "0",
        "texts-MAX_NUM_FORMS": "1000",
    }
    for n, text in enumerate(texts):
        prefix = f"texts-{n}-"
        body = changes.get(f"{text.channel}_{text.language}", text.body)
        data.update(
            {
                f"{prefix}id": str(text.pk),
                f"{prefix}template": str(template.pk),
                f"{prefix}channel": text.channel,
                f"{prefix}language": text.language,
                f"{prefix}subject": text.subject,
                f"{prefix}body": body,
                f"{prefix}html": text.html,
            }
        )
        if text.customised:
            data[f"{prefix}customised"] = "on"
    return data


def test_an_operators_edit_is_kept_as_customised(operator):
    template = Template.objects.get(key="identity.sign_in_code")
    url = reverse("admin:notifications_template_change", args=[template.pk])

    response = operator.post(url, texts_form(template, sms_ru="Darcha: ваш код {{ code }}."))

    assert response.status_code == 302
    edited = TemplateText.objects.get(template=template, channel="sms", language="ru")
    assert (edited.body, edited.customised) == ("Darcha: ваш код {{ code }}.", True)
    assert not TemplateText.objects.get(template=template, channel="sms", language="en").customised


def test_a_text_that_does_not_render_is_refused(operator):
    template = Template.objects.get(key="identity.sign_in_code")
    url = reverse("admin:notifications_template_change", args=[template.pk])

    response = operator.post(url, texts_form(template, sms_en="Your code: {{ kode }}"))

    assert response.status_code == 200
    assert "Does not render with the sample context" in response.content.decode()
    assert "{{ code }}" in TemplateText.objects.get(template=template, channel="sms", language="en").body


def test_reset_to_defaults_drops_the_edits(operator):
    template = Template.objects.get(key="identity.sign_in_code")
    TemplateText.objects.filter(template=template, language="ru").update(body="x {{ code }}", customised=True)

    operator.post(
        reverse("admin:notifications_template_changelist"),
        {"action": "reset_to_defaults", "_selected_action": [template.pk]},
    )

    text = TemplateText.objects.get(template=template, language="ru")
    assert text.body == "Darcha: код для входа {{ code }}. Никому его не сообщайте."
    assert not text.customised


def test_the_message_list_hides_one_time_codes(operator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        api.send_code(phone="+998901234567", code="482913", purpose="sign_in", language="en")
    message = Message.objects.get()

    page = operator.get(reverse("admin:notifications_message_change", args=[message.pk])).content.decode()

    assert "(hidden: contains a one-time code)" in page
    assert "482913" not in page
    assert "+998901234567" not in page
