"""Limits on every action that makes Vibes text someone: a new number's confirmation text.

An attacker with one preference link (or a script) could otherwise make Vibes text any
number again and again: toll fraud for premium numbers, harassment for the owners. Each
request counts against its destination number, the person asking and the source address
(an IPv6 address by its /64, which one subscriber line usually gets whole), per day; and
only numbers of the countries in ``TEXT_ALLOWED_REGIONS`` are texted at all.

Only what goes out is counted: a request refused by any limit takes back what it counted,
so refused asks cannot use up a number's day (locking its owner out of a number change)
nor a shared address's quota. Counts live in Django's cache, which every process shares
(config/settings/base.py: the database or Redis; ``incr`` is atomic, config/cache.py), under
keyed hashes: no number or address is stored in the clear. A broken cache lets a request
through and says so in the log: a limit must not take the page down.
"""

import hashlib
import hmac
import ipaddress
import logging

import phonenumbers
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

DAY = 86400


class TextRefused(Exception):  # noqa: N818 - an answer for the person, not a bug
    """The text was not sent; ``str(exc)`` says why, in words the person can act on."""


def address_key(ip: str | None) -> str:
    """The unit an address is counted in: an IPv6 address's /64, an IPv4 address whole."""
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return "unknown"
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def hit(kind: str, value: str, limit: tuple[int, int]) -> bool:
    """Count one request for ``value``; True while within ``limit`` (count, seconds). A
    request past the limit is not counted."""
    return take([(kind, value, limit)])


def take(counts: list[tuple[str, str, tuple[int, int]]]) -> bool:
    """Count one request against every ``(kind, value, (allowed, seconds))``: all of them
    when each is within its limit (True), none when any is past it (False).

    Each count is incremented first and taken back when one is over, rather than read
    first: two processes reading 4 of 5 would both go ahead. A refused request may make
    another one running at the same instant see a count one too high; never one too low."""
    taken = []
    try:
        for kind, value, (allowed, window) in counts:
            key = _key(kind, value)
            cache.add(key, 0, timeout=window)
            taken.append(key)
            if cache.incr(key) > allowed:
                for counted in taken:
                    cache.decr(counted)
                return False
    except Exception:  # noqa: BLE001 - any cache failure: fail open, but say so
        logger.warning("rate-limit cache unavailable; letting a request through")
        return True
    return True


def _key(kind: str, value: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()
    return f"limits:{kind}:{digest[:32]}"


def region_allowed(mdn: str) -> bool:
    try:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(mdn))
    except phonenumbers.NumberParseException:
        return False
    return region in settings.TEXT_ALLOWED_REGIONS


def text_allowed_or_raise(*, mdn: str, person_id: int | None, ip: str | None) -> None:
    """Count one text to ``mdn`` asked for by ``person_id`` from ``ip``; raise
    ``TextRefused`` when the country is not served or a limit is reached. The answer is
    the same whichever limit it was and whether the number is on file or not."""
    if not region_allowed(mdn):
        raise TextRefused(_("We can only text numbers in the countries we serve."))
    counts = [
        ("text-number", mdn, (settings.TEXT_LIMIT_PER_NUMBER, DAY)),
        ("text-person", str(person_id or "none"), (settings.TEXT_LIMIT_PER_PERSON, DAY)),
    ]
    if ip is not None:
        counts.append(("text-address", address_key(ip), (settings.TEXT_LIMIT_PER_ADDRESS, DAY)))
    if not take(counts):
        raise TextRefused(
            _("We can't send another confirmation text today. Please try again tomorrow.")
        )
