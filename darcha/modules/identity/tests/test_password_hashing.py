import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, identify_hasher, make_password

from darcha.config import settings as product_settings
from darcha.modules.identity import services
from darcha.modules.identity.models import Account
from darcha.modules.identity.tests.conftest import PASSWORD, make_account

PRODUCT_HASHERS = ["darcha.modules.identity.hashers.PasswordHasher", *product_settings.PASSWORD_HASHERS[1:]]


def _argon2_settings(encoded: str) -> dict:
    return identify_hasher(encoded).decode(encoded)


def test_passwords_are_hashed_with_argon2id_at_the_recommended_settings_in_every_deployment(settings):
    assert product_settings.PASSWORD_HASHERS == PRODUCT_HASHERS
    settings.PASSWORD_HASHERS = PRODUCT_HASHERS
    encoded = make_password(PASSWORD)
    assert encoded.startswith("argon2$argon2id$")
    found = _argon2_settings(encoded)
    assert (found["memory_cost"], found["time_cost"], found["parallelism"]) == (19 * 1024, 2, 1)


@pytest.fixture
def account_with_djangos_default_hash(settings):
    """An account whose password was stored with Django's default Argon2 settings."""
    settings.PASSWORD_HASHERS = PRODUCT_HASHERS
    account = make_account()
    old = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
    Account.objects.filter(id=account.id).update(password=old)
    assert _argon2_settings(old)["parallelism"] == 8
    return account, old


@pytest.mark.django_db
def test_a_password_stored_with_djangos_default_settings_signs_in_and_is_stored_again(
    account_with_djangos_default_hash,
):
    account, old = account_with_djangos_default_hash

    services.sign_in_start(identifier=account.username, password=PASSWORD, ip="192.0.2.7", language="uz")

    stored = Account.objects.get(id=account.id).password
    assert stored != old
    assert _argon2_settings(stored)["memory_cost"] == 19 * 1024
    assert _argon2_settings(stored)["parallelism"] == 1


@pytest.mark.django_db
def test_a_wrong_password_leaves_the_old_hash_in_place(account_with_djangos_default_hash):
    account, old = account_with_djangos_default_hash

    with pytest.raises(services.IdentityError):
        services.sign_in_start(
            identifier=account.username, password="Wrong-2026", ip="192.0.2.8", language="uz"
        )

    assert Account.objects.get(id=account.id).password == old
