"""The core: the environment, DEBUG and the secret key, apps, middleware, the database.

Safe by default: DEBUG is off unless the environment says ``DEBUG=1`` (``make run``, the
tests and Procfile.dev say so), and with DEBUG off a missing SECRET_KEY, or the public
development key, stops start-up. Local defaults otherwise just work (SQLite, an embedded
Celery broker); softer misconfiguration surfaces as system checks (``subscribers.checks``,
``callbacks.checks``).
"""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# A second terminal next to `make run` may read what `make run` set (its ports, the
# simulator's credentials, the callback token, DEBUG) from the file its preflight writes
# (simulator/management/commands/dev_ready.py), but only when it asks: DEV_ENV=1, as the
# commands `make run` prints say. Never by itself: a start with nothing configured must
# stop at the missing SECRET_KEY, not run in DEBUG with the public key because a
# developer's file lies in the checkout. What the shell sets wins.
DEV_ENV_FILE = os.environ.get("DEV_ENV_FILE", str(VAR_DIR / "dev.env"))
if os.environ.get("DEV_ENV") == "1" and DEV_ENV_FILE and Path(DEV_ENV_FILE).is_file():
    environ.Env.read_env(DEV_ENV_FILE)

DEBUG = env.bool("DEBUG", default=False)

_DEV_SECRET_KEY = "dev-only-insecure-secret-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default="")
if not DEBUG and SECRET_KEY in ("", _DEV_SECRET_KEY):
    raise ImproperlyConfigured(
        (
            "SECRET_KEY must be set when DEBUG is off"
            if not SECRET_KEY
            else "SECRET_KEY is the public development key, refused when DEBUG is off"
        )
        + ". Generate one with `python -c 'import secrets; print(secrets.token_urlsafe(50))'`"
        ", or set DEBUG=1 for local development."
    )
SECRET_KEY = SECRET_KEY or _DEV_SECRET_KEY

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])

INSTALLED_APPS = [
    "config.apps.VibesAdminConfig",  # django.contrib.admin with the site of config/admin.py
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",  # admin sign-in throttling (config/settings/security.py)
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "subscribers",
    "callbacks",
    "api",
    "webhooks",
]
if DEBUG:
    # The local Vibes and its demo data (vibes_simulator, demo_data, dev_ready) are for
    # development and tests only: a production configuration does not install them.
    INSTALLED_APPS.append("simulator")

# ModelBackend's rules, with a user's permissions read in one query (config/auth.py); in
# front of it django-axes refuses a sign-in while its user and address are locked out.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "config.auth.OneQueryPermissionsBackend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # CONTENT_SECURITY_POLICY, config/settings/security.py
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.UnencodableReplacedMiddleware",  # no 500 for a stored lone surrogate
    # Last, as django-axes asks: turns a refused sign-in into its lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.company",
            ],
        },
    },
]

# Database: SQLite file by default. Persistent connections are health-checked so that a
# database restart costs no failed request (docs/architecture.md, "Pitfalls").
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
else:
    # WAL and a busy timeout let web, worker and beat share the SQLite file. IMMEDIATE
    # transactions take the write lock at BEGIN, where the busy timeout waits for it: a
    # deferred transaction that read first fails its first write at once with "database
    # is locked" when another process committed meanwhile (seen with worker + web).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
}

# Cache: the rate limits' counts (subscribers/limits.py) and the admin's short-lived
# figures. Shared by every process by default, so that a limit holds under several web
# workers: CACHE_URL when set; else Redis at REDIS_URL under a key prefix of its own (its
# clear() removes only those keys: the database is the Celery broker's too); else a table
# in the database (created by `migrate`, see subscribers/apps.py). Both count atomically
# (config/cache.py). A per-process cache (locmem://) outside DEBUG is a system check's error.
CACHE_TABLE = "vibes_cache"
if env.str("CACHE_URL", default=""):
    CACHES = {"default": env.cache_url("CACHE_URL")}
elif env.str("REDIS_URL", default=""):
    CACHES = {
        "default": {
            "BACKEND": "config.cache.SharedRedisCache",
            "LOCATION": env.str("REDIS_URL"),
            "KEY_PREFIX": "vibes-cache",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "config.cache.CountingDatabaseCache", "LOCATION": CACHE_TABLE}}
