"""Which events a batch decides, and which go to the per-event path (``callbacks.apply``).

``needs_single`` is the one place that says so. The batch mirrors the per-event handlers
for the plain cases only; anything else is applied through the handlers, one at a time,
in its place in the sequence, so the outcome stays that of applying every event in turn.
"""

from dataclasses import dataclass, field

from django.db.models import Q

from subscribers import suppression
from subscribers.models import DEAD_NUMBER_REASONS, DeadNumber, SuppressedNumber

from ..models import CallbackEvent
from ..parsing import obj, text

#: The types a batch decides. Every other type (lists, acknowledgements, types not handled)
#: goes to its handler.
BATCH_TYPES = frozenset(
    {"subscription_added", "subscription_removed", "person_added", "person_updated"}
)


@dataclass
class Watched:
    """What the compliance rules of the handlers watch for among a batch's rows: numbers
    on the suppression list or no longer their person's, and the persons they concern
    (erased, or holding a number that died). Read once per batch, in two queries."""

    numbers: set[str] = field(default_factory=set)
    persons: set[int] = field(default_factory=set)

    @classmethod
    def read(cls, numbers: set[str], persons) -> "Watched":
        persons = list(persons)
        mdns = set(numbers) | {p.mdn for p in persons if p.mdn}
        mdns |= {p.pending_mdn for p in persons if p.pending_mdn}
        watched = cls(numbers=suppression.suppressed_among(mdns))
        pks = [p.pk for p in persons]
        dead = DeadNumber.objects.open().filter(Q(mdn__any=mdns) | Q(person_id__any=pks))
        for mdn, person_id in dead.values_list("mdn", "person_id"):
            watched.numbers.add(mdn)
            watched.persons.add(person_id)
        watched.persons |= set(
            SuppressedNumber.objects.filter(person_id__any=pks).values_list("person_id", flat=True)
        )
        # Erased without a number to suppress: the services refuse what Vibes says of them.
        watched.persons |= {p.pk for p in persons if p.erased_at}
        return watched

    def concerns(self, numbers, named) -> bool:
        return bool(self.numbers & set(numbers)) or any(
            p.pk in self.persons or p.mdn in self.numbers for p in named if p is not None
        )


def needs_single(
    event: CallbackEvent, named=(), watched: Watched | None = None, numbers=()
) -> bool:
    """Whether ``event`` must be applied by its handler rather than in a batch.

    ``named`` are the local persons the event's person resolves to, when known (the batch
    asks again once it has resolved them). True for:

    - a type outside ``BATCH_TYPES``;
    - a ``subscription_removed`` whose ``opt_out_reason`` says the number is gone
      (``DEAD_NUMBER_REASONS``: its handler gives it a meaning of its own);
    - an event naming a person who asked to switch to a new number (``pending_mdn``), or
      naming that new number: confirming, refusing or ignoring it is the number-change
      path of ``callbacks.handlers.base.confirm_new_number`` and ``services.numbers``;
    - an event that ``watched`` concerns: a number on the suppression list (an erasure:
      subscribers/suppression.py flags it), a number no longer its person's
      (subscribers/models/dead_numbers.py: a new person, or a revival), or a person erased
      or holding such a number. Rare, and their rules live in the handlers and services.
    """
    if event.callback_type not in BATCH_TYPES:
        return True
    if event.callback_type == "subscription_removed":
        sub = obj((event.payload or {}).get("subscription"))
        if text(sub.get("opt_out_reason"), 64).lower() in DEAD_NUMBER_REASONS:
            return True
    return persons_need_single(named, watched, numbers)


def persons_need_single(named, watched: Watched | None, numbers) -> bool:
    """The part of ``needs_single`` about whom a change names, for any change from Vibes
    (a callback, an extract row): a person switching numbers or one ``watched`` concerns."""
    if watched is not None and watched.concerns(numbers, named):
        return True
    return any(person.pending_mdn for person in named if person is not None)
