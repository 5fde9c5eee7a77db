"""Every HTTP call a push makes, kept as a ``PushAttempt`` with its numbers masked and the
content of our own texts (an event's ``event_data`` besides the number) withheld."""

import copy

from django.utils import timezone

from ..phone import mask
from .models import Push, PushAttempt


def attempt_recorder(push: Push):
    """A Vibes client observer that stores each HTTP call of ``push``."""

    def record(method, path, payload, response, error, ms):
        PushAttempt.objects.create(
            push=push,
            started_at=timezone.now() - timezone.timedelta(milliseconds=ms),
            method=method,
            path=path[:500],
            request_body=masked(payload),
            http_status=(response.status if response else getattr(error, "status", None)),
            error=scrub(str(error), secrets_of(payload))[:2000] if error else "",
            duration_ms=ms,
        )

    return record


WITHHELD = "(withheld)"


def masked(payload):
    """A request body as kept: the number in ``mobile_phone.mdn`` or ``event_data.mdn``
    masked, every other value of ``event_data`` (a code, a link) withheld."""
    if not isinstance(payload, dict):
        return payload
    shown = copy.deepcopy(payload)
    phone = shown.get("mobile_phone")
    if isinstance(phone, dict) and phone.get("mdn"):
        phone["mdn"] = mask(phone["mdn"])
    data = shown.get("event_data")
    if isinstance(data, dict):
        shown["event_data"] = {
            key: mask(value) if key == "mdn" and isinstance(value, str) else WITHHELD
            for key, value in data.items()
        }
    return shown


def secrets_of(payload) -> list[str]:
    """What an event carries that must never be kept: the values of its ``event_data``
    besides the number, and the last part of a link (its token) on its own."""
    data = payload.get("event_data") if isinstance(payload, dict) else None
    if not isinstance(data, dict):
        return []
    found = []
    for key, value in data.items():
        if key != "mdn" and isinstance(value, str | int) and len(str(value)) >= 4:
            found.append(str(value))
            tail = str(value).rstrip("/").rpartition("/")[2]
            if tail != str(value) and len(tail) >= 16:
                found.append(tail)
    return found


def scrub(text: str, hidden: list[str]) -> str:
    for value in sorted(hidden, key=len, reverse=True):
        text = text.replace(value, WITHHELD)
    return text
