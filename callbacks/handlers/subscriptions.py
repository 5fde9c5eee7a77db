"""subscription_added and subscription_removed: one person on one list, newest event wins."""

from subscribers import services

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
    return state_outcome(change, person)


def subscription_removed(event: CallbackEvent) -> Outcome:
    sub = obj(event.payload.get("subscription"))
    opt_out = parse_timestamp(sub.get("opt_out_date"))
    occurred_at = occurred(event, opt_out)
    person = person_named(event, obj(sub.get("person")), occurred_at)
    change = services.subscription_cancel(
        person=person,
        subscription_list=list_named(sub),
        source=SOURCE,
        occurred_at=occurred_at,
        opt_in_date=parse_timestamp(sub.get("opt_in_date")),
        opt_out_date=opt_out or occurred_at,
        opt_out_reason=text(sub.get("opt_out_reason"), 64),
        acquisition_campaign_id=_campaign(sub),
        callback=event,
    )
    return state_outcome(change, person)
