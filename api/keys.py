"""API keys: made here, shown once, kept as a prefix and a SHA-256 digest.

A key is ``vpc_<prefix>_<secret>``: the prefix (8 URL-safe characters) finds the row with
one indexed lookup, the secret (43 characters, 256 bits from ``secrets``) makes guessing
hopeless, so a plain SHA-256 is enough to keep it (no slow hash is needed for a random
secret of that size) and the comparison is constant-time.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import ApiClient, ApiKey

PREFIX = "vpc"
#: A key's last use is written at most this often: not one UPDATE per request.
LAST_USED_EVERY = timedelta(minutes=5)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_issue(*, client: ApiClient, created_by: str = "") -> str:
    """Make a new key for ``client`` and return it: the only time it is seen whole."""
    while True:
        prefix = secrets.token_urlsafe(6)[:8]
        if "_" not in prefix and not ApiKey.objects.filter(prefix=prefix).exists():
            break
    key = f"{PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    ApiKey.objects.create(client=client, prefix=prefix, key_hash=digest(key), created_by=created_by)
    return key


def keys_revoke(*, keys) -> int:
    """Revoke ``keys`` (a queryset) now; returns how many were live."""
    return keys.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


def key_rotate(*, client: ApiClient, created_by: str = "") -> str:
    """A new key for ``client``, every older one revoked in the same transaction."""
    with transaction.atomic():
        keys_revoke(keys=ApiKey.objects.filter(client=client))
        return key_issue(client=client, created_by=created_by)


def key_client(presented: str) -> ApiClient | None:
    """The active client a live key belongs to, or None for anything else."""
    parts = presented.split("_")
    if len(parts) < 3 or parts[0] != PREFIX or len(presented) > 200:
        return None
    row = ApiKey.objects.usable().select_related("client").filter(prefix=parts[1]).first()
    if row is None or not hmac.compare_digest(row.key_hash, digest(presented)):
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_EVERY:
        ApiKey.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.client
