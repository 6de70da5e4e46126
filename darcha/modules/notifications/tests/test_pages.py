import uuid
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from darcha.modules.notifications import api
from darcha.modules.notifications.models import DevInboxEntry, Message

pytestmark = pytest.mark.django_db

INBOX = "/cabinet/notifications/"
DEV_INBOX = "/dev/inbox"


def in_app(account, count=1, language="en"):
    """Cabinet notifications for ``account``, one minute apart, the last one newest."""
    ids = []
    start = timezone.now() - timedelta(hours=1)
    with transaction.atomic():
        for n in range(count):
            [message_id] = api.notify(
                recipient_id=str(account.pk),
                template="applications.status_changed",
                context={
                    "number": f"26-1726-{n:06d}",
                    "service": "Passport",
                    "status": "Ready",
                    "url": "https://darcha.example/a",
                },
                language=language,
                channels=["in_app"],
            )
            Message.objects.filter(id=message_id).update(created_at=start + timedelta(minutes=n))
            ids.append(message_id)
    return ids


def test_urls_have_their_names():
    assert reverse("notifications:inbox") == INBOX
    assert reverse("notifications:dev-inbox") == DEV_INBOX


def test_the_inbox_needs_a_signed_in_user(client):
    response = client.get(INBOX)
    assert response.status_code == 302
    assert "next=/cabinet/notifications/" in response["Location"]


def test_the_inbox_lists_own_notifications_newest_first_with_unread_markers(client, make_account):
    me, other = make_account(), make_account()
    in_app(me, 2)
    in_app(other, 1)
    client.force_login(me)
    client.cookies["darcha_lang"] = "en"

    response = client.get(INBOX)

    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("26-1726-000001") < page.index("26-1726-000000")
    assert page.count('<span class="badge">New</span>') == 2
    assert "Unread: 2" in page
    assert len(response.context["notifications"]) == 2


def test_the_inbox_pages_through_older_notifications(client, make_account):
    me = make_account()
    ids = in_app(me, 25)
    client.force_login(me)

    first = client.get(INBOX)
    shown = [n.id for n in first.context["notifications"]]
    assert shown == ids[::-1][:20]
    assert first.context["older_url"] == f"{INBOX}?before={ids[5]}"

    second = client.get(first.context["older_url"])
    assert [n.id for n in second.context["notifications"]] == ids[4::-1]
    assert second.context["older_url"] == ""


def test_anothers_message_cannot_be_used_as_a_page_anchor(client, make_account):
    me, other = make_account(), make_account()
    [theirs] = in_app(other)
    client.force_login(me)
    assert client.get(f"{INBOX}?before={theirs}").status_code == 404
    assert client.get(f"{INBOX}?before=not-a-uuid").status_code == 404


def test_marking_a_notification_read(client, make_account):
    me = make_account()
    first, second = in_app(me, 2)
    client.force_login(me)

    response = client.post(reverse("notifications:mark-read", args=[first]))

    assert response.status_code == 302
    assert response["Location"] == INBOX
    assert Message.objects.get(id=first).read_at is not None
    assert Message.objects.get(id=second).read_at is None
    assert api.unread_count(str(me.pk)) == 1
    page = client.get(INBOX).content.decode()
    assert page.count('class="badge"') == 1


def test_another_users_message_cannot_be_marked_read(client, make_account):
    me, other = make_account(), make_account()
    [theirs] = in_app(other)
    client.force_login(me)

    response = client.post(reverse("notifications:mark-read", args=[theirs]))

    assert response.status_code == 404
    assert Message.objects.get(id=theirs).read_at is None
    with pytest.raises(api.MessageNotFound):
        api.mark_read(recipient_id=str(me.pk), message_id=theirs)


def test_mark_read_only_accepts_post(client, make_account):
    me = make_account()
    [mine] = in_app(me)
    client.force_login(me)
    assert client.get(reverse("notifications:mark-read", args=[mine])).status_code == 405
    assert Message.objects.get(id=mine).read_at is None


def test_marking_all_read_returns_to_the_same_page(client, make_account):
    me, other = make_account(), make_account()
    ids = in_app(me, 3)
    [theirs] = in_app(other)
    client.force_login(me)

    response = client.post(reverse("notifications:mark-all-read"), {"before": ids[2]})

    assert response["Location"] == f"{INBOX}?before={ids[2]}"
    assert api.unread_count(str(me.pk)) == 0
    assert Message.objects.get(id=theirs).read_at is None


def test_inbox_api_paginates_with_before():
    recipient = "acc-page"
    with transaction.atomic():
        ids = [
            api.notify(
                recipient_id=recipient,
                template="identity.registered",
                context={},
                language="uz",
                channels=["in_app"],
            )[0]
            for _ in range(5)
        ]
    newest_first = [m.id for m in api.inbox_for(recipient, limit=50)]
    assert sorted(newest_first) == sorted(ids)
    page_one = api.inbox_for(recipient, limit=2)
    page_two = api.inbox_for(recipient, limit=2, before=page_one[-1].id)
    page_three = api.inbox_for(recipient, limit=2, before=page_two[-1].id)
    assert [m.id for m in page_one + page_two + page_three] == newest_first
    assert page_one[0].title == "Xush kelibsiz!"
    assert page_one[0].read is False


def test_the_inbox_speaks_the_users_language(client, make_account):
    me = make_account()
    in_app(me, language="ru")
    client.force_login(me)
    client.cookies["darcha_lang"] = "ru"

    page = client.get(INBOX).content.decode()

    assert "<h1>Уведомления</h1>" in page
    assert "Заявление № 26-1726-000000: Ready" in page


def test_the_developer_inbox_is_not_found_when_disabled(client, settings):
    settings.DEV_INBOX_ENABLED = False
    assert client.get(DEV_INBOX).status_code == 404


def test_the_developer_inbox_shows_codes_newest_first(client, settings, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "inbox"
    for code in ("111111", "222222"):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            api.send_code(phone="+998901234567", code=code, purpose="sign_in", language="en")

    response = client.get(DEV_INBOX)

    assert response.status_code == 200
    page = response.content.decode()
    assert '<strong class="badge">222222</strong>' in page
    assert page.index("222222") < page.index("111111")
    assert "+998901234567" in page


def test_the_developer_inbox_filters_by_phone(client):
    for phone in ("+998901234567", "+998911112233"):
        DevInboxEntry.objects.create(
            message_id=uuid.uuid4(), channel="sms", destination=phone, body=f"to {phone}"
        )

    page = client.get(DEV_INBOX, {"phone": "91 111 22 33"}).content.decode()

    assert "to +998911112233" in page
    assert "to +998901234567" not in page


def test_a_bad_phone_filter_is_explained(client):
    client.cookies["darcha_lang"] = "en"
    response = client.get(DEV_INBOX, {"phone": "call me"})

    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="error-summary"' in page
    assert "Enter a phone number: 4 to 15 digits." in page


def test_the_developer_inbox_is_paginated(client):
    for n in range(35):
        DevInboxEntry.objects.create(
            message_id=uuid.uuid4(),
            channel="email",
            destination="a@example.uz",
            subject=f"subject {n:02d}",
            body="text",
            created_at=timezone.now() + timedelta(seconds=n),
        )

    first = client.get(DEV_INBOX)
    second = client.get(DEV_INBOX, {"page": 2})

    assert [e.subject for e in first.context["page"]][:2] == ["subject 34", "subject 33"]
    assert len(first.context["page"]) == 30
    assert [e.subject for e in second.context["page"]] == [f"subject {n:02d}" for n in range(4, -1, -1)]
