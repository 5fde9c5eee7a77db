"""Vibes' answers as exception types, so callers branch on meaning, not on status codes.

Vibes' 4xx bodies are usually ``{"errors": [{"message": "...", "code": N}]}``, but some
404/409 answers have no body at all, and 409 means three different things depending on
the operation. The client picks the type from the operation and the body together.
"""

import json
from email.utils import parsedate_to_datetime

from django.utils import timezone


class VibesError(Exception):
    """Any answer from Vibes that is not a success. ``retryable`` tells the push task
    whether trying again later can help."""

    retryable = False

    def __init__(self, message: str = "", *, status: int | None = None, code=None, body=""):
        self.status = status
        self.code = code
        self.body = body
        self.message = message or (f"HTTP {status}" if status else "Vibes error")
        super().__init__(self.message)

    def __str__(self):
        prefix = f"HTTP {self.status}: " if self.status else ""
        suffix = f" ({self.code})" if self.code not in (None, "") else ""
        return f"{prefix}{self.message}{suffix}"


class BadRequest(VibesError):
    """400, e.g. "Invalid MDN format"."""


class NotFound(VibesError):
    """404. On unsubscribe it also means "not subscribed", which callers treat as done."""


class Conflict(VibesError):
    """409: one of three meanings, told apart by ``reason``."""

    reason = "conflict"


class MdnCannotChange(Conflict):
    """Update person with a different number: Vibes never changes a person's MDN."""

    reason = "mdn_cannot_change"


class MdnBelongsToAnotherPerson(Conflict):
    """Add person with a number (or external id) that another Vibes person holds."""

    reason = "mdn_belongs_to_another_person"


class AlreadySubscribed(Conflict):
    """Add participant for someone already subscribed to the campaign's list."""

    reason = "already_subscribed"


class Unprocessable(VibesError):
    """422 other than a confirmation block: landline, unsupported carrier,
    EXTERNALPERSONIDMISMATCH, unknown custom fields…"""


class ConfirmationBlocked(Unprocessable):
    """422 MDNHASCONFIRMATIONBLOCK: the number once answered "No" to this campaign."""


class RateLimited(VibesError):
    """429. ``retry_after`` (seconds) is set when Vibes sent a Retry-After header."""

    retryable = True

    def __init__(self, *args, retry_after: float | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.retry_after = retry_after


class CredentialsRefused(VibesError):
    """401 or 403: Vibes refuses our username, password or company key. Not the push's
    fault: every push would meet it, so the outbox waits for them to work again
    (``outbox.access``) rather than stopping each push."""


class Transient(VibesError):
    """5xx, a timeout, a refused or reset connection: worth trying again later."""

    retryable = True


def parse_error_body(text: str) -> tuple[str, object]:
    """Return ``(message, code)`` from an error body; tolerate empty or odd bodies."""
    if not text or not text.strip():
        return "", None
    try:
        data = json.loads(text)
    except ValueError:
        return text.strip()[:300], None
    errors = data.get("errors") if isinstance(data, dict) else data
    if isinstance(errors, list) and errors:
        first = errors[0]
        if isinstance(first, dict):
            return str(first.get("message") or "")[:300], first.get("code")
        return str(first)[:300], None
    if isinstance(data, dict):
        message = data.get("message") or data.get("error") or ""
        return str(message)[:300], data.get("code")
    return "", None


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, (when - timezone.now()).total_seconds())
