"""One settings module, read from the environment.

Safe by default: DEBUG is off unless the environment says ``DEBUG=1`` (``make run``, the
tests and Procfile.dev say so), and with DEBUG off a missing SECRET_KEY, or the public
development key, stops start-up. Local defaults otherwise just work (SQLite, an embedded
Celery broker); softer misconfiguration surfaces as system checks (``subscribers.checks``,
``callbacks.checks``).
"""

import hashlib
import os
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# A second terminal next to `make run` reads what `make run` set (its ports, the simulator's
# credentials, the callback token, DEBUG), from the file its preflight writes
# (simulator/management/commands/dev_ready.py); what the shell itself sets wins. Read only
# where no SECRET_KEY is set, so a deployment never picks it up; DEV_ENV_FILE= turns it off.
# `make run` itself (DEV_ENV_WRITER=1) takes everything from make, never from an older file.
DEV_ENV_FILE = os.environ.get("DEV_ENV_FILE", str(VAR_DIR / "dev.env"))
_READS_DEV_ENV = "SECRET_KEY" not in os.environ and os.environ.get("DEV_ENV_WRITER") != "1"
if DEV_ENV_FILE and _READS_DEV_ENV and Path(DEV_ENV_FILE).is_file():
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
    "rest_framework",
    "subscribers",
    "callbacks",
]
if DEBUG:
    # The local Vibes and its demo data (vibes_simulator, demo_data, dev_ready) are for
    # development and tests only: a production configuration does not install them.
    INSTALLED_APPS.append("simulator")

# ModelBackend's rules, with a user's permissions read in one query (config/auth.py).
AUTHENTICATION_BACKENDS = ["config.auth.OneQueryPermissionsBackend"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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

# The public base URL: links printed outside a request are built on it, and links built
# from a request take its scheme (subscribers/preferences/links.py), so a TLS proxy that
# does not say X-Forwarded-Proto still yields https links.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
_SITE = urlsplit(SITE_URL)
SITE_IS_HTTPS = _SITE.scheme == "https"

# Security. HTTPS_ONLY turns on the redirect, secure cookies and HSTS; it defaults to on
# when DEBUG is off. Off serves production settings over plain HTTP (behind a
# TLS-terminating proxy or on loopback); cookies stay Secure when SITE_URL is https.
HTTPS_ONLY = env.bool("HTTPS_ONLY", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS_ONLY
SESSION_COOKIE_SECURE = HTTPS_ONLY or SITE_IS_HTTPS
CSRF_COOKIE_SECURE = HTTPS_ONLY or SITE_IS_HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS_ONLY else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS_ONLY
SECURE_HSTS_PRELOAD = HTTPS_ONLY
# The header a TLS-terminating proxy sets, as "HEADER,value" (e.g.
# "HTTP_X_FORWARDED_PROTO,https"); empty trusts none. Only a proxy that overwrites the
# header may be trusted with it: a client could send it itself.
_PROXY_SSL_HEADER = env.str(
    "SECURE_PROXY_SSL_HEADER", default="HTTP_X_FORWARDED_PROTO,https" if HTTPS_ONLY else ""
)
if _PROXY_SSL_HEADER:
    _header, _sep, _value = _PROXY_SSL_HEADER.partition(",")
    if not _header.strip() or not _value.strip():
        raise ImproperlyConfigured(
            'SECURE_PROXY_SSL_HEADER must read "HEADER,value", e.g. "HTTP_X_FORWARDED_PROTO,https".'
        )
    SECURE_PROXY_SSL_HEADER = (_header.strip(), _value.strip())
else:
    SECURE_PROXY_SSL_HEADER = None
# Origins whose form posts are accepted (Django's CSRF origin check); SITE_URL's own by
# default, so the admin login works when the proxy's scheme or host differs from the
# request Django sees.
CSRF_TRUSTED_ORIGINS = env.list(
    "CSRF_TRUSTED_ORIGINS",
    default=[f"{_SITE.scheme}://{_SITE.netloc}"] if _SITE.scheme and _SITE.netloc else [],
)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not HTTPS_ONLY and not DEBUG:
    # Deliberately served over plain HTTP: silence the checks that only make sense for TLS
    # (HSTS, the redirect) and, when SITE_URL is not https either, the cookie flags.
    SILENCED_SYSTEM_CHECKS = ["security.W004", "security.W008"]
    if not SESSION_COOKIE_SECURE:
        SILENCED_SYSTEM_CHECKS += ["security.W012", "security.W016"]

# Vibes API
VIBES_API_URL = env.str("VIBES_API_URL", default="https://public-api.vibescm.com").rstrip("/")
VIBES_COMPANY_KEY = env.str("VIBES_COMPANY_KEY", default="")
VIBES_USERNAME = env.str("VIBES_USERNAME", default="")
VIBES_PASSWORD = env.str("VIBES_PASSWORD", default="")
VIBES_RATE_LIMIT = env.float("VIBES_RATE_LIMIT", default=50.0)
VIBES_TIMEOUT = (
    env.float("VIBES_CONNECT_TIMEOUT", default=3.05),
    env.float("VIBES_READ_TIMEOUT", default=10.0),
)

# Callback security
CALLBACK_TOKENS = env.list("CALLBACK_TOKENS", default=[])
CALLBACK_ALLOWED_IPS = env.list("CALLBACK_ALLOWED_IPS", default=[])
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
CALLBACK_MAX_BODY_BYTES = env.int("CALLBACK_MAX_BODY_BYTES", default=256 * 1024)
# One apply run's bound (callbacks/apply.py): well inside the soft time limit in
# config/celery.py, so a large backlog is applied by a chain of runs, none cut off.
CALLBACK_APPLY_RUN_SECONDS = env.float("CALLBACK_APPLY_RUN_SECONDS", default=45.0)
CALLBACK_APPLY_RUN_MAX = env.int("CALLBACK_APPLY_RUN_MAX", default=5000)
# Events claimed and decided together by a run (callbacks/batch/); 0 applies them one by one.
CALLBACK_APPLY_BATCH = env.int("CALLBACK_APPLY_BATCH", default=500)

# Preference pages (SITE_URL is read with the security settings above)
# The company that sends the texts, named on every subscriber page and in its title; a
# system check warns when it is unset outside DEBUG.
COMPANY_NAME = env.str("COMPANY_NAME", default="Demo Store" if DEBUG else "")
PREFERENCE_LINK_MAX_AGE_DAYS = env.int("PREFERENCE_LINK_MAX_AGE_DAYS", default=30)
PHONE_DEFAULT_REGION = env.str("PHONE_DEFAULT_REGION", default="US")
# Limits on texts we make Vibes send (subscribers/limits.py): per destination number, per
# person asking and per source address (IPv6 by /64), each per day; and the countries
# whose numbers are texted at all (ISO region codes).
TEXT_LIMIT_PER_NUMBER = env.int("TEXT_LIMIT_PER_NUMBER", default=3)
TEXT_LIMIT_PER_PERSON = env.int("TEXT_LIMIT_PER_PERSON", default=5)
TEXT_LIMIT_PER_ADDRESS = env.int("TEXT_LIMIT_PER_ADDRESS", default=10)
TEXT_ALLOWED_REGIONS = env.list("TEXT_ALLOWED_REGIONS", default=[PHONE_DEFAULT_REGION])
# Who texts the one-time code that proves a new number (subscribers/services/proofs.py): a
# dotted path to send(*, person, mdn, code); it must queue, not do HTTP. The default logs.
NUMBER_CODE_SENDER = env.str("NUMBER_CODE_SENDER", default="subscribers.services.proofs.log_sender")
NUMBER_CODE_MAX_AGE_MINUTES = env.int("NUMBER_CODE_MAX_AGE_MINUTES", default=15)
# Who delivers a new link asked for by number: a dotted path to send(*, person, url).
PREFERENCE_LINK_SENDER = env.str(
    "PREFERENCE_LINK_SENDER", default="subscribers.preferences.link_requests.log_sender"
)
# Every "text me a new link" answer takes at least this long, known number or not.
PREFERENCE_LINK_REQUEST_MIN_SECONDS = env.float("PREFERENCE_LINK_REQUEST_MIN_SECONDS", default=0.4)

# Cache (rate limits of the link-request form). Per process by default; with several web
# processes set CACHE_URL (e.g. redis://host:6379/2) to share the counts. Use a Redis
# database of its own: the cache's clear() empties the whole database.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

# Celery. With REDIS_URL unset, kombu's filesystem transport: a real worker runs with no
# broker server. Results are never read, so none are stored.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_EMBEDDED_BROKER_DIR = VAR_DIR / "broker"
PUSH_MAX_BACKOFF_SECONDS = 300  # the longest countdown any task is given
# Pushes to Vibes (subscribers.outbox / subscribers.tasks).
PUSH_DEBOUNCE_SECONDS = env.float("PUSH_DEBOUNCE_SECONDS", default=1.0)  # edits coalesce
PUSH_RETRY_BASE_SECONDS = env.float("PUSH_RETRY_BASE_SECONDS", default=2.0)
PUSH_MAX_ATTEMPTS = env.int("PUSH_MAX_ATTEMPTS", default=8)  # then failed, retried slowly
PUSH_PUBLISH_TIMEOUT = env.float("PUSH_PUBLISH_TIMEOUT", default=1.0)  # a save never waits more
PUSH_BROKER_BACKOFF_SECONDS = env.float("PUSH_BROKER_BACKOFF_SECONDS", default=10.0)
PUSH_LEASE_SECONDS = env.int("PUSH_LEASE_SECONDS", default=150)  # > task_time_limit
PUSH_STALE_SECONDS = env.int("PUSH_STALE_SECONDS", default=120)  # pending this long: re-queue
PUSH_SWEEP_INTERVAL_SECONDS = env.float("PUSH_SWEEP_INTERVAL_SECONDS", default=60.0)
PUSH_FAILED_RETRY_SECONDS = env.int("PUSH_FAILED_RETRY_SECONDS", default=3600)
# While Vibes refuses our credentials (401/403), how often to ask whether it accepts them
# again (subscribers/outbox/access.py); pushes wait meanwhile and resume by themselves.
PUSH_ACCESS_PROBE_SECONDS = env.float("PUSH_ACCESS_PROBE_SECONDS", default=60.0)
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Well above any countdown (retry backoff is capped at PUSH_MAX_BACKOFF_SECONDS), so
        # Redis never re-delivers a task that is merely waiting, yet a quarter of the
        # default hour, so the unacked messages of a dead worker come back sooner.
        "visibility_timeout": 900,
        "socket_timeout": 5,
        "socket_connect_timeout": 3,
        "retry_on_timeout": True,
        "health_check_interval": 10,
    }
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_EMBEDDED_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_EMBEDDED_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_EMBEDDED_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_EMBEDDED_BROKER_DIR / "control"),
        "store_processed": False,
    }

CELERY_BEAT_SCHEDULE = {
    "push-sweep": {
        "task": "subscribers.tasks.push_sweep",
        "schedule": PUSH_SWEEP_INTERVAL_SECONDS,
    },
    "vibes-access-probe": {
        "task": "subscribers.tasks.vibes_access_probe",
        "schedule": PUSH_ACCESS_PROBE_SECONDS,
    },
    "push-retry-failed": {
        "task": "subscribers.tasks.push_retry_failed",
        "schedule": max(60.0, PUSH_FAILED_RETRY_SECONDS / 4),
    },
}

# Stalls (config/stalls.py): when a figure shown on /healthz/stalls, /metrics and the admin
# index is a problem. A silence of 0 turns that check off (an account that rarely changes).
STALL_BACKLOG_SECONDS = env.int("STALL_BACKLOG_SECONDS", default=300)
STALL_PUSH_SECONDS = env.int("STALL_PUSH_SECONDS", default=300)
STALL_CALLBACK_SILENCE_SECONDS = env.int("STALL_CALLBACK_SILENCE_SECONDS", default=86400)
MONITORING_TOKEN = env.str("MONITORING_TOKEN", default="")

# Every handler carries the credential filter (config/logsafe.py): callback and preference
# tokens travel in URL paths, which Django's loggers write on every 4xx/5xx. Django's own
# default handlers ("django": console and mail_admins; "django.server") are replaced by
# this one, so none writes unfiltered; Celery's worker handlers get it in config/celery.py.
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_credentials": {"()": "config.logsafe.CredentialFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["no_credentials"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.server": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
}

# Periodic tasks (celery beat). The callback sweep applies stored callbacks whose run was
# never queued or never ran (broker down, worker killed); see callbacks.tasks.
CELERY_BEAT_SCHEDULE |= {
    "callbacks-apply-received": {
        "task": "callbacks.tasks.callbacks_apply_received",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
}

# The Vibes simulator (`manage.py vibes_simulator`, development only): Vibes' own limits by
# default (README, "The Vibes simulator"; times in seconds). 0 turns a limit off.
SIM_RATE_LIMIT = env.float("SIM_RATE_LIMIT", default=100.0)  # requests/s, then 429
SIM_CALLBACK_LIMIT = env.int("SIM_CALLBACK_LIMIT", default=50)  # callback registrations
SIM_DELIVERY_TIMEOUT = env.float("SIM_DELIVERY_TIMEOUT", default=2.0)  # seconds per callback
SIM_RETRY_SCHEDULE = env.list("SIM_RETRY_SCHEDULE", cast=float, default=[10, 60, 180, 600])

# Compliance (README "Compliance"): SUPPRESSION_KEY keys the hash an erased number is kept
# as (subscribers/suppression.py). Derived from SECRET_KEY by default: set it before ever
# rotating SECRET_KEY, or the numbers suppressed so far are no longer recognised.
SUPPRESSION_KEY = (
    env.str("SUPPRESSION_KEY", default="")
    or hashlib.sha256(f"suppression:{SECRET_KEY}".encode()).hexdigest()
)
# Retention (subscribers/repair/retention.py): days until evidence and raw bodies are emptied.
RETENTION_CONSENT_DAYS = env.int("RETENTION_CONSENT_DAYS", default=4 * 365 + 1)
RETENTION_BODY_DAYS = env.int("RETENTION_BODY_DAYS", default=90)
RETENTION_BATCH_SIZE = env.int("RETENTION_BATCH_SIZE", default=1000)
RETENTION_MAX_BATCHES = env.int("RETENTION_MAX_BATCHES", default=50)
# Opt-out deadlines (subscribers/deadlines.py): a target for Vibes' confirmation; the FCC's.
OPTOUT_CONFIRM_TARGET_SECONDS = env.int("OPTOUT_CONFIRM_TARGET_SECONDS", default=300)
OPTOUT_DUE_BUSINESS_DAYS = env.int("OPTOUT_DUE_BUSINESS_DAYS", default=10)
# The drift sweep (subscribers/repair/drift.py) re-reads persons from Vibes within a budget
# of requests a second (a tenth of VIBES_RATE_LIMIT: pushes keep the rest); 0 turns it off.
VIBES_DRIFT_BUDGET = env.float("VIBES_DRIFT_BUDGET", default=VIBES_RATE_LIMIT / 10)
VIBES_DRIFT_SWEEP_SECONDS = env.int("VIBES_DRIFT_SWEEP_SECONDS", default=60)
VIBES_DRIFT_RECENT_HOURS = env.int("VIBES_DRIFT_RECENT_HOURS", default=24)
CELERY_BEAT_SCHEDULE |= {
    "retention-prune": {
        "task": "subscribers.tasks.retention_prune",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    "vibes-drift-sweep": {
        "task": "subscribers.tasks.vibes_drift_sweep",
        "schedule": float(max(VIBES_DRIFT_SWEEP_SECONDS, 10)),
        "options": {"expires": max(VIBES_DRIFT_SWEEP_SECONDS, 10)},
    },
}

# Confirmations that expire (subscribers/repair/expiry.py): a join or new number waiting for
# its "Y" past the campaign's expire date, else PENDING_CONFIRMATION_HOURS, ends as expired.
PENDING_CONFIRMATION_HOURS = env.int("PENDING_CONFIRMATION_HOURS", default=24)
PENDING_EXPIRY_SWEEP_SECONDS = env.int("PENDING_EXPIRY_SWEEP_SECONDS", default=300)
PENDING_EXPIRY_BATCH = env.int("PENDING_EXPIRY_BATCH", default=500)
CELERY_BEAT_SCHEDULE["pending-expire"] = {
    "task": "subscribers.tasks.pending_expire",
    "schedule": float(PENDING_EXPIRY_SWEEP_SECONDS),
    "options": {"expires": PENDING_EXPIRY_SWEEP_SECONDS},
}

# The worker's pool (config/celery.py): enough processes to keep VIBES_RATE_LIMIT's worth of
# pushes in flight while each waits on Vibes (Celery's default is one per CPU). Not threads:
# with Redis and late acks they take new messages only every few seconds. --pool wins.
CELERY_WORKER_POOL = env.str("CELERY_WORKER_POOL", default="prefork")
CELERY_WORKER_CONCURRENCY = env.int("CELERY_WORKER_CONCURRENCY", default=8)
