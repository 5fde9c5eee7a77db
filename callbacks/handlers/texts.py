"""event_processed: what Vibes did with an event we posted to its Event API, applied to
the text of ours it names (subscribers/outbox/texts.py).

Vibes' reference (docs/vibes.md, "Texts of our own") shows the envelope and
``event_processed {event_id, event_type, event_data, action {type, status, status_reason,
resource_url}}``: a routing success has ``status: processing``; a routing failure (no
route rules, person not found, not in the campaign's list, carrier not supported) or a
processing or delivery failure carries a failing status and its reason. Read defensively:
a status that says it failed, or a reason naming a failure, fails the text; a status
that says it is under way or done marks it sent; anything else is kept and changes nothing.
"""

from subscribers.models import Text
from subscribers.outbox.texts import text_settled

from ..models import CallbackEvent
from ..parsing import obj, text
from .base import Outcome, Status, occurred

FAILED = {"failed", "failure", "error", "rejected", "undeliverable", "not_sent"}
UNDER_WAY = {"processing", "processed", "success", "succeeded", "accepted", "queued", "sent"}
UNDER_WAY |= {"delivered", "delivered_to_handset", "delivered_to_carrier"}


def event_processed(event: CallbackEvent) -> Outcome:
    processed = obj(event.payload.get("event_processed"))
    event_id = text(processed.get("event_id"), 64)
    ours = Text.objects.filter(event_id=event_id).first() if event_id else None
    if ours is None:
        return Outcome(Status.IGNORED, note="Not an event of ours (no text with this event_id).")
    action = obj(processed.get("action"))
    status = text(action.get("status"), 64).lower()
    reason = text(action.get("status_reason"), 150) or status
    stage = text(action.get("type"), 32) or "routing"
    if status in FAILED or "fail" in status or "fail" in reason.lower():
        sent = False
    elif status in UNDER_WAY:
        sent = True
    else:
        return Outcome(
            Status.IGNORED,
            note=f"Status {status or '(none)'!r} of {stage} says neither sent nor failed.",
            person=ours.person,
        )
    why = f"Vibes, {stage}: {reason}"
    changed = text_settled(ours, sent=sent, reason=why, at=occurred(event))
    what = "sent" if sent else f"could not be sent ({why})"
    note = f"{ours.get_kind_display()} {what}" + ("" if changed else "; already recorded")
    return Outcome(Status.APPLIED, note=note, person=ours.person)
