import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client

from darcha.modules.notifications import api

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STATUS = {
    "number": "26-1726-000042",
    "service": "Passport",
    "status": "Ready",
    "url": "https://darcha.example/",
}


def signed_in(page, live_server, account):
    client = Client()
    client.force_login(account)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url},
        ]
    )


def notify(account, count):
    with transaction.atomic():
        for _ in range(count):
            api.notify(
                recipient_id=str(account.pk),
                template="applications.status_changed",
                context=STATUS,
                language="en",
                channels=["in_app"],
            )


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_citizen_reads_notifications_without_javascript(browser, live_server, make_account):
    account = make_account()
    notify(account, 2)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    signed_in(page, live_server, account)

    page.goto("/cabinet/notifications/")
    assert page.get_by_role("heading", level=1).inner_text() == "Notifications"
    assert page.locator(".badge").count() == 2

    page.get_by_role("button", name="Mark as read").first.click()

    assert page.get_by_role("status").inner_text() == "The notification is marked as read."
    assert page.locator(".badge").count() == 1
    assert page.get_by_text("Unread: 1").is_visible()
    context.close()


def test_the_inbox_passes_axe_and_fits_a_phone(phone_page, live_server, make_account, axe):
    account = make_account()
    notify(account, 3)
    signed_in(phone_page, live_server, account)

    phone_page.goto("/cabinet/notifications/")

    axe(phone_page)
    assert no_horizontal_scroll(phone_page)


def test_the_developer_inbox_shows_a_code_and_passes_axe(phone_page, make_account, axe):
    with transaction.atomic():
        api.send_code(phone="+998901234567", code="482913", purpose="sign_in", language="en")

    phone_page.goto("/dev/inbox?phone=901234567")

    assert phone_page.locator("strong.badge").inner_text() == "482913"
    axe(phone_page)
    assert no_horizontal_scroll(phone_page)
