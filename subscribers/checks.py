"""System checks for the Vibes API configuration."""

from django.conf import settings
from django.core.checks import Warning, register


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
