"""Each event of a batch decided in memory, by the rules of its handler.

``decide`` mirrors ``handlers.subscriptions`` and ``handlers.persons`` (through
``services.person_upsert_from_vibes`` and ``services.subscription_set_state``) on the rows
a ``World`` holds. It returns the handler's ``Outcome``, or ``SINGLE`` when the event turns
out to need its handler (``route.needs_single``); the batch then ends just before it.
"""

from subscribers.rules import echo
from subscribers.services import StateChange

from ..handlers.base import Outcome, Status, state_outcome
from .intents import KIND_FOR_STATUS, Intent
from .route import needs_single
from .world import IDENTIFIERS, World

SINGLE = object()

PERSON_SUPERSEDED = "Vibes updated this person after this event; its details were not applied."


def decide(world: World, intent: Intent):
    if intent.rejected:
        return Outcome(Status.REJECTED, note=intent.rejected)
    named = world.named(intent.identity)
    if needs_single(intent.event, named, world.watched, intent.numbers()):
        return SINGLE
    if intent.is_person_event:
        return _person_changed(world, intent)
    return _subscription_changed(world, intent)


def _subscription_changed(world: World, intent: Intent) -> Outcome:
    person, sub, applied, _recorded = subscription_decided(world, intent)
    return state_outcome(StateChange(subscription=sub, event=None, applied=applied), person)


def subscription_decided(world: World, intent: Intent, note: str = ""):
    """Apply a subscription change (a callback's or an extract row's) to the rows in
    memory, as ``services.subscription_set_state`` does. Returns the person, the
    subscription, whether it applied (False: superseded) and whether it recorded history."""
    person = _upsert(world, intent, intent.values, intent.occurred_at)
    key = (id(person), intent.list_id)
    sub, previous_kind = world.subs.get(key, (None, None))
    before = len(world.changes.history)
    sub, applied, previous_kind = world.changes.subscription_set_state(
        person=person,
        subscription_list=world.lists[intent.list_id],
        sub=sub,
        previous_kind=previous_kind,
        status=intent.status,
        kind=KIND_FOR_STATUS[intent.status],
        occurred_at=intent.occurred_at,
        opt_in_date=intent.opt_in_date,
        opt_out_date=intent.opt_out_date,
        opt_out_reason=intent.opt_out_reason,
        acquisition_campaign_id=intent.campaign,
        callback=intent.event,
        note=note,
    )
    world.subs[key] = [sub, previous_kind]
    return person, sub, applied, len(world.changes.history) > before


def _person_changed(world: World, intent: Intent) -> Outcome:
    values = dict(intent.values)
    updated = values.get("vibes_updated_at")
    known = world.find(intent.identity)
    if known and updated and known.vibes_updated_at and updated < known.vibes_updated_at:
        return Outcome(Status.SUPERSEDED, note=PERSON_SUPERSEDED, person=known)
    values, note = echo.person_values_to_apply(values, known, updated)
    person = _upsert(world, intent, values, intent.occurred_at)
    return Outcome(Status.APPLIED, note=note, person=person)


def _upsert(world: World, intent: Intent, values: dict, occurred_at):
    """As ``services.person_upsert_from_vibes`` (the number-change case never gets here)."""
    identity = intent.identity
    known = {f: getattr(identity, f) for f in IDENTIFIERS}
    person = world.find(identity)
    if person is None:
        fields = {k: v for k, v in known.items() if v}
        if identity.mdn:
            fields["mdn"] = identity.mdn
        fields.update(values)
        return world.create(callback=intent.event, occurred_at=occurred_at, **fields)
    learned = {
        k: v
        for k, v in known.items()
        if v and not getattr(person, k) and world.holder(k, v) in (None, person)
    }
    update = {**learned, **values}
    if identity.mdn and not person.mdn and "mdn" not in update:
        update["mdn"] = identity.mdn
    if update:
        world.update(person, callback=intent.event, occurred_at=occurred_at, **update)
    return person
