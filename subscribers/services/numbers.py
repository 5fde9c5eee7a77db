"""Services for a change of number: asked for, confirmed by the phone, or dropped.

A new number is never written over the old one: ``person_request_number`` keeps it in
``Person.pending_mdn``, the ``number`` push sends it to an acquisition campaign, and
``person_confirm_number`` applies it once Vibes says the phone replied Y. When Vibes
refuses the number, or the phone replies No, ``person_withdraw_number`` drops the request
and records why, in words the preference page shows.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext_lazy

from .. import phone
from ..models import Person, Source, SubscriptionEvent
from ..outbox.origin import unpushed_if_from_vibes
from ..preferences.evidence import Evidence
from .history import history_record
from .number_moves import number_moves_clear
from .persons import VibesIdentity, person_find_for_vibes, person_update, waits_for_number

#: Sent when a person's new number is confirmed, with ``person`` and ``old_record`` (the
#: Vibes ids of the number given up). The outbox retires that record (an old_number push).
number_confirmed = Signal()

#: Why a new number was not used, keyed by the code kept in the history row's
#: ``opt_out_reason``; the wording is what the subscriber reads.
NUMBER_REASONS = {
    "replied_no": gettext_lazy("The new number replied “No” to our confirmation text."),
    "confirmation_blocked": gettext_lazy(
        "The new number once replied “No” to our confirmation text, so we can't text it "
        "from here again. Text the list's keyword from that phone instead."
    ),
    "not_a_mobile_number": gettext_lazy("That number can't receive text messages."),
    "vibes_rejected": gettext_lazy("Our text message service did not accept that number."),
    "no_list": gettext_lazy("No list can confirm a new number online right now."),
    "expired": gettext_lazy("Nobody replied “Y” to our confirmation text in time."),
}


def person_request_number(
    *,
    person: Person,
    mdn: str,
    source: str,
    staff_user=None,
    evidence: Evidence | None = None,
    note: str = "new number requested; waits for the confirmation text",
) -> bool:
    """Ask for ``mdn`` (typed by a person, validated strictly) to become the number.

    Never a silent update: Vibes only subscribes a number through an acquisition
    campaign's confirmation text, so the number waits in ``pending_mdn`` until the
    person confirms (``person_confirm_number``). Typing the current number again
    withdraws a pending request. Returns whether anything changed.

    Called once the number is proved ours (``proofs.person_prove_number``): Vibes'
    answers alone do not prove who holds a phone.
    """
    new = phone.normalize_typed(mdn)
    pending = "" if new == person.mdn else new
    with transaction.atomic():
        changed = person_update(
            person=person,
            source=source,
            staff_user=staff_user,
            evidence=evidence,
            note=note if pending else "",
            pending_mdn=pending,
        )
        if changed:
            number_moves_clear(person=person)  # the lists are asked again about this one
        # Bookkeeping, as sync_state: the request's deadline until Vibes names its own
        # (person_number_expires_at). Asking again renews it.
        wait = timedelta(hours=settings.PENDING_CONFIRMATION_HOURS)
        person_number_expires_at(person=person, expires_at=timezone.now() + wait)
    return bool(changed)


def person_number_expires_at(*, person: Person, expires_at: datetime | None) -> None:
    """When the new number ``person`` waits for stops waiting (Vibes' ``expire_date`` of
    its confirmation request, else the default). Bookkeeping only: no history, no push."""
    until = expires_at if person.pending_mdn else None
    Person.objects.filter(pk=person.pk).update(pending_mdn_until=until)
    person.pending_mdn_until = until


def person_confirm_number(
    *,
    person: Person,
    mdn: str,
    source: str = Source.VIBES_CALLBACK,
    callback=None,
    occurred_at: datetime | None = None,
    person_key: str | None = None,
    vibes_person_id: str | None = None,
) -> bool:
    """The person confirmed ``mdn`` (Vibes' CONFIRMED acknowledgement for that number):
    when it is the number they asked for, it becomes their number. Returns whether it did.

    Vibes never changes a person's number, so the confirmed number lives on the Vibes
    person that holds it (usually a new one): ``person_key`` / ``vibes_person_id`` name
    that record when known. The old ones are dropped either way, so no detail push ever
    sends the new number to the old record (which would answer 409 "MDN cannot be
    changed"); the next push or callback for the number learns the key. The old record is
    handed on with ``number_confirmed``: it gives up our external id and custom fields and
    is unsubscribed, then our details go to the new record.
    """
    confirmed = phone.normalize_from_vibes(mdn)
    if not confirmed or confirmed != person.pending_mdn:
        return False
    identifiers = {"person_key": person_key or None, "vibes_person_id": vibes_person_id or None}
    for field, value in identifiers.items():
        if value and Person.objects.filter(**{field: value}).exclude(pk=person.pk).exists():
            identifiers[field] = None  # another local row has it: staff merge them
    with transaction.atomic():
        saved = Person.objects.select_for_update().get(pk=person.pk)
        if confirmed != saved.pending_mdn:
            return False  # confirmed meanwhile (the callback and the push's answer race)
        old = {"person_key": saved.person_key, "person_id": saved.vibes_person_id, "mdn": saved.mdn}
        same_record = bool(saved.person_key) and saved.person_key == identifiers["person_key"]
        person_update(
            person=person,
            source=source,
            callback=callback,
            occurred_at=occurred_at,
            note="new number confirmed",
            mdn=confirmed,
            pending_mdn="",
            **identifiers,
        )
        if any(old.values()) and not same_record:
            number_confirmed.send(
                sender=Person, person=person, old_record={k: v for k, v in old.items() if v}
            )
    return True


def person_awaiting_number(identity: VibesIdentity) -> Person | None:
    """The local person Vibes means when it names the new number someone asked to
    switch to (and not yet confirmed), else None."""
    identity = identity.cleaned()
    person = person_find_for_vibes(identity) if identity.mdn else None
    return person if person is not None and waits_for_number(person, identity.mdn) else None


def person_withdraw_number(
    *,
    person: Person,
    mdn: str,
    reason: str,
    source: str,
    callback=None,
    occurred_at: datetime | None = None,
    detail: str = "",
    due_by: datetime | None = None,
) -> bool:
    """Drop the request for ``mdn`` (when it is still the one waiting), recording
    ``reason`` (a ``NUMBER_REASONS`` key). Returns whether anything changed. With
    ``due_by``, only a request whose deadline has passed by then (the expiry sweep: a
    request renewed meanwhile stays)."""
    if reason not in NUMBER_REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    occurred_at = occurred_at or timezone.now()
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        if not mdn or locked.pending_mdn != mdn:
            return False
        if due_by is not None and not (
            locked.pending_mdn_until and locked.pending_mdn_until <= due_by
        ):
            return False
        locked.pending_mdn, locked.pending_mdn_until = "", None
        number_moves_clear(person=locked)
        locked.last_change_source, locked.last_change_at = source, occurred_at
        unpushed_if_from_vibes(locked, source).save(
            update_fields=[
                "pending_mdn",
                "pending_mdn_until",
                "last_change_source",
                "last_change_at",
                "updated_at",
            ]
        )
        history_record(
            person=locked,
            kind=SubscriptionEvent.Kind.DETAILS_CHANGED,
            changes={"pending_mdn": [mdn, ""]},
            opt_out_reason=reason,
            source=source,
            occurred_at=occurred_at,
            callback=callback,
            note=f"new number not used: {NUMBER_REASONS[reason]}"
            + (f" ({detail})" if detail else ""),
        )
    person.pending_mdn, person.pending_mdn_until = "", None
    person.last_change_source, person.last_change_at = source, occurred_at
    return True
