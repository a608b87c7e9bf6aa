"""Settings, read from the environment. Defaults give one embedded process on SQLite."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("MUTUA_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """Use SECRET_KEY from the environment, or one generated once and kept under var/."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
SITE_URL = os.environ.get("SITE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '8000')}")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "huey.contrib.djhuey",
    "mutua.core",
    "mutua.people",
    "mutua.communities",
    "mutua.notify",
    "mutua.exchange",
    "mutua.matching",
    "mutua.care",
    "mutua.ledger",
    "mutua.trust",
    "mutua.api",
    "mutua.web",
    "mutua.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "mutua.communities.middleware.CommunityTimeZoneMiddleware",
]

AUTH_USER_MODEL = "people.User"
ROOT_URLCONF = "mutua.urls"
WSGI_APPLICATION = "mutua.wsgi.application"

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
                "django.template.context_processors.i18n",
                "mutua.web.context.site",
                "mutua.notify.context.unread",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
SQLITE_PATH = VAR_DIR / "mutua.sqlite3"
SQLITE_OPTIONS = {
    # Every atomic() takes the write lock up front, so writers queue instead of failing.
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    # synchronous=NORMAL under WAL: see docs/decisions/0003-sqlite-durability.md.
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        " PRAGMA cache_size=-65536;"
    ),
}
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{SQLITE_PATH}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Jobs -----------------------------------------------------------------------
HUEY_URL = os.environ.get("HUEY_URL", "")
if HUEY_URL.startswith("redis"):
    HUEY: dict = {
        "huey_class": "huey.RedisHuey",
        "name": "mutua",
        "url": HUEY_URL,
        "immediate": False,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "mutua",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": False,  # djhuey would follow DEBUG; the consumer refuses immediate mode.
    }
HUEY["consumer"] = {"workers": 2, "worker_type": "thread", "periodic": True}
WORKER_STALE_AFTER_SECONDS = int(os.environ.get("WORKER_STALE_AFTER_SECONDS", "300"))
# /health answers 503 when the care sweep has not run for this long while plans exist, or when
# a plan has failed (or waited past its due time) for longer than CARE_PLAN_STUCK_AFTER_SECONDS.
CARE_SWEEP_STALE_AFTER_SECONDS = int(os.environ.get("CARE_SWEEP_STALE_AFTER_SECONDS", "300"))
CARE_PLAN_STUCK_AFTER_SECONDS = int(os.environ.get("CARE_PLAN_STUCK_AFTER_SECONDS", "900"))
MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "6"))
MATCHING_CACHE_SECONDS = float(os.environ.get("MATCHING_CACHE_SECONDS", "60"))
MUTUA_SIGNUP_OPEN = os.environ.get("SIGNUP_OPEN", "1").lower() not in ("0", "false", "no", "off")

# --- Cache ------------------------------------------------------------------------
if cache_url := os.environ.get("CACHE_URL"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": cache_url}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "mutua_cache",
        }
    }

# --- Accounts (django-allauth) ----------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SIGNUP_FORM_CLASS = "mutua.people.forms.SignupForm"
ACCOUNT_ADAPTER = "mutua.people.adapter.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Mutua] "
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
LOGIN_REDIRECT_URL = "web:dashboard"
LOGIN_URL = "account_login"

# --- E-mail -----------------------------------------------------------------------
_email_url = os.environ.get("EMAIL_URL", "file://" + str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Mutua <noreply@mutua.local>")
if _email_url.startswith("console:"):
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
elif _email_url.startswith("file://"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = _email_url.removeprefix("file://")
else:
    from urllib.parse import unquote, urlparse

    _u = urlparse(_email_url)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _u.hostname or "127.0.0.1"
    EMAIL_PORT = _u.port or 25
    EMAIL_HOST_USER = unquote(_u.username or "")
    EMAIL_HOST_PASSWORD = unquote(_u.password or "")
    EMAIL_USE_TLS = _u.scheme == "smtp+tls"
    EMAIL_USE_SSL = _u.scheme == "smtps"
    EMAIL_TIMEOUT = 20

# --- Notifications (mutua.notify) ---------------------------------------------------
# SMS go out as a signed JSON POST to a gateway you run or rent (see docs/operations.md).
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_SECRET = os.environ.get("SMS_GATEWAY_SECRET", "")
SMS_SIGNATURE_WINDOW_SECONDS = int(os.environ.get("SMS_SIGNATURE_WINDOW_SECONDS", "300"))
NOTIFY_DAILY_CAP = int(os.environ.get("NOTIFY_DAILY_CAP", "10"))
NOTIFY_MAX_ATTEMPTS = int(os.environ.get("NOTIFY_MAX_ATTEMPTS", "6"))


def _reply_address_default(from_email: str) -> str:
    """reply@<the domain DEFAULT_FROM_EMAIL sends from>."""
    from email.utils import parseaddr

    domain = parseaddr(from_email)[1].rpartition("@")[2]
    return f"reply@{domain}" if domain else ""


# E-mail replies to check-in messages (see docs/operations.md, "E-mail replies"). Care
# e-mails get Reply-To: <local>+<signed token>@<domain>; REPLY_ADDRESS="" turns replies off.
MUTUA_REPLY_ADDRESS = os.environ.get("REPLY_ADDRESS", _reply_address_default(DEFAULT_FROM_EMAIL))
MUTUA_REPLY_TOKEN_MAX_AGE_SECONDS = int(
    os.environ.get("REPLY_TOKEN_MAX_AGE_SECONDS", str(3 * 24 * 3600))
)
MUTUA_REPLY_MAX_BYTES = int(os.environ.get("REPLY_MAX_BYTES", str(10 * 1024 * 1024)))
MUTUA_MAIL_RECEIVE_PORT = int(os.environ.get("MAIL_RECEIVE_PORT", "2525"))
EMAIL_INBOUND_SECRET = os.environ.get("EMAIL_INBOUND_SECRET", "")

# --- Internationalisation --------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [Path(os.environ.get("MUTUA_LOCALE_PATH", BASE_DIR / "locale"))]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Security ------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if env_bool("HTTPS"):
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Every task run would be two INFO lines a minute; the consumer's start-up stays.
        "huey": {
            "handlers": ["console"],
            "level": os.environ.get("HUEY_LOG_LEVEL", "WARNING"),
            "propagate": False,
        },
        "huey.consumer": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "huey.consumer.Scheduler": {"level": os.environ.get("HUEY_LOG_LEVEL", "WARNING")},
    },
}
