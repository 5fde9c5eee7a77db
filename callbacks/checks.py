"""System checks for the callback endpoint's configuration."""

import ipaddress

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from subscribers.checks import DEV_HINT


@register(Tags.security)
def check_callback_allowed_ips(app_configs, **kwargs):
    errors = []
    for cidr in settings.CALLBACK_ALLOWED_IPS:
        try:
            ipaddress.ip_network(cidr.strip(), strict=False)
        except ValueError:
            errors.append(
                Error(
                    f"CALLBACK_ALLOWED_IPS has {cidr!r}, which is not an address or CIDR.",
                    hint="Use comma-separated CIDRs, e.g. 35.155.139.143/32,52.32.61.199/32.",
                    id="callbacks.E001",
                )
            )
    return errors


@register(Tags.security, deploy=False)
def check_callback_tokens(app_configs, **kwargs):
    errors = []
    tokens = settings.CALLBACK_TOKENS
    if not tokens:
        errors.append(
            Warning(
                "CALLBACK_TOKENS is empty: every Vibes callback will be answered 404.",
                hint=DEV_HINT
                if settings.DEBUG
                else "Set CALLBACK_TOKENS to one or more long random strings (comma-separated).",
                id="callbacks.W001",
            )
        )
    elif any(len(t) < 24 for t in tokens):
        errors.append(
            Warning(
                "A callback token is shorter than 24 characters and could be guessed.",
                hint="Use `python -c 'import secrets; print(secrets.token_urlsafe(32))'`.",
                id="callbacks.W002",
            )
        )
    return errors
