"""The Vibes API, the callback endpoint, and the local simulator's limits."""

from .base import env

# Vibes API
VIBES_API_URL = env.str("VIBES_API_URL", default="https://public-api.vibescm.com").rstrip("/")
VIBES_COMPANY_KEY = env.str("VIBES_COMPANY_KEY", default="")
VIBES_USERNAME = env.str("VIBES_USERNAME", default="")
VIBES_PASSWORD = env.str("VIBES_PASSWORD", default="")
VIBES_RATE_LIMIT = env.float("VIBES_RATE_LIMIT", default=50.0)
# The Event API (POST /companies/{ck}/events, docs/vibes.md "Texts of our own") has its own
# budget of 300 requests a second beside the rest of the API's; half of it by default, as
# VIBES_RATE_LIMIT is half of the API's 100.
VIBES_EVENT_RATE_LIMIT = env.float("VIBES_EVENT_RATE_LIMIT", default=150.0)
# The event types of the API-triggered campaigns staff set up in Vibes for our own texts:
# the one-time code proving a new number, and a preference link asked for by number. Set,
# each becomes the default sender of its text (config/settings/pages.py).
VIBES_EVENT_TYPE_NUMBER_CODE = env.str("VIBES_EVENT_TYPE_NUMBER_CODE", default="")
VIBES_EVENT_TYPE_PREFERENCE_LINK = env.str("VIBES_EVENT_TYPE_PREFERENCE_LINK", default="")
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


# The Vibes simulator (`manage.py vibes_simulator`, development only): Vibes' own limits by
# default (README, "The Vibes simulator"; times in seconds). 0 turns a limit off.
SIM_RATE_LIMIT = env.float("SIM_RATE_LIMIT", default=100.0)  # requests/s, then 429
SIM_CALLBACK_LIMIT = env.int("SIM_CALLBACK_LIMIT", default=50)  # callback registrations
SIM_DELIVERY_TIMEOUT = env.float("SIM_DELIVERY_TIMEOUT", default=2.0)  # seconds per callback
# The Event API's known event types (API-triggered campaigns), each NAME or NAME=template;
# empty: prefs_number_code and prefs_preference_link (simulator/texts.py).
SIM_EVENT_TYPES = env.list("SIM_EVENT_TYPES", default=[])
SIM_RETRY_SCHEDULE = env.list("SIM_RETRY_SCHEDULE", cast=float, default=[10, 60, 180, 600])
