"""Erasure that keeps suppression: a person's right to deletion, without ever texting the
number again.

``person_erase`` runs in one transaction, so a crash leaves either nothing or all of it:
the request recorded in history, every list ended locally, the number kept only as a
keyed hash on the suppression list (``subscribers.suppression``), the personal data wiped
(the person's number, names, custom fields, our external id; the evidence columns of their
history rows; the raw callbacks naming them; the bodies of their push attempts; their
number proofs; the person's own words and the numbers wherever else they were kept: dead
numbers, texts waiting for review, the old-number push's record) and an ``erasure`` push
recorded (``person_erased`` → outbox/kinds/erasure.py)
that ends the subscriptions at Vibes and sets the number, carrier, external id and our
custom fields to null there. That push is a committed outbox row: sent once the worker
runs, whatever happened to this process. Running it again is safe: it wipes what arrived
since and sends the push again.

Callbacks are found by the number they name in any form Vibes sent it (the ``number``
column, E.164, set at intake: callbacks/store.py) and, for bodies that column cannot speak
for (rejected unread, or stored before it existed), by the number's digits in the body,
separators allowed between them.

Erasure is final here whatever Vibes answers: from ``erased_at`` on, nothing Vibes says
(a callback, the drift sweep, reconcile, the extract, a batch) is written to the person
(services/persons.py, subscriptions.py; repair/reconcile.py; callbacks/batch/route.py),
and an erasure push Vibes has not completed is a stall (config/stalls.py) until it is.

What stays: the history rows' shape (what, when, which list, which source, the staff
user), the subscriptions' states and dates, and Vibes' ids for the record (person_key,
person id), which name no one once Vibes has nulled the record and let later callbacks
about it find this row instead of creating a person.
"""

from dataclasses import dataclass, field

import django.dispatch
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from callbacks.models import CallbackEvent

from .. import phone, suppression
from ..models import (
    DeadNumber,
    NumberProof,
    Person,
    Push,
    PushAttempt,
    RevocationReview,
    Source,
    SubscriptionEvent,
)
from .history import history_record
from .subscriptions import person_opt_out_all

#: Sent inside the erasure's transaction with the Vibes records to null (``targets``);
#: the outbox turns it into an ``erasure`` push (subscribers/outbox/kinds/erasure.py).
person_erased = django.dispatch.Signal()

OPT_OUT_REASON = "erasure"


@dataclass(frozen=True)
class ErasureResult:
    person: Person
    numbers: int  # numbers put on (or found on) the suppression list
    opted_out: int  # lists ended by the erasure
    repeated: bool  # the person had been erased before
    wiped: dict = field(default_factory=dict)  # what was emptied: {"callbacks": n, …}


def person_is_erased(person: Person) -> bool:
    return person.erased_at is not None


def person_erase(
    *,
    person: Person,
    source: str = Source.ADMIN,
    staff_user=None,
    note: str = "",
) -> ErasureResult:
    """Erase ``person``'s personal data here and at Vibes; keep their number suppressed."""
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        repeated, numbers, opted_out, targets, wiped = _erase_locally(
            locked, source=source, staff_user=staff_user, note=note
        )
        # Not suppressed: the receiver records the erasure push, in this transaction.
        person_erased.send(sender=Person, person=locked, targets=targets)
    _refresh(person, locked)
    return ErasureResult(
        person=person,
        numbers=len(numbers),
        opted_out=len(opted_out),
        repeated=repeated,
        wiped=wiped,
    )


def _erase_locally(locked: Person, *, source: str, staff_user, note: str):
    repeated = person_is_erased(locked)
    numbers = sorted({n for n in (locked.mdn, locked.pending_mdn) if n})
    for mdn in numbers:
        suppression.suppress(mdn, person=locked)
    # The erasure push ends them at Vibes, so the subscription push does not.
    opted_out = person_opt_out_all(
        person=locked,
        source=source,
        staff_user=staff_user,
        opt_out_reason=OPT_OUT_REASON,
        note="erasure requested",
        push=False,
    )
    targets = {
        "mdns": numbers,
        "person_keys": [locked.person_key] if locked.person_key else [],
        "external_person_id": locked.external_person_id or "",
        "custom_fields": sorted(locked.custom_fields or {}),
    }
    wiped = _wipe(locked, numbers, source=source)
    history_record(
        person=locked,
        kind=SubscriptionEvent.Kind.ERASURE_REQUESTED,
        source=source,
        staff_user=staff_user,
        note=note.strip()[:1000],
    )
    return repeated, numbers, opted_out, targets, wiped


def _wipe(person: Person, numbers: list[str], *, source: str) -> dict:
    now = timezone.now()
    # Not pushed by the signals: the erasure push sends the wiped record itself.
    Person.objects.filter(pk=person.pk).update_unpushed(
        erased_at=F("erased_at") if person.erased_at else now,
        mdn="",
        pending_mdn="",
        carrier_code="",
        custom_fields={},
        external_person_id=None,
        timezone="",
        sync_error="",
        link_version=F("link_version") + 1,  # every preference link sent stops working
        last_change_source=source,
        last_change_at=now,
        updated_at=now,
    )
    callbacks = CallbackEvent.objects.filter(_callbacks_naming(person, numbers)).update(
        body="", headers={}, payload=None, mdn="", number=""
    )
    attempts = PushAttempt.objects.filter(push__person_id=person.pk).update(request_body=None)
    # The records of the person's other pushes (an old number's, a details push's) name
    # numbers and fields; the erasure push keeps only what it still has to null at Vibes.
    Push.objects.filter(person_id=person.pk).exclude(kind=Push.Kind.ERASURE).update(
        vibes_person={}, removed=[], last_error=""
    )
    proofs = NumberProof.objects.filter(person_id=person.pk).delete()[0]
    # A number that died on the person is theirs too: the row goes (it only said the number
    # no longer counted as theirs, and no number does now).
    dead = DeadNumber.objects.filter(person_id=person.pk).delete()[0]
    reviews = RevocationReview.objects.filter(
        Q(person_id=person.pk) | Q(mdn__in=numbers) if numbers else Q(person_id=person.pk)
    ).update(mdn="", text="")
    history = SubscriptionEvent.objects.filter(person_id=person.pk).erase_personal(words=True)
    return {
        "callbacks": callbacks,
        "push_attempts": attempts,
        "proofs": proofs,
        "dead_numbers": dead,
        "reviews": reviews,
        "history": history,
    }


def _digits_pattern(mdn: str) -> str | None:
    """A regular expression for ``mdn``'s national digits with up to three separators
    between any two ("(415) 555-0170", "415.555.0170", "14155550170"), not inside a
    longer run of digits. None for a number too short to search for safely."""
    national = phone.national_digits(mdn)
    if len(national) < 6:
        return None
    gap = "[^0-9]{0,3}"
    return "(^|[^0-9])" + gap.join(national) + "([^0-9]|$)"


def _callbacks_naming(person: Person, numbers: list[str]) -> Q:
    named = Q(person_id=person.pk)
    for mdn in numbers:
        named |= Q(number=mdn) | Q(mdn=mdn)
        pattern = _digits_pattern(mdn)
        if pattern:
            # Only where the number column cannot speak for the body: read unparsed, or
            # stored before the column was filled at intake.
            named |= Q(number="", body__regex=pattern)
    return named


def erased_person_named(*, person: Person, callback=None) -> bool:
    """Vibes named an erased person's record again (the echo of the erasure's own
    unsubscribe, a late callback): expected, so not a suppression hit, and nothing
    personal of it is kept. Returns whether ``person`` is erased; the caller then learns
    no number or field for them. The callback's body is emptied."""
    if not person_is_erased(person):
        return False
    if callback is not None and callback.pk:
        CallbackEvent.objects.filter(pk=callback.pk).update(
            body="", headers={}, payload=None, mdn="", number=""
        )
        callback.mdn = ""
    return True


def _refresh(target: Person, source: Person) -> None:
    source.refresh_from_db()
    for name in (
        "mdn",
        "pending_mdn",
        "carrier_code",
        "custom_fields",
        "external_person_id",
        "erased_at",
    ):
        setattr(target, name, getattr(source, name))
    target.link_version = source.link_version
