"""One settings module for every deployment, driven by environment variables.

The embedded default (no variables set) runs on SQLite in WAL mode with files on disk and
SMS/e-mail written to the developer inbox. Production sets ``DATABASE_URL`` and the
``DARCHA_*`` variables documented in docs/operations.md.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = BASE_DIR.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(f"DARCHA_{name}", default)


def env_bool(name: str, default: bool = False) -> bool:
    return env(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(env("DATA_DIR", str(REPO_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG")
PRODUCTION = env_bool("PRODUCTION")


def _secret_key() -> str:
    if key := env("SECRET_KEY"):
        return key
    if PRODUCTION:
        raise RuntimeError("DARCHA_SECRET_KEY must be set in production")
    # Embedded default: one random key per data directory, kept across restarts.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env("CSRF_TRUSTED_ORIGINS").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "darcha.platform.events",
    "darcha.platform.audit",
    "darcha.platform.calendar",
    "darcha.platform.money",
    "darcha.modules.reference",
    "darcha.modules.identity",
    "darcha.modules.notifications",
    "darcha.modules.catalog",
    "darcha.modules.applications",
    "darcha.modules.forms",
    "darcha.modules.documents",
    "darcha.modules.apiaccess",
    "darcha.modules.portal",
]

MIDDLEWARE = [
    "darcha.platform.http.RequestArrivalMiddleware",
    "darcha.platform.http.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "darcha.platform.http.ContentSecurityPolicyMiddleware",
    # Outside everything that may read the database (sessions, accounts), so that those
    # failures answer 503 too.
    "darcha.platform.http.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "darcha.modules.identity.middleware.SessionTrackingMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "darcha.config.urls"
CSRF_FAILURE_VIEW = "darcha.modules.portal.views.csrf_failure"
DATABASE_UNAVAILABLE_VIEW = "darcha.modules.portal.views.service_unavailable"
WSGI_APPLICATION = "darcha.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "darcha.modules.portal.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'darcha.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(env("CONN_MAX_AGE", "60")))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue on
        # busy_timeout instead of failing half-way through a transaction.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    # Tests use a file in WAL mode too (not shared-cache memory), so that concurrency
    # behaves as in production; one file per test process.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "identity.Account"

# --- Cache (rate limits, lockouts). Redis when configured, the database otherwise, so
# limits hold across all web processes in both modes.
if redis_url := env("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "darcha.platform.cache.RedisCache",
            "LOCATION": redis_url,
            # Lets several installations (or test runs) share one Redis without meeting.
            "KEY_PREFIX": env("CACHE_KEY_PREFIX"),
        }
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "darcha_cache"}
    }

# --- Passwords and sessions -------------------------------------------------------------
PASSWORD_HASHERS = [
    "darcha.modules.identity.hashers.PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["darcha.modules.identity.backends.AccountBackend"]
LOGIN_URL = "identity:sign-in"
# With Redis, a signed-in request reads its session from the cache (written through to the
# database, which stays the record); without it the database cache would gain nothing.
SESSION_ENGINE = f"django.contrib.sessions.backends.{'cached_db' if redis_url else 'db'}"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(env("SESSION_AGE", str(60 * 60 * 8)))
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Headers set by the load balancer (X-Request-Start, the arrival moment that orders queues)
# are believed only when every request comes through it; otherwise a client could forge them.
TRUSTED_PROXY_HEADERS = env_bool("TRUSTED_PROXY_HEADERS")
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000

# --- Languages ---------------------------------------------------------------------------
LANGUAGE_CODE = "uz"
LANGUAGES = [
    ("uz", "O‘zbekcha"),
    ("uz-cyrl", "Ўзбекча"),
    ("ru", "Русский"),
    ("en", "English"),
]
LANGUAGE_COOKIE_NAME = "darcha_lang"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LOCALE_PATHS: list = []  # each module keeps its own catalogue in <module>/locale
USE_I18N = True
USE_TZ = True
TIME_ZONE = env("TIME_ZONE", "Asia/Tashkent")

# --- Static and uploaded files ------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise serves from here after collectstatic
MEDIA_ROOT = DATA_DIR / "files"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Outside systems (adapters chosen by configuration) ---------------------------------------
SMS_BACKEND = env("SMS_BACKEND", "inbox")  # inbox | http
SMS_GATEWAY_URL = env("SMS_GATEWAY_URL")
SMS_GATEWAY_TOKEN = env("SMS_GATEWAY_TOKEN")
EMAIL_CHANNEL = env("EMAIL_BACKEND", "inbox")  # inbox | smtp
EMAIL_HOST = env("SMTP_HOST", "localhost")
EMAIL_PORT = int(env("SMTP_PORT", "25"))
EMAIL_HOST_USER = env("SMTP_USER")
EMAIL_HOST_PASSWORD = env("SMTP_PASSWORD")
EMAIL_USE_TLS = env_bool("SMTP_TLS")
DEFAULT_FROM_EMAIL = env("EMAIL_FROM", "Darcha <no-reply@darcha.local>")
# The developer inbox exists only while a channel writes to it.
DEV_INBOX_ENABLED = SMS_BACKEND == "inbox" or EMAIL_CHANNEL == "inbox"
DEV_INBOX_DEMO_ACCOUNTS = "darcha.modules.identity.api.demo_accounts"

# --- Security limits -----------------------------------------------------------------------
SIGN_IN_MAX_FAILURES = int(env("SIGN_IN_MAX_FAILURES", "5"))
SIGN_IN_LOCKOUT_SECONDS = int(env("SIGN_IN_LOCKOUT_SECONDS", "900"))
OTP_TTL_SECONDS = int(env("OTP_TTL_SECONDS", "300"))
OTP_MAX_ATTEMPTS = int(env("OTP_MAX_ATTEMPTS", "5"))
OTP_SEND_LIMIT_PER_HOUR = int(env("OTP_SEND_LIMIT_PER_HOUR", "5"))

# --- Events -------------------------------------------------------------------------------
EVENTS_MAX_ATTEMPTS = int(env("EVENTS_MAX_ATTEMPTS", "8"))
EVENTS_LEASE_SECONDS = int(env("EVENTS_LEASE_SECONDS", "60"))
EVENTS_BACKOFF_BASE_SECONDS = float(env("EVENTS_BACKOFF_BASE_SECONDS", "2"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}

SITE_NAME = _("Darcha")

# --- Documents ------------------------------------------------------------------------------
# Upload checks (docs/modules/documents.md). A service may declare a smaller size cap.
DOCUMENTS_MAX_BYTES = int(env("DOCUMENTS_MAX_BYTES", str(10 * 1024 * 1024)))
DOCUMENTS_MAX_IMAGE_PIXELS = int(env("DOCUMENTS_MAX_IMAGE_PIXELS", str(40_000_000)))
DOCUMENTS_MAX_PDF_PAGES = int(env("DOCUMENTS_MAX_PDF_PAGES", "200"))
DOCUMENTS_MAX_PDF_OBJECTS = int(env("DOCUMENTS_MAX_PDF_OBJECTS", "100000"))
DOCUMENTS_MAX_PDF_STREAM_BYTES = int(env("DOCUMENTS_MAX_PDF_STREAM_BYTES", str(50 * 1024 * 1024)))
# ClamAV daemon as host:port; empty means uploads are not virus-scanned.
DOCUMENTS_CLAMD_ADDRESS = env("CLAMD_ADDRESS")
DOCUMENTS_CLAMD_TIMEOUT = float(env("CLAMD_TIMEOUT", "30"))

# --- Applications ---------------------------------------------------------------------------
# The address people reach the portal at, for links in notifications sent by the worker.
APPLICATIONS_PUBLIC_URL = env("PUBLIC_URL", "http://127.0.0.1:8000")
# Seconds a process keeps a service's form and workflow in memory: a form or workflow loaded by
# another process is used for new applications within this time.
APPLICATIONS_SETUP_TTL = float(env("APPLICATIONS_SETUP_TTL", "10"))
