"""wisemind settings: one module, every machine-specific value read from the environment.

``WISEMIND_ENV`` selects the mode:

* ``production`` (the default, so that a forgotten variable fails safe): requires
  ``SECRET_KEY``, ``ALLOWED_HOSTS`` and ``DATABASE_URL``; secure cookies, HSTS and
  HTTPS redirects are on; demo relaxations are refused.
* ``development``: what the README's run command uses (embedded SQLite, console
  e-mail, DEBUG on, demo staff may skip TOTP set-up when
  ``WISEMIND_DEMO_RELAX_STAFF_2FA`` is on).
* ``test``: what the test suite uses (fast hashing, in-memory e-mail, tasks run
  immediately).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from core.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

ENV = env_str("WISEMIND_ENV", "production")
if ENV not in {"production", "development", "test"}:
    raise ImproperlyConfigured(
        f"WISEMIND_ENV must be production, development or test, got {ENV!r}."
    )
IS_PRODUCTION = ENV == "production"
DEBUG = ENV == "development" and env_bool("WISEMIND_DEBUG", True)

DATA_DIR = Path(env_str("WISEMIND_DATA_DIR", str(BASE_DIR / "var")))

if IS_PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY", "")
    if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure"):
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random value of at least 50 characters in production."
        )
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production.")
else:
    SECRET_KEY = env_str(
        "SECRET_KEY",
        "dev-only-key-not-for-production-3f9c1e7a5b2d4c6e8f0a1b3c5d7e9f1a",
    )
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The public address used in e-mails (invitations, password resets).
SITE_URL = env_str("WISEMIND_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "auditlog",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "core",
    "accounts",
    "care",
    "audit",
    "safety",
    "diary",
    "ema",
    "skills",
    "chains",
    "coaching",
    "measures",
    "dashboard",
    "reports",
    "analytics",
    "research",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.ApiErrorShapeMiddleware",
    "core.middleware.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before the idle time-out, which leaves a message when it logs a session out.
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "core.middleware.IdleTimeoutMiddleware",
    "core.middleware.UserPreferencesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "audit.middleware.ChangeLogMiddleware",
    # django-axes must come last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.shell",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------

DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = env_str(
    "DATABASE_URL", "" if IS_PRODUCTION else f"sqlite:///{DATA_DIR / 'wisemind.sqlite3'}"
)
if not DATABASE_URL:
    raise ImproperlyConfigured("DATABASE_URL must be set in production.")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; IMMEDIATE transactions take the
    # write lock up front so that concurrent writers wait instead of failing.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
if env_str("WISEMIND_TEST_DB_NAME", ""):
    # Lets several test runs share one PostgreSQL server without colliding.
    DATABASES["default"]["TEST"] = {"NAME": env_str("WISEMIND_TEST_DB_NAME")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -----------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if ENV == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3  # also the lifetime of an invitation link

# Lock an account for a while after repeated failed log-ins (django-axes).
AXES_FAILURE_LIMIT = env_int("WISEMIND_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("WISEMIND_LOCKOUT_MINUTES", 15))
# Lock the account (not the address): a clinic's shared IP must not lock out colleagues.
# Address-level rate limits belong at the reverse proxy; see docs/decisions/0004-lockout.md.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "wisemind"

# Demo staff may skip TOTP set-up in development only; production refuses the setting.
DEMO_RELAX_STAFF_2FA = env_bool("WISEMIND_DEMO_RELAX_STAFF_2FA", False)
if IS_PRODUCTION and DEMO_RELAX_STAFF_2FA:
    raise ImproperlyConfigured(
        "WISEMIND_DEMO_RELAX_STAFF_2FA is a demo setting and is refused in production."
    )

# --- Sessions and security headers --------------------------------------------------------

IDLE_TIMEOUT = timedelta(minutes=env_int("WISEMIND_IDLE_TIMEOUT_MINUTES", 30))
SESSION_COOKIE_AGE = 60 * 60 * 12  # absolute upper bound; idle time-out is shorter
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "core.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if IS_PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("WISEMIND_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("WISEMIND_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env_bool("WISEMIND_BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "worker-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Requests larger than this are refused with 413 before any view reads them.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("WISEMIND_MAX_REQUEST_BYTES", 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# --- Internationalisation -----------------------------------------------------------------

LANGUAGE_CODE = "en"
LOCALE_PATHS = [BASE_DIR / "locale"]
# English, plus every language with a compiled catalogue in locale/<code>/LC_MESSAGES:
# adding a translation is adding its file (``wisemind makemessages -l es``, translate,
# ``wisemind compilemessages``); nothing else changes.
LANGUAGES = [("en", _("English"))] + [
    (path.parent.parent.name, LANG_INFO[path.parent.parent.name]["name_local"])
    for path in sorted(LOCALE_PATHS[0].glob("*/LC_MESSAGES/django.mo"))
    if path.parent.parent.name in LANG_INFO and path.parent.parent.name != "en"
]
TIME_ZONE = env_str("WISEMIND_DEFAULT_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # vendor/plotly/plotly.min.js, straight from the installed plotly wheel (ADR 0021).
    "analytics.staticfiles.PlotlyFinder",
]

# --- E-mail -------------------------------------------------------------------------------

DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "wisemind <no-reply@example.org>")
if IS_PRODUCTION:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = 20
else:
    # Outside production another backend may be named (for example Django's file backend
    # with EMAIL_FILE_PATH, to read what a staging worker would have sent).
    EMAIL_BACKEND = env_str(
        "EMAIL_BACKEND",
        "django.core.mail.backends.locmem.EmailBackend"
        if ENV == "test"
        else "django.core.mail.backends.console.EmailBackend",
    )
    EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(DATA_DIR / "mail"))

# --- Cache (API rate limits, sessions stay in the database) ---------------------------------

# With several web processes, point REDIS_URL at a shared Redis so that rate limits
# count across all of them; without it each process counts on its own.
REDIS_URL = env_str("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Background work (Django Tasks API, database backend) ---------------------------------

TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if ENV == "test"
            else "django_tasks_db.DatabaseBackend"
        )
    }
}

# --- Web push (VAPID) ---------------------------------------------------------------------

# In production set both keys (generate them once with 'wisemind vapid_keys --print').
# An environment line holds one line, so the private key is its PEM text base64-encoded
# (a PEM with real line breaks, or with "\n" written out, is read as well); the public key
# is the base64url application server key browsers subscribe with. In development the
# run command creates a key pair under WISEMIND_DATA_DIR (vapid.json) instead.
VAPID_PRIVATE_KEY = env_str("WISEMIND_VAPID_PRIVATE_KEY", "")
VAPID_PUBLIC_KEY = env_str("WISEMIND_VAPID_PUBLIC_KEY", "")
VAPID_CONTACT = env_str("WISEMIND_VAPID_CONTACT", "mailto:admin@example.org")

# --- wisemind -----------------------------------------------------------------------------

API_TOKEN_DEFAULT_DAYS = env_int("WISEMIND_API_TOKEN_DEFAULT_DAYS", 90)
API_TOKEN_MAX_DAYS = env_int("WISEMIND_API_TOKEN_MAX_DAYS", 365)
# Requests per user to the API (a django-ninja throttle rate: "<n>/s|m|h|d").
API_RATE_LIMIT = env_str("WISEMIND_API_RATE_LIMIT", "1200/m")
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 200
# The name Django Ninja reads for the largest page_size a client may ask for (without it
# Ninja's own default of 100 applies).
NINJA_MAX_PER_PAGE_SIZE = NINJA_PAGINATION_MAX_PER_PAGE_SIZE
BREAK_GLASS_DURATION = timedelta(minutes=env_int("WISEMIND_BREAK_GLASS_MINUTES", 60))
# How many reverse proxies in front of the app append to X-Forwarded-For (0 = trust none).
TRUSTED_PROXY_COUNT = env_int("WISEMIND_TRUSTED_PROXY_COUNT", 0)
# Whose crisis numbers a visitor who is not signed in sees (blank: the only organisation).
DEFAULT_ORGANISATION_SLUG = env_str("WISEMIND_DEFAULT_ORGANISATION", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("WISEMIND_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},
    },
}
