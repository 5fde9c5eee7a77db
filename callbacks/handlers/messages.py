"""unmatched_message_received: a text a phone sent that matched none of Vibes' keywords.

Consent may be revoked "by any reasonable means", and a text saying so ("Stop please",
"REVOKE", "ALTO") is one even when no Vibes keyword caught it: Vibes did not act on it,
so it opts the number out of every list here and the opt-outs are pushed to Vibes
(source ``text_message``, subscribers/services/revocation.py). A text that only sounds
like one, or one from a number nobody here has, waits in the admin's review queue with
this callback; nothing the phone said is lost. subscribers/revocation.py decides which.
"""

from subscribers import revocation, services
from subscribers.models import Person, RevocationReview, Source
from subscribers.phone import normalize_from_vibes

from ..models import CallbackEvent
from ..parsing import message_mdn, message_of, message_text, parse_timestamp, person_of
from .base import Outcome, Status, identity_of, occurred

Reason = RevocationReview.Reason


def _sender(event: CallbackEvent, mdn: str) -> Person | None:
    """The local person whose phone sent the text: by Vibes' ids, else by the number."""
    identity = identity_of(person_of(event.payload))
    return services.person_find_for_vibes(identity) if identity or mdn else None


def unmatched_message(event: CallbackEvent) -> Outcome:
    message = message_of(event.payload)
    words = message_text(message)
    mdn = normalize_from_vibes(message_mdn(message))
    # When the phone sent it (Vibes received it), not when Vibes called us about it.
    sent_at = parse_timestamp(message.get("received_date")) or occurred(event)
    verdict = revocation.classify(words)
    person = _sender(event, mdn) if verdict else None
    if verdict is None:
        return Outcome(Status.APPLIED, note="Not an opt-out: nothing to do.")
    if person is not None and mdn and person.mdn != mdn and person.pending_mdn == mdn:
        # Sent from the new number this person asked for, not the one their lists text:
        # that phone refuses to confirm it, their lists stay as they are.
        services.person_withdraw_number(
            person=person,
            mdn=mdn,
            reason="replied_no",
            source=Source.TEXT_MESSAGE,
            callback=event,
            occurred_at=sent_at,
            detail=f"texted “{words[:100]}”",
        )
        return Outcome(Status.APPLIED, note="The new number refused by text.", person=person)
    if person is None:
        services.revocation_review_open(
            text=words,
            sent_at=sent_at,
            reason=Reason.UNKNOWN_NUMBER if verdict == revocation.REVOKE else Reason.NEAR_MISS,
            mdn=mdn,
            callback=event,
        )
        return Outcome(Status.APPLIED, note="Nobody here has this number: kept for review.")
    if verdict == revocation.NEAR_MISS:
        services.revocation_review_open(
            text=words,
            sent_at=sent_at,
            reason=Reason.NEAR_MISS,
            mdn=mdn,
            person=person,
            callback=event,
        )
        return Outcome(
            Status.APPLIED, note="Sounds like an opt-out: waiting for review.", person=person
        )
    changes = services.person_revoke_by_text(
        person=person, text=words, occurred_at=sent_at, callback=event
    )
    ended = sum(1 for c in changes if c.applied)
    note = f"Revocation by text: opted out of {ended} list(s)."
    if len(changes) > ended:
        # A list joined after the text was sent: the newer join stands (kept in history).
        note += f" {len(changes) - ended} list(s) changed after the text; kept as they are."
    return Outcome(
        Status.APPLIED, note=note if changes else "Revocation by text: no list open.", person=person
    )
