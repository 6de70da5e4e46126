from darcha.config import settings as product_settings


def test_passwords_are_hashed_with_argon2_in_every_deployment():
    assert product_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
