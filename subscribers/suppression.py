"""The suppression list: numbers erased at a person's request, never to be texted again.

A number is kept only as ``number_hash`` (HMAC-SHA256 keyed with ``SUPPRESSION_KEY``), so
the list proves nothing about whose number it was, yet recognises it when it comes back.
The key is its own setting: rotating ``SECRET_KEY`` changes nothing here. Rotating it is
safe too: a number hashed with a key of ``SUPPRESSION_KEYS_PREVIOUS`` (or, from before the
key had to be set, with the key derived from ``SECRET_KEY``/``SECRET_KEY_FALLBACKS``) is
still recognised, and its row is re-hashed with the current key when it is.

``flag`` records that a number came back (``SuppressionHit``) for staff to see, one open
row per number however often it comes back; the services call it where a number is named
(subscribers/services/subscriptions.py, persons.py, proofs.py).
This module reads and writes only its own models: the services may import it.
"""

import hashlib
import hmac
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from . import phone
from .models import Person, SuppressedNumber, SuppressionHit


def _canonical(mdn: str | None) -> str:
    """The number as hashed: E.164 when it reads as one, so "+1 415…" and "+1415…" match."""
    if not mdn:
        return ""
    return phone.normalize_from_vibes(str(mdn)) or str(mdn).strip()


def current_key() -> str:
    if not settings.SUPPRESSION_KEY:
        # An unkeyed (or empty-keyed) hash of a phone number is reversed by trying them all.
        raise ImproperlyConfigured("SUPPRESSION_KEY is not set (system check subscribers.E007).")
    return settings.SUPPRESSION_KEY


def _keys() -> list[str]:
    """The current key first, then every earlier one still recognised."""
    legacy = [
        hashlib.sha256(f"suppression:{secret}".encode()).hexdigest()
        for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
        if secret
    ]
    keys = [current_key(), *settings.SUPPRESSION_KEYS_PREVIOUS, *legacy]
    return list(dict.fromkeys(k for k in keys if k))


def _hmac(key: str, value: str) -> str:
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()


def number_hash(mdn: str) -> str:
    """The keyed hash a suppressed number is kept as (hex, 64 characters)."""
    value = _canonical(mdn)
    if not value:
        raise ValueError("A number is needed to hash it.")
    return _hmac(current_key(), value)


def _hashes(mdn: str) -> list[str]:
    """``mdn``'s hash under every recognised key, the current one first."""
    value = _canonical(mdn)
    return [_hmac(key, value) for key in _keys()]


def _entry(mdn: str) -> SuppressedNumber | None:
    """The list's row for ``mdn``, re-hashed with the current key if an earlier one made it."""
    hashes = _hashes(mdn)
    entry = SuppressedNumber.objects.filter(number_hash__in=hashes).order_by("id").first()
    if entry is not None and entry.number_hash != hashes[0]:
        _rehash(entry, hashes[0])
    return entry


def _rehash(entry: SuppressedNumber, current: str) -> None:
    try:
        with transaction.atomic():
            SuppressedNumber.objects.filter(pk=entry.pk).update(number_hash=current)
    except IntegrityError:
        return  # a row under the current key exists already: both are recognised
    entry.number_hash = current


def is_suppressed(mdn: str | None) -> bool:
    if not _canonical(mdn):
        return False
    return _entry(mdn) is not None


def suppressed_among(mdns: Iterable[str | None]) -> set[str]:
    """Which of ``mdns`` (as given) are suppressed, in one query."""
    by_hash: dict[str, list[str]] = {}
    for mdn in mdns:
        if _canonical(mdn):
            for h in _hashes(mdn):
                by_hash.setdefault(h, []).append(mdn)
    if not by_hash:
        return set()
    found = SuppressedNumber.objects.filter(number_hash__any=list(by_hash)).values_list(
        "number_hash", flat=True
    )
    return {mdn for h in found for mdn in by_hash[h]}


def suppress(mdn: str, *, person: Person | None = None) -> SuppressedNumber:
    """Put ``mdn`` on the suppression list (once; a second call returns the same entry)."""
    entry = _entry(mdn)
    if entry is not None:
        return entry
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

    One open (unreviewed) row per number: a number named again while its row waits for
    staff counts one more ``tries`` on it, so a script trying a number a thousand times
    adds nothing to the queue. A hit that was applied (``refused=False``: Vibes already
    had it) outweighs refused ones and takes over the row's description.
    (Vibes' echoes about the erased record itself never get here: services/erasure.py.)"""
    if not _canonical(mdn):
        return None
    entry = _entry(mdn)
    if entry is None:
        return None
    described = {
        "source": source,
        "what": what[:64],
        "refused": refused,
        "person": person if person is not None and person.pk else None,
        "subscription_list": subscription_list,
    }
    open_hits = SuppressionHit.objects.filter(suppressed=entry, reviewed_at__isnull=True)
    for _attempt in range(2):
        hit = open_hits.first()
        if hit is None:
            try:
                with transaction.atomic():
                    return SuppressionHit.objects.create(suppressed=entry, **described)
            except IntegrityError:
                continue  # a concurrent try made the open row: count on it
        update = {"tries": F("tries") + 1, "last_seen_at": timezone.now()}
        if not refused:
            update.update(described)
        open_hits.filter(pk=hit.pk).update(**update)
        for name, value in {**update, "tries": hit.tries + 1}.items():
            setattr(hit, name, value)
        return hit
    raise AssertionError("unreachable: the open row exists after an IntegrityError")
