"""subscription_added and subscription_removed: one person on one list, newest event wins.

A removal for a reason that says the number itself is gone (``DEAD_NUMBER_REASONS``:
disconnected, failing at the carrier, carrier no longer served) ends every list for it and
marks the number as no longer the person's; a later subscription from Vibes for the same
person is the fresh opt-in that makes it theirs again (subscribers/services/revocation.py).
"""

from subscribers import services
from subscribers.models import DEAD_NUMBER_REASONS

from ..models import CallbackEvent
from ..parsing import obj, parse_timestamp, text
from .base import (
    SOURCE,
    Outcome,
    confirm_new_number,
    list_named,
    occurred,
    person_named,
    state_outcome,
)


def _campaign(sub: dict) -> str:
    return text(obj(sub.get("acquisition_campaign")).get("id"), 64)


def subscription_added(event: CallbackEvent) -> Outcome:
    sub = obj(event.payload.get("subscription"))
    opt_in = parse_timestamp(sub.get("opt_in_date"))
    occurred_at = occurred(event, opt_in)
    confirm_new_number(event, obj(sub.get("person")), occurred_at)
    person = person_named(event, obj(sub.get("person")), occurred_at)
    change = services.subscription_activate(
        person=person,
        subscription_list=list_named(sub),
        source=SOURCE,
        occurred_at=occurred_at,
        opt_in_date=opt_in or occurred_at,
        acquisition_campaign_id=_campaign(sub),
        callback=event,
    )
    if change.applied:
        services.person_number_revive(
            person=person,
            source=SOURCE,
            occurred_at=occurred_at,
            callback=event,
            note="number valid again: subscribed in Vibes",
        )
    return state_outcome(change, person)


def subscription_removed(event: CallbackEvent) -> Outcome:
    sub = obj(event.payload.get("subscription"))
    opt_out = parse_timestamp(sub.get("opt_out_date"))
    occurred_at = occurred(event, opt_out)
    person = person_named(event, obj(sub.get("person")), occurred_at)
    reason = text(sub.get("opt_out_reason"), 64)
    change = services.subscription_cancel(
        person=person,
        subscription_list=list_named(sub),
        source=SOURCE,
        occurred_at=occurred_at,
        opt_in_date=parse_timestamp(sub.get("opt_in_date")),
        opt_out_date=opt_out or occurred_at,
        opt_out_reason=reason,
        acquisition_campaign_id=_campaign(sub),
        callback=event,
    )
    if change.applied and reason.lower() in DEAD_NUMBER_REASONS:
        services.person_number_dead(
            person=person, reason=reason.lower(), occurred_at=occurred_at, callback=event
        )
    return state_outcome(change, person)
