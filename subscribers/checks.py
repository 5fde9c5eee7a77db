"""System checks for the Vibes API configuration and the public base URL."""

import re

from django.conf import settings
from django.core.checks import Error, Warning, register

# In development these settings come from `make run`; a shell of its own has none.
DEV_HINT = (
    "This shell has none of what `make run` sets. Start `make run` (commands in another "
    "terminal then read its settings from var/dev.env), or set them here."
)


@register()
def check_vibes_credentials(app_configs, **kwargs):
    missing = [
        name
        for name in ("VIBES_COMPANY_KEY", "VIBES_USERNAME", "VIBES_PASSWORD")
        if not getattr(settings, name)
    ]
    if missing:
        return [
            Warning(
                f"{', '.join(missing)} not set: changes will queue but cannot reach Vibes.",
                hint=DEV_HINT
                if settings.DEBUG
                else "Set the Vibes API credentials, or point VIBES_API_URL at the simulator.",
                id="subscribers.W003",
            )
        ]
    if settings.VIBES_RATE_LIMIT <= 0:
        return [Warning("VIBES_RATE_LIMIT must be above 0.", id="subscribers.W004")]
    return []


@register()
def check_site_url(app_configs, **kwargs):
    """Links in texts are built on SITE_URL: outside development they must be https, or
    a 30-day preference token travels in clear text."""
    if settings.DEBUG or settings.SITE_URL.startswith("https://"):
        return []
    return [
        Warning(
            f"SITE_URL is {settings.SITE_URL!r}, not https: preference links sent to people "
            "would carry their token in clear text.",
            hint="Set SITE_URL to the public https:// address of this service.",
            id="subscribers.W005",
        )
    ]


@register()
def check_number_code_sender(app_configs, **kwargs):
    """A new number is proved by a code texted to it (services/proofs.py): with the
    default sender, which only logs, nobody receives the code and no number can change."""
    if settings.DEBUG or settings.NUMBER_CODE_SENDER != "subscribers.services.proofs.log_sender":
        return []
    return [
        Warning(
            "NUMBER_CODE_SENDER only logs: nobody receives the code that proves a new number, "
            "so numbers cannot be changed.",
            hint="Point NUMBER_CODE_SENDER at a send(*, person, mdn, code) that queues the text.",
            id="subscribers.W006",
        )
    ]


@register()
def check_company_name(app_configs, **kwargs):
    if settings.COMPANY_NAME:
        return []
    return [
        Warning(
            "COMPANY_NAME is not set: the preference pages cannot say who sends the texts.",
            hint="Set COMPANY_NAME to the name subscribers know the sender by.",
            id="subscribers.W007",
        )
    ]


EVENT_TYPE_SETTINGS = ("VIBES_EVENT_TYPE_NUMBER_CODE", "VIBES_EVENT_TYPE_PREFERENCE_LINK")
# docs/vibes.md, "Texts of our own": an event type is letters, digits, "-" and "_".
EVENT_TYPE = re.compile(r"[A-Za-z0-9_-]{1,64}")


@register()
def check_event_types(app_configs, **kwargs):
    """Our own texts (the code proving a new number, a link asked for by number) go out
    through Vibes' Event API, one API-triggered campaign per event type: with none set,
    they only go to the log."""
    found = []
    bad = [
        name
        for name in EVENT_TYPE_SETTINGS
        if getattr(settings, name) and not EVENT_TYPE.fullmatch(getattr(settings, name))
    ]
    if bad:
        found.append(
            Error(
                f"{', '.join(bad)}: an event type is letters, digits, '-' and '_' only.",
                hint="Use the event type of the API-triggered campaign exactly as set in Vibes.",
                id="subscribers.E020",
            )
        )
    missing = [name for name in EVENT_TYPE_SETTINGS if not getattr(settings, name)]
    if missing and not settings.DEBUG:
        found.append(
            Warning(
                f"{', '.join(missing)} not set: those texts of our own are only logged, "
                "nobody receives them.",
                hint="Create an API-triggered campaign in Vibes for each text and set its "
                "event type here (README, 'Sending texts of our own').",
                id="subscribers.W020",
            )
        )
    return found


@register()
def check_suppression_key(app_configs, **kwargs):
    """The suppression list keeps erased numbers as hashes keyed with SUPPRESSION_KEY
    (subscribers/suppression.py): without a key of its own nothing can be erased safely,
    and the public development key would let anyone reverse the hashes."""
    if settings.DEBUG:
        return []
    if settings.SUPPRESSION_KEY in ("", settings.DEV_SUPPRESSION_KEY):
        return [
            Error(
                "SUPPRESSION_KEY is not set (or is the public development key): erased "
                "numbers cannot be kept on the suppression list.",
                hint=(
                    "Set SUPPRESSION_KEY to a long random value of its own (not SECRET_KEY), "
                    "e.g. `python -c 'import secrets; print(secrets.token_urlsafe(50))'`; "
                    "when rotating it, put the old value in SUPPRESSION_KEYS_PREVIOUS."
                ),
                id="subscribers.E007",
            )
        ]
    return []


# Caches that count per process (or not at all, or not atomically): the text limits of
# subscribers/limits.py would hold per web worker only.
PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
    "django.core.cache.backends.filebased.FileBasedCache",
)


@register()
def check_shared_cache(app_configs, **kwargs):
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.DEBUG or backend not in PER_PROCESS_CACHES:
        return []
    return [
        Warning(
            f"The cache is {backend.rsplit('.', 1)[-1]}: each web process counts the text "
            "limits on its own, so N workers send N times the texts a limit allows.",
            hint="Unset CACHE_URL (the database or REDIS_URL's Redis is used), or point it "
            "at Redis.",
            id="subscribers.W008",
        )
    ]
