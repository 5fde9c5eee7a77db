"""The Vibes API, the callback endpoint, and the local simulator's limits."""

from .base import env
from .security import SITE_URL

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

# Callback registrations (callbacks/registration.py, README "Callback registrations"). The
# short or long codes phones text, each with its country code, as "code:country" separated
# by commas (52623:1,18005551234:1): one unmatched-message registration each, made with the
# parent company key that owns the codes (docs/vibes.md, "Callbacks"). The limit is how many
# registrations Vibes takes per account; what does not fit is named to staff.
VIBES_SOURCE_CODES = env.list("VIBES_SOURCE_CODES", default=[])
VIBES_PARENT_COMPANY_KEY = env.str("VIBES_PARENT_COMPANY_KEY", default="") or VIBES_COMPANY_KEY
VIBES_CALLBACK_LIMIT = env.int("VIBES_CALLBACK_LIMIT", default=50)
# Where Vibes reaches the callback endpoint, for the registrations made by the worker (a
# new list, the daily repair); the command takes --base-url instead.
VIBES_CALLBACK_BASE_URL = env.str("VIBES_CALLBACK_BASE_URL", default="") or SITE_URL
# How often beat compares Vibes' registrations with the plan (a registration deleted in
# Vibes' UI is made again): daily.
VIBES_REGISTRATION_REPAIR_SECONDS = env.int("VIBES_REGISTRATION_REPAIR_SECONDS", default=86400)
# Requests a second the sweep of lists without an opt-out callback may use
# (subscribers/repair/uncovered.py); 0 turns it off.
VIBES_UNCOVERED_BUDGET = env.float("VIBES_UNCOVERED_BUDGET", default=VIBES_RATE_LIMIT / 10)
VIBES_UNCOVERED_SWEEP_SECONDS = env.int("VIBES_UNCOVERED_SWEEP_SECONDS", default=60)

# The Vibes simulator (`manage.py vibes_simulator`, development only): Vibes' own limits by
# default (README, "The Vibes simulator"; times in seconds). 0 turns a limit off.
SIM_RATE_LIMIT = env.float("SIM_RATE_LIMIT", default=100.0)  # requests/s, then 429
SIM_CALLBACK_LIMIT = env.int("SIM_CALLBACK_LIMIT", default=50)  # callback registrations
SIM_DELIVERY_TIMEOUT = env.float("SIM_DELIVERY_TIMEOUT", default=2.0)  # seconds per callback
# The Event API's known event types (API-triggered campaigns), each NAME or NAME=template;
# empty: prefs_number_code and prefs_preference_link (simulator/texts.py).
SIM_EVENT_TYPES = env.list("SIM_EVENT_TYPES", default=[])
SIM_RETRY_SCHEDULE = env.list("SIM_RETRY_SCHEDULE", cast=float, default=[10, 60, 180, 600])
