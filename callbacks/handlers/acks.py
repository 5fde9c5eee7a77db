"""ack_participant_added (PENDING) and ack_participant_changed (CONFIRMED or REJECTED).

The list is the one fed by the acquisition campaign. A campaign no local list names is
not a transient problem: the event is ignored with that explanation, and can be replayed
once staff set the campaign on the list.
"""

from functools import partial

from subscribers import services
from subscribers.models import Subscription, SubscriptionEvent, SubscriptionList

from ..models import CallbackEvent
from ..parsing import obj, parse_timestamp, text
from .base import (
    SOURCE,
    Outcome,
    Status,
    confirm_new_number,
    identity_of,
    occurred,
    person_named,
    state_outcome,
)

ACTIONS = {
    # Not subscription_request, which skips a person already active: Vibes sends PENDING
    # only when it texted a confirmation, and an older one must be kept as superseded.
    "PENDING": partial(services.subscription_set_state, status=Subscription.Status.PENDING),
    "CONFIRMED": partial(
        services.subscription_activate, kind=SubscriptionEvent.Kind.OPTIN_CONFIRMED
    ),
    "REJECTED": services.subscription_reject,
}


def ack_participant(event: CallbackEvent) -> Outcome:
    participant = obj(event.payload.get("participant"))
    campaign_id = text(obj(participant.get("acquisition_campaign")).get("id"), 64)
    status = text(participant.get("status")).upper()
    if not status:
        status = "PENDING" if event.callback_type == "ack_participant_added" else ""
    action = ACTIONS.get(status)
    if action is None:
        note = f"Participant status {status or '(none)'!r} not handled."
        return Outcome(Status.IGNORED, note=note)
    sub_list = SubscriptionList.objects.filter(acquisition_campaign_id=campaign_id).first()
    if not campaign_id or sub_list is None:
        return Outcome(
            Status.IGNORED,
            note=f"No subscription list has acquisition campaign {campaign_id or '(none)'!r}; "
            "set it on the list and replay this event.",
        )
    participated = parse_timestamp(participant.get("participation_date"))
    occurred_at = occurred(event, participated)
    person_data = obj(participant.get("person"))
    waiting = services.person_awaiting_number(identity_of(person_data))
    # The request's deadline at Vibes: past it, the expiry sweep ends it here too.
    expires = parse_timestamp(participant.get("expire_date"))
    if waiting is not None and status == "PENDING":
        if expires:
            services.person_number_expires_at(person=waiting, expires_at=expires)
        return Outcome(
            Status.APPLIED,
            note="The confirmation text went to the new number this person asked for.",
            person=waiting,
        )
    if waiting is not None and status == "REJECTED":
        services.person_withdraw_number(
            person=waiting,
            mdn=waiting.pending_mdn,
            reason="replied_no",
            source=SOURCE,
            callback=event,
            occurred_at=occurred_at,
        )
        return Outcome(
            Status.APPLIED,
            note="The new number replied No: the request to switch to it was dropped.",
            person=waiting,
        )
    if status == "CONFIRMED":
        confirm_new_number(event, person_data, occurred_at)
    person = person_named(event, person_data, occurred_at)
    extra = {"opt_in_date": participated or occurred_at} if status == "CONFIRMED" else {}
    if status == "PENDING" and expires:
        extra["confirm_by"] = expires
    change = action(
        person=person,
        subscription_list=sub_list,
        source=SOURCE,
        occurred_at=occurred_at,
        acquisition_campaign_id=campaign_id,
        callback=event,
        **extra,
    )
    return state_outcome(change, person)
