"""System checks for configuration that is wrong but not fatal."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=False)
def check_callback_tokens(app_configs, **kwargs):
    errors = []
    tokens = settings.CALLBACK_TOKENS
    if not tokens:
        errors.append(
            Warning(
                "CALLBACK_TOKENS is empty: every Vibes callback will be answered 404.",
                hint="Set CALLBACK_TOKENS to one or more long random strings (comma-separated).",
                id="subscribers.W001",
            )
        )
    elif any(len(t) < 24 for t in tokens):
        errors.append(
            Warning(
                "A callback token is shorter than 24 characters and could be guessed.",
                hint="Use `python -c 'import secrets; print(secrets.token_urlsafe(32))'`.",
                id="subscribers.W002",
            )
        )
    return errors


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
                hint="Set the Vibes API credentials, or point VIBES_API_URL at the simulator.",
                id="subscribers.W003",
            )
        ]
    if settings.VIBES_RATE_LIMIT <= 0:
        return [Warning("VIBES_RATE_LIMIT must be above 0.", id="subscribers.W004")]
    return []
