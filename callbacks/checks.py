"""System checks for the callback endpoint's configuration."""

import ipaddress

from django.conf import settings
from django.core.checks import Error, Tags, register


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
