import pytest
from django.test import override_settings


def two_demo_accounts():
    return [
        {"role": "citizen", "name": "Karimova Dilnoza", "pinfl": "42207912630020", "phone": "+998901234568",
         "password": "Darcha-2026", "second_factor": "SMS code", "totp_secret": ""},
        {"role": "officer", "name": "Azimov Jamshid", "pinfl": "30112912630439", "phone": "+998909000004",
         "password": "Darcha-2026", "second_factor": "authenticator app", "totp_secret": "DEMOSECRET"},
    ]


@pytest.mark.django_db
@override_settings(DEV_INBOX_DEMO_ACCOUNTS=f"{__name__}.two_demo_accounts")
def test_the_developer_inbox_lists_the_demo_accounts_from_the_configured_provider(client):
    page = client.get("/dev/inbox", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Демонстрационные учётные записи" in page
    assert "42207912630020" in page and "30112912630439" in page
    assert "DEMOSECRET" in page
    assert "Darcha-2026" in page


@pytest.mark.django_db
@override_settings(DEV_INBOX_DEMO_ACCOUNTS="")
def test_without_a_provider_no_demo_block_is_shown(client):
    page = client.get("/dev/inbox").content.decode()
    assert "42207912630020" not in page
    assert "<details" not in page
