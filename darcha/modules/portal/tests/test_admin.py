import pytest
from django.contrib.auth import get_user_model
from django.test import Client

Account = get_user_model()


def signed_in(account) -> Client:
    client = Client()
    client.force_login(account)
    return client


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_the_admin_sign_in():
    response = Client().get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_staff_flag_alone_does_not_open_the_admin():
    staff = Account.objects.create_user("31505901234568", "a-long-password", is_staff=True)
    client = signed_in(staff)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert client.get("/admin/audit/auditentry/").status_code == 302


@pytest.mark.django_db
def test_a_citizen_cannot_use_the_admin():
    citizen = Account.objects.create_user("41505901234566", "a-long-password")
    assert signed_in(citizen).get("/admin/").status_code == 302


@pytest.mark.django_db
def test_superuser_uses_the_admin_with_a_translated_header():
    admin = Account.objects.create_superuser("admin", "a-long-password")
    client = signed_in(admin)
    client.cookies["darcha_lang"] = "ru"
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "Администрирование Darcha" in response.content.decode()
