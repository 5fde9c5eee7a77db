"""The suppression list: numbers erased at a person's request, never to be texted again.

A number is kept only as ``number_hash`` (HMAC-SHA256 keyed with ``SUPPRESSION_KEY``), so
the list proves nothing about whose number it was, yet recognises it when it comes back.
``flag`` records that it came back (``SuppressionHit``) for staff to see; the services
call it where a number is named (subscribers/services/subscriptions.py, persons.py).
This module reads and writes only its own models: the services may import it.
"""

import hashlib
import hmac
from collections.abc import Iterable

from django.conf import settings

from . import phone
from .models import Person, SuppressedNumber, SuppressionHit


def _canonical(mdn: str | None) -> str:
    """The number as hashed: E.164 when it reads as one, so "+1 415…" and "+1415…" match."""
    if not mdn:
        return ""
    return phone.normalize_from_vibes(str(mdn)) or str(mdn).strip()


def number_hash(mdn: str) -> str:
    """The keyed hash a suppressed number is kept as (hex, 64 characters)."""
    value = _canonical(mdn)
    if not value:
        raise ValueError("A number is needed to hash it.")
    key = settings.SUPPRESSION_KEY.encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def is_suppressed(mdn: str | None) -> bool:
    if not _canonical(mdn):
        return False
    return SuppressedNumber.objects.filter(number_hash=number_hash(mdn)).exists()


def suppressed_among(mdns: Iterable[str | None]) -> set[str]:
    """Which of ``mdns`` (as given) are suppressed, in one query."""
    by_hash: dict[str, list[str]] = {}
    for mdn in mdns:
        if _canonical(mdn):
            by_hash.setdefault(number_hash(mdn), []).append(mdn)
    if not by_hash:
        return set()
    found = SuppressedNumber.objects.filter(number_hash__any=list(by_hash)).values_list(
        "number_hash", flat=True
    )
    return {mdn for h in found for mdn in by_hash[h]}


def suppress(mdn: str, *, person: Person | None = None) -> SuppressedNumber:
    """Put ``mdn`` on the suppression list (once; a second call returns the same entry)."""
    entry, _created = SuppressedNumber.objects.get_or_create(
        number_hash=number_hash(mdn), defaults={"person": person}
    )
    return entry


def flag(
    mdn: str | None,
    *,
    source: str,
    what: str,
    refused: bool = False,
    person: Person | None = None,
    subscription_list=None,
) -> SuppressionHit | None:
    """When ``mdn`` is suppressed, record that it was named again; None when it is not.
    (Vibes' echoes about the erased record itself never get here: services/erasure.py.)"""
    if not _canonical(mdn):
        return None
    entry = SuppressedNumber.objects.filter(number_hash=number_hash(mdn)).first()
    if entry is None:
        return None
    return SuppressionHit.objects.create(
        suppressed=entry,
        source=source,
        what=what[:64],
        refused=refused,
        person=person if person is not None and person.pk else None,
        subscription_list=subscription_list,
    )
