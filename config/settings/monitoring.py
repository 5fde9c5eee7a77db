"""Stalls, monitoring and logging."""

from .base import env

# Stalls (config/stalls.py): when a figure shown on /healthz/stalls, /metrics and the admin
# index is a problem. A silence of 0 turns that check off (an account that rarely changes).
STALL_BACKLOG_SECONDS = env.int("STALL_BACKLOG_SECONDS", default=300)
STALL_PUSH_SECONDS = env.int("STALL_PUSH_SECONDS", default=300)
STALL_CALLBACK_SILENCE_SECONDS = env.int("STALL_CALLBACK_SILENCE_SECONDS", default=86400)
# The worker or beat not seen for this long is down (subscribers/heartbeat.py).
STALL_HEARTBEAT_SECONDS = env.int("STALL_HEARTBEAT_SECONDS", default=300)
MONITORING_TOKEN = env.str("MONITORING_TOKEN", default="")

# Every handler carries the credential filter (config/logsafe.py): callback and preference
# tokens travel in URL paths, which Django's loggers write on every 4xx/5xx. Django's own
# default handlers ("django": console and mail_admins; "django.server") are replaced by
# this one, so none writes unfiltered; Celery's worker handlers get it in config/celery.py.
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
# The development server's line per request (``django.server``) only when asked for:
# in `make run` it pushed the ready banner off the screen. Its 4xx and 5xx lines are
# warnings and errors, so they still show.
ACCESS_LOG = env.bool("ACCESS_LOG", default=False)
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
        "django.server": {
            "handlers": [],
            "level": LOG_LEVEL if ACCESS_LOG else "WARNING",
            "propagate": True,
        },
    },
}
