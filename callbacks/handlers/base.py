"""What every handler shares: its outcome, and how an event names a person and a list.

A handler takes a stored ``CallbackEvent`` (already parsed) and returns an ``Outcome``. It
never saves a model itself: the services record history, and because the source is
``vibes_callback`` they suppress pushes, so nothing that came from Vibes goes back to it.
A handler raises for anything unexpected; ``callbacks.apply`` keeps the error.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from subscribers import services
from subscribers.models import Person, Source, SubscriptionList
from subscribers.services import VibesIdentity

from ..models import CallbackEvent
from ..parsing import mdn_of, obj, text

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


def occurred(event: CallbackEvent, *fallbacks) -> datetime:
    """The event's own date, else the first usable fallback, else when we received it."""
    for candidate in (event.event_date, *fallbacks):
        if candidate:
            return candidate
    return event.received_at or timezone.now()


def person_named(event: CallbackEvent, person: dict, occurred_at: datetime) -> Person:
    """The local person the event's person object names, created when new."""
    identity = identity_of(person)
    if not identity:
        raise Unprocessable("The event names no person (no id, person_key, external id or mdn).")
    found, _created = services.person_upsert_from_vibes(
        identity=identity, source=SOURCE, callback=event, occurred_at=occurred_at
    )
    return found


def list_named(container: dict) -> SubscriptionList:
    list_id = text(obj(container.get("subscription_list")).get("id"), 64)
    if not list_id:
        raise Unprocessable("The event names no subscription list (subscription_list.id).")
    return services.subscription_list_upsert(list_id=list_id)[0]


def state_outcome(change, person: Person) -> Outcome:
    if change is None or change.applied:
        return Outcome(Status.APPLIED, person=person)
    if change.erased:
        return Outcome(
            Status.APPLIED,
            note="The person was erased: nothing Vibes says is written to them.",
            person=person,
        )
    return Outcome(
        Status.SUPERSEDED,
        note="Older than a change already applied to this subscription; kept in history.",
        person=person,
    )


def confirm_new_number(event: CallbackEvent, person_data: dict, occurred_at) -> bool:
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
