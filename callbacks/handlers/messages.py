"""unmatched_message_received: a text a phone sent that matched none of Vibes' keywords.

Vibes acts on STOP and its stop phrases itself (they never arrive here, docs/vibes.md).
Consent may be revoked "by any reasonable means", and a text saying so ("REVOKE", "Opt
out please", "darme de baja") is one even when no Vibes keyword caught it: Vibes did not
act on it, so it opts the holder of the sending number out of every list here and the
opt-outs are pushed to Vibes (source ``text_message``, subscribers/services/revocation.py).
The body names the phone by its number only, and only the person whose number it is now
is opted out. A text that only sounds like one, or one from a number nobody here has,
waits in the admin's review queue with this callback; nothing the phone said is lost.
subscribers/revocation.py decides which.
"""

from subscribers import revocation, services
from subscribers.models import Person, RevocationReview, Source, number_holders
from subscribers.phone import normalize_from_vibes

from ..models import CallbackEvent
from ..parsing import text_message
from .base import Outcome, Status, occurred

Reason = RevocationReview.Reason


def _holder(mdn: str) -> Person | None:
    """Whose phone sent the text: the person whose number it is now. A number someone
    gave up (a change of number, a number that died on them) names them no more, so a
    text from their old phone cannot end the lists of the number they use now."""
    return number_holders(mdn).first() if mdn else None


def unmatched_message(event: CallbackEvent) -> Outcome:
    message = text_message(event.payload)
    words = message.words
    mdn = normalize_from_vibes(message.mdn)
    # When the phone sent it (Vibes received it), not when Vibes called us about it.
    sent_at = message.received_at or occurred(event)
    verdict = revocation.classify(words)
    if verdict is None:
        return Outcome(Status.APPLIED, note="Not an opt-out: nothing to do.")
    person = _holder(mdn)
    waiting = None if person else services.person_awaiting_number(services.VibesIdentity(mdn=mdn))
    if waiting is not None:
        # Sent from the new number this person asked for, not the one their lists text:
        # that phone refuses to confirm it, their lists stay as they are.
        services.person_withdraw_number(
            person=waiting,
            mdn=mdn,
            reason="replied_no",
            source=Source.TEXT_MESSAGE,
            callback=event,
            occurred_at=sent_at,
            detail=f"texted “{words[:100]}”",
        )
        return Outcome(Status.APPLIED, note="The new number refused by text.", person=waiting)
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
