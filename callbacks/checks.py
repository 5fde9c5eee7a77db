"""System checks for the callback endpoint's configuration."""

import ipaddress

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from subscribers.checks import DEV_HINT

from .plan import parse_source_codes


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


@register()
def check_callback_registrations(app_configs, **kwargs):
    """What the registration plan (callbacks/plan.py) needs: readable source codes, at
    least one outside development (else no texted revocation reaches us), a positive limit."""
    errors = []
    try:
        codes = parse_source_codes(settings.VIBES_SOURCE_CODES)
    except ValueError as exc:
        errors.append(
            Error(
                f"VIBES_SOURCE_CODES: {exc}.",
                hint="Comma-separated code:country_code pairs, e.g. 52623:1,18005551234:1.",
                id="callbacks.E002",
            )
        )
    else:
        if not codes and not settings.DEBUG:
            errors.append(
                Warning(
                    "VIBES_SOURCE_CODES is empty: no unmatched_message_received is registered, "
                    "so a revocation texted in words that are no keyword never reaches us.",
                    hint="Set the short or long codes phones text, e.g. VIBES_SOURCE_CODES=52623:1 "
                    "(and VIBES_PARENT_COMPANY_KEY when another company key owns them).",
                    id="callbacks.W003",
                )
            )
    if settings.VIBES_CALLBACK_LIMIT < 1:
        errors.append(
            Error(
                f"VIBES_CALLBACK_LIMIT is {settings.VIBES_CALLBACK_LIMIT}: nothing would be "
                "registered, not even the lists' opt-outs.",
                hint="Leave it at Vibes' 50 unless Vibes told you otherwise.",
                id="callbacks.E003",
            )
        )
    return errors
