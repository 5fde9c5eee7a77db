"""Every HTTP call a push makes, kept as a ``PushAttempt`` with its numbers masked."""

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
            error=str(error)[:2000] if error else "",
            duration_ms=ms,
        )

    return record


def masked(payload):
    """A request body as kept: the number in ``mobile_phone.mdn`` masked."""
    if not isinstance(payload, dict):
        return payload
    shown = copy.deepcopy(payload)
    phone = shown.get("mobile_phone")
    if isinstance(phone, dict) and phone.get("mdn"):
        phone["mdn"] = mask(phone["mdn"])
    return shown
