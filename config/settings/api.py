"""The company API (api/) and its outgoing webhooks (webhooks/)."""

from .base import REST_FRAMEWORK, env

#: Requests per client, counted in the shared cache (CACHE_URL): "600/min", "20/second".
API_THROTTLE_RATE = env.str("API_THROTTLE_RATE", default="600/min")

REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] = "drf_spectacular.openapi.AutoSchema"

SPECTACULAR_SETTINGS = {
    "TITLE": "Vibes preference center API",
    "DESCRIPTION": (
        "For the company's other systems: ask whether a number may be texted, record "
        "opt-ins and opt-outs, read and change persons. Send `Authorization: Bearer <key>`; "
        "every error is RFC 9457 problem details with a `code`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["api.schema.api_paths_only"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.strict_request_bodies",
    ],
    # The reference page's script from this server (drf-spectacular-sidecar), not a CDN.
    "REDOC_DIST": "SIDECAR",
}

#: Seconds between delivery attempts of a webhook; after the last one the delivery has
#: failed (about a day in all) and its endpoint is disabled until staff enable it again.
WEBHOOK_RETRY_DELAYS = env.list(
    "WEBHOOK_RETRY_DELAYS",
    cast=int,
    default=[5, 30, 120, 600, 1800, 3600, 7200, 14400, 28800, 28800],
)
#: Seconds a webhook receiver has to answer.
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=10.0)
#: Pairs (endpoint, person) the periodic sweep hands to the workers at most, per run.
WEBHOOK_SWEEP_LIMIT = env.int("WEBHOOK_SWEEP_LIMIT", default=1000)
#: How often the sweep looks for deliveries due (a retry, a publish the broker missed).
WEBHOOK_SWEEP_SECONDS = env.float("WEBHOOK_SWEEP_SECONDS", default=30.0)
#: Days an event is kept once no delivery waits for it (its body names a number).
WEBHOOK_KEEP_DAYS = env.int("WEBHOOK_KEEP_DAYS", default=30)
