"""Is this request from Vibes? The secret token in the URL and the source allowlist.

Vibes neither signs callbacks nor sends credentials (docs/vibes.md, "Callbacks"): an
unguessable token in the URL and Vibes' published source addresses are what there is.
"""

import hmac
import ipaddress
from functools import lru_cache

from django.conf import settings


def token_known(token: str) -> bool:
    """Constant-time comparison against every configured token (they can be rotated)."""
    given = token.encode()
    found = False
    for known in settings.CALLBACK_TOKENS:
        found |= hmac.compare_digest(given, known.encode())
    return found


@lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]):
    return tuple(ipaddress.ip_network(c.strip(), strict=False) for c in cidrs if c.strip())


@lru_cache(maxsize=256)
def _ip(address: str | None):
    """The address parsed, or None. Cached: callers are few (Vibes has six addresses), and
    parsing is a measurable share of the hot path."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return None
    return getattr(ip, "ipv4_mapped", None) or ip


def address_allowed(address: str | None) -> bool:
    cidrs = tuple(settings.CALLBACK_ALLOWED_IPS)
    if not cidrs:
        return True
    ip = _ip(address)
    if ip is None:
        return False
    return any(ip in net for net in _networks(cidrs) if net.version == ip.version)


def stored_address(address: str | None) -> str | None:
    """The address as the database column accepts it (X-Forwarded-For could hold anything,
    and some servers put a socket path in REMOTE_ADDR), else None."""
    ip = _ip(address)
    return str(ip) if ip is not None else None
