"""Erasure that keeps suppression: a person's right to deletion, without ever texting the
number again.

``person_erase`` runs in one transaction, so a crash leaves either nothing or all of it:
the request recorded in history, every list ended locally, the number kept only as a
keyed hash on the suppression list (``subscribers.suppression``), the personal data wiped
(the person's number, names, custom fields, our external id; the evidence columns of their
history rows; the raw callbacks naming them; the bodies of their push attempts; their
number proofs) and an ``erasure`` push recorded (``person_erased`` → outbox/kinds/erasure.py)
that ends the subscriptions at Vibes and sets the number, carrier, external id and our
custom fields to null there. That push is a committed outbox row: sent once the worker
runs, whatever happened to this process. Running it again is safe: it wipes what arrived
since and sends the push again.

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

from .. import suppression
from ..models import NumberProof, Person, PushAttempt, Source, SubscriptionEvent
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
    return SubscriptionEvent.objects.filter(
        person_id=person.pk, kind=SubscriptionEvent.Kind.ERASURE_REQUESTED
    ).exists()


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
    named = Q(person_id=person.pk)
    if numbers:
        named |= Q(mdn__in=numbers)
        # A body stored as rejected (unparsed) names nobody in its columns: search it.
        for mdn in numbers:
            named |= Q(status=CallbackEvent.Status.REJECTED, body__contains=mdn.lstrip("+"))
    callbacks = CallbackEvent.objects.filter(named).update(
        body="", headers={}, payload=None, mdn=""
    )
    attempts = PushAttempt.objects.filter(push__person_id=person.pk).update(request_body=None)
    proofs = NumberProof.objects.filter(person_id=person.pk).delete()[0]
    history = SubscriptionEvent.objects.filter(person_id=person.pk).erase_personal()
    return {"callbacks": callbacks, "push_attempts": attempts, "proofs": proofs, "history": history}


def erased_person_named(*, person: Person, callback=None) -> bool:
    """Vibes named an erased person's record again (the echo of the erasure's own
    unsubscribe, a late callback): expected, so not a suppression hit, and nothing
    personal of it is kept. Returns whether ``person`` is erased; the caller then learns
    no number or field for them. The callback's body is emptied."""
    if not person_is_erased(person):
        return False
    if callback is not None and callback.pk:
        CallbackEvent.objects.filter(pk=callback.pk).update(
            body="", headers={}, payload=None, mdn=""
        )
        callback.mdn = ""
    return True


def _refresh(target: Person, source: Person) -> None:
    source.refresh_from_db()
    for name in ("mdn", "pending_mdn", "carrier_code", "custom_fields", "external_person_id"):
        setattr(target, name, getattr(source, name))
    target.link_version = source.link_version
