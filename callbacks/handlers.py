"""Apply one stored callback through the subscribers' services.

Each handler takes the ``CallbackEvent`` (already parsed) and returns an ``Outcome``. It
never saves a model itself: the services record history, and because the source is
``vibes_callback`` they suppress pushes, so nothing that came from Vibes goes back to it.
A handler raises for anything unexpected; ``callbacks.processing`` keeps the error.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.utils import timezone

from subscribers import services
from subscribers.models import Person, Source, Subscription, SubscriptionEvent, SubscriptionList
from subscribers.number_change import person_withdraw_number
from subscribers.services import VibesIdentity

from .models import CallbackEvent
from .parsing import mdn_of, obj, parse_timestamp, text

Status = CallbackEvent.Status
SOURCE = Source.VIBES_CALLBACK


@dataclass(frozen=True)
class Outcome:
    status: str
    note: str = ""
    person: Person | None = None


class Unprocessable(Exception):  # noqa: N818 - an outcome kept on the event, not a crash
    """The event is well-formed JSON but lacks what this type needs (e.g. a list id)."""


def identity_of(person: dict) -> VibesIdentity:
    return VibesIdentity(
        person_key=text(person.get("person_key"), 64) or None,
        vibes_person_id=text(person.get("id"), 64) or text(person.get("person_id"), 64) or None,
        external_person_id=(
            text(person.get("external_person_id"), 128) or text(person.get("external_id"), 128)
        )
        or None,
        mdn=mdn_of(person) or None,
    )


def _when(event: CallbackEvent, *fallbacks) -> datetime:
    """The event's own date, else the first usable fallback, else when we received it."""
    for candidate in (event.event_date, *fallbacks):
        if candidate:
            return candidate
    return event.received_at or timezone.now()


def _person(event: CallbackEvent, person: dict, occurred_at: datetime) -> Person:
    identity = identity_of(person)
    if not identity:
        raise Unprocessable("The event names no person (no id, person_key, external id or mdn).")
    found, _created = services.person_upsert_from_vibes(
        identity=identity, source=SOURCE, callback=event, occurred_at=occurred_at
    )
    return found


def _list(container: dict) -> SubscriptionList:
    list_id = text(obj(container.get("subscription_list")).get("id"), 64)
    if not list_id:
        raise Unprocessable("The event names no subscription list (subscription_list.id).")
    return services.subscription_list_upsert(list_id=list_id)[0]


def _state_outcome(change, person: Person) -> Outcome:
    if change is None or change.applied:
        return Outcome(Status.APPLIED, person=person)
    return Outcome(
        Status.SUPERSEDED,
        note="Older than a change already applied to this subscription; kept in history.",
        person=person,
    )


def _confirm_new_number(event: CallbackEvent, person_data: dict, occurred_at) -> bool:
    """Vibes subscribed (or got a Y for) the number a person asked to switch to: it
    becomes their number, on the Vibes person that holds it. Returns whether it did."""
    identity = identity_of(person_data).cleaned()
    waiting = services.person_awaiting_number(identity)
    if waiting is None:
        return False
    return services.person_confirm_number(
        person=waiting,
        mdn=identity.mdn,
        callback=event,
        occurred_at=occurred_at,
        person_key=identity.person_key,
        vibes_person_id=identity.vibes_person_id,
    )


def subscription_added(event: CallbackEvent) -> Outcome:
    sub = obj(event.payload.get("subscription"))
    opt_in = parse_timestamp(sub.get("opt_in_date"))
    occurred_at = _when(event, opt_in)
    _confirm_new_number(event, obj(sub.get("person")), occurred_at)
    person = _person(event, obj(sub.get("person")), occurred_at)
    change = services.subscription_activate(
        person=person,
        subscription_list=_list(sub),
        source=SOURCE,
        occurred_at=occurred_at,
        opt_in_date=opt_in or occurred_at,
        acquisition_campaign_id=text(obj(sub.get("acquisition_campaign")).get("id"), 64),
        callback=event,
    )
    return _state_outcome(change, person)


def subscription_removed(event: CallbackEvent) -> Outcome:
    sub = obj(event.payload.get("subscription"))
    opt_out = parse_timestamp(sub.get("opt_out_date"))
    occurred_at = _when(event, opt_out)
    person = _person(event, obj(sub.get("person")), occurred_at)
    change = services.subscription_cancel(
        person=person,
        subscription_list=_list(sub),
        source=SOURCE,
        occurred_at=occurred_at,
        opt_in_date=parse_timestamp(sub.get("opt_in_date")),
        opt_out_date=opt_out or occurred_at,
        opt_out_reason=text(sub.get("opt_out_reason"), 64),
        acquisition_campaign_id=text(obj(sub.get("acquisition_campaign")).get("id"), 64),
        callback=event,
    )
    return _state_outcome(change, person)


def person_changed(event: CallbackEvent) -> Outcome:
    """person_added and person_updated: Vibes sends the whole person.

    Person events are ordered by the person's own ``updated_at``: one older than what was
    last applied is kept as superseded, so a late delivery never restores stale details.
    """
    data = obj(event.payload.get("person"))
    identity = identity_of(data)
    if not identity:
        raise Unprocessable("The event names no person (no id, person_key, external id or mdn).")
    values = _person_values(data)
    updated = values.get("vibes_updated_at")
    waiting = services.person_awaiting_number(identity)
    if waiting is not None:
        return Outcome(
            Status.IGNORED,
            note="The Vibes person for the new number this person asked to switch to; "
            "it applies once they confirm the number.",
            person=waiting,
        )
    known = services.person_find_for_vibes(identity)
    if known and updated and known.vibes_updated_at and updated < known.vibes_updated_at:
        return Outcome(
            Status.SUPERSEDED,
            note="Vibes updated this person after this event; its details were not applied.",
            person=known,
        )
    person, _created = services.person_upsert_from_vibes(
        identity=identity, source=SOURCE, callback=event, occurred_at=_when(event), **values
    )
    return Outcome(Status.APPLIED, person=person)


def _person_values(data: dict) -> dict:
    """The person fields a Vibes person object sets (only those it carries)."""
    values = {}
    phone_data = obj(data.get("mobile_phone"))
    if "mdn" in phone_data or "mdn" in data:
        values["mdn"] = mdn_of(data)
    carrier = phone_data.get("carrier_code", phone_data.get("carrier_id", data.get("carrier_code")))
    if carrier is not None:
        values["carrier_code"] = text(carrier, 32)
    if isinstance(data.get("custom_fields"), dict):
        values["custom_fields"] = data["custom_fields"]
    if "timezone" in data:
        values["timezone"] = text(data.get("timezone"), 64)
    for field, names in (
        ("vibes_created_at", ("created_at", "created_date")),
        ("vibes_updated_at", ("updated_at", "updated_date")),
    ):
        moment = next((parse_timestamp(data.get(n)) for n in names if data.get(n)), None)
        if moment:
            values[field] = moment
    return values


def subscription_list_changed(event: CallbackEvent) -> Outcome:
    """subscription_list_added and _updated: the list upserted by its Vibes id."""
    data = obj(event.payload.get("subscription_list"))
    list_id = text(data.get("id"), 64)
    if not list_id:
        raise Unprocessable("The event names no subscription list (subscription_list.id).")
    services.subscription_list_upsert(list_id=list_id, name=text(data.get("name"), 200) or None)
    return Outcome(Status.APPLIED)


def ack_participant(event: CallbackEvent) -> Outcome:
    """ack_participant_added (PENDING) and _changed (CONFIRMED or REJECTED).

    The list is the one fed by the acquisition campaign. A campaign no local list names is
    not a transient problem: the event is ignored with that explanation, and can be
    replayed once staff set the campaign on the list.
    """
    participant = obj(event.payload.get("participant"))
    campaign_id = text(obj(participant.get("acquisition_campaign")).get("id"), 64)
    status = text(participant.get("status")).upper()
    if not status:
        status = "PENDING" if event.callback_type == "ack_participant_added" else ""
    action = {
        # Not subscription_request, which skips a person already active: Vibes sends PENDING
        # only when it texted a confirmation, and an older one must be kept as superseded.
        "PENDING": partial(services.subscription_set_state, status=Subscription.Status.PENDING),
        "CONFIRMED": partial(
            services.subscription_activate, kind=SubscriptionEvent.Kind.OPTIN_CONFIRMED
        ),
        "REJECTED": services.subscription_reject,
    }.get(status)
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
    occurred_at = _when(event, participated)
    person_data = obj(participant.get("person"))
    waiting = services.person_awaiting_number(identity_of(person_data))
    if waiting is not None and status == "PENDING":
        return Outcome(
            Status.APPLIED,
            note="The confirmation text went to the new number this person asked for.",
            person=waiting,
        )
    if waiting is not None and status == "REJECTED":
        person_withdraw_number(
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
        _confirm_new_number(event, person_data, occurred_at)
    person = _person(event, person_data, occurred_at)
    extra = {"opt_in_date": participated or occurred_at} if status == "CONFIRMED" else {}
    change = action(
        person=person,
        subscription_list=sub_list,
        source=SOURCE,
        occurred_at=occurred_at,
        acquisition_campaign_id=campaign_id,
        callback=event,
        **extra,
    )
    return _state_outcome(change, person)


HANDLERS = {
    "subscription_added": subscription_added,
    "subscription_removed": subscription_removed,
    "person_added": person_changed,
    "person_updated": person_changed,
    "subscription_list_added": subscription_list_changed,
    "subscription_list_updated": subscription_list_changed,
    "ack_participant_added": ack_participant,
    "ack_participant_changed": ack_participant,
}
