"""Consent revoked by a text, the texts a person must judge, and numbers that died.

A text revoking consent (subscribers/revocation.py decides which) is the person's own
request, made by a means Vibes did not act on: its source is ``text_message``, which is not
one of Vibes' sources, so the opt-outs it makes are pushed to Vibes like any staff or page
opt-out (subscribers/outbox/signals.py). The text itself is the evidence (``wording``).

A number that died (``DEAD_NUMBER_REASONS``) is Vibes' own news: everything it ends runs
with the Vibes source, pushes suppressed.
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import (
    DeadNumber,
    Person,
    RevocationReview,
    Source,
    SubscriptionEvent,
    number_holders,
)
from ..preferences.evidence import Evidence
from .history import history_record
from .subscriptions import StateChange, person_opt_out_all

#: The opt-out reason recorded for a revocation by text (subscribers/reasons.py words it).
TEXT_REVOCATION_REASON = "text_revocation"
_NUMBER_VALID = "number_valid"


class ReviewClosed(Exception):  # noqa: N818 - an answer for staff, not a bug
    """The text was decided already, or there is nobody to opt out."""


def person_revoke_by_text(
    *,
    person: Person,
    text: str,
    occurred_at: datetime | None = None,
    callback=None,
    staff_user=None,
) -> list[StateChange]:
    """Opt ``person`` out of every list they are on or waiting for, because their phone
    texted ``text``; a new number still waiting for its confirmation text is withdrawn
    too (its campaign would sign them up again). ``staff_user`` is who confirmed a text
    from the review queue. Returns the subscriptions' changes (pushed after the commit)."""
    occurred_at = occurred_at or timezone.now()
    evidence = Evidence(wording=text[:2000])
    note = "revocation by text" + (", confirmed by staff" if staff_user else "")
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).values_list("pk").first()
        changes = person_opt_out_all(
            person=person,
            source=Source.TEXT_MESSAGE,
            occurred_at=occurred_at,
            opt_out_reason=TEXT_REVOCATION_REASON,
            evidence=evidence,
            callback=callback,
            staff_user=staff_user,
            note=note,
        )
        pending = Person.objects.filter(pk=person.pk).values_list("pending_mdn", flat=True)[0]
        if pending:
            Person.objects.filter(pk=person.pk).update(
                pending_mdn="", last_change_source=Source.TEXT_MESSAGE, last_change_at=occurred_at
            )
            history_record(
                person=person,
                kind=SubscriptionEvent.Kind.DETAILS_CHANGED,
                changes={"pending_mdn": [pending, ""]},
                source=Source.TEXT_MESSAGE,
                occurred_at=occurred_at,
                evidence=evidence,
                callback=callback,
                staff_user=staff_user,
                note="new number withdrawn: revocation by text",
            )
            person.pending_mdn = ""
    return changes


def revocation_review_open(
    *,
    text: str,
    sent_at: datetime,
    reason: str,
    mdn: str = "",
    person: Person | None = None,
    callback=None,
) -> RevocationReview:
    """Queue a text for staff to decide; the same callback queues it once."""
    values = {"person": person, "mdn": mdn, "text": text, "sent_at": sent_at, "reason": reason}
    if callback is None:
        return RevocationReview.objects.create(**values)
    try:
        with transaction.atomic():
            return RevocationReview.objects.create(callback=callback, **values)
    except IntegrityError:
        return RevocationReview.objects.get(callback=callback)


def revocation_review_decide(
    *, review: RevocationReview, confirm: bool, staff_user
) -> list[StateChange]:
    """Confirm (the same opt-out as a plain STOP, dated when the text was sent) or dismiss
    a queued text, once. A text from a number nobody had is matched again on confirming,
    since the person may have been added since. Raises ``ReviewClosed``."""
    with transaction.atomic():
        locked = RevocationReview.objects.select_for_update().get(pk=review.pk)
        if locked.state != RevocationReview.State.OPEN:
            raise ReviewClosed(f"Already {locked.get_state_display().lower()}.")
        changes = []
        if confirm:
            person = locked.person or (number_holders(locked.mdn).first() if locked.mdn else None)
            if person is None:
                raise ReviewClosed("Nobody here has this number: nothing to opt out.")
            changes = person_revoke_by_text(
                person=person,
                text=locked.text,
                occurred_at=locked.sent_at,
                callback=locked.callback,
                staff_user=staff_user,
            )
            locked.person = person
        locked.state = (
            RevocationReview.State.CONFIRMED if confirm else RevocationReview.State.DISMISSED
        )
        locked.decided_by, locked.decided_at = staff_user, timezone.now()
        locked.save(update_fields=["person", "state", "decided_by", "decided_at"])
    review.state, review.person = locked.state, locked.person
    return changes


def number_is_dead(person: Person) -> DeadNumber | None:
    """The open record saying ``person``'s current number is no longer theirs, if any."""
    if not person.mdn:
        return None
    return DeadNumber.objects.open().filter(person=person, mdn=person.mdn).first()


def person_number_dead(
    *,
    person: Person,
    reason: str,
    occurred_at: datetime,
    callback=None,
) -> list[StateChange]:
    """Vibes ended a subscription because ``person``'s number is gone (``reason``): the
    number stops being theirs and every list ends for it. Recorded once per number."""
    changes: list[StateChange] = []
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        if not locked.mdn:
            return changes
        if not DeadNumber.objects.open().filter(person=locked, mdn=locked.mdn).exists():
            DeadNumber.objects.create(
                person=locked,
                mdn=locked.mdn,
                reason=reason,
                ended_at=occurred_at,
                callback=callback,
            )
            history_record(
                person=locked,
                kind=SubscriptionEvent.Kind.DETAILS_CHANGED,
                changes={_NUMBER_VALID: [True, False]},
                opt_out_reason=reason,
                source=Source.VIBES_CALLBACK,
                occurred_at=occurred_at,
                callback=callback,
                note=f"number no longer valid: {reason}",
            )
        changes = person_opt_out_all(
            person=locked,
            source=Source.VIBES_CALLBACK,
            occurred_at=occurred_at,
            opt_out_reason=reason,
            callback=callback,
            note="number no longer valid",
        )
    return changes


def person_number_revive(
    *,
    person: Person,
    source: str,
    occurred_at: datetime | None = None,
    callback=None,
    note: str = "",
) -> bool:
    """A fresh opt-in for ``person``'s dead number makes it theirs again. Returns whether
    there was anything to revive."""
    occurred_at = occurred_at or timezone.now()
    with transaction.atomic():
        dead = number_is_dead(person)
        if dead is None or occurred_at < dead.ended_at:
            return False
        DeadNumber.objects.filter(pk=dead.pk).update(revived_at=occurred_at)
        history_record(
            person=person,
            kind=SubscriptionEvent.Kind.DETAILS_CHANGED,
            changes={_NUMBER_VALID: [False, True]},
            source=source,
            occurred_at=occurred_at,
            callback=callback,
            note=note or "number valid again: fresh opt-in",
        )
    return True
