"""Texts of our own through Vibes' Event API: the code proving a new number and a
preference link asked for by number (docs/vibes.md, "Texts of our own").

The senders named by ``NUMBER_CODE_SENDER`` and ``PREFERENCE_LINK_SENDER`` record a
``Text`` and a ``Push`` of kind ``text`` in the caller's transaction; a worker posts the
event (``kinds/text.py``), under the Event API's own rate limit, retried as any push.
What Vibes did with it arrives as ``event_processed`` (``callbacks/handlers/texts.py``),
which ``text_settled`` applies.

Neither the code nor the link is stored where staff, a log or a backup could read it: the
code is sealed with a pad only SECRET_KEY can make (``seal``), emptied once Vibes has
accepted the event; the link is made again when the event is sent. The event id is ours,
a UUID made once per text, so every retry of one text carries the same id.
"""

import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .. import services
from ..models import NumberProof, Person
from .models import Push, Text
from .record import push_enqueue

CODE_DIGITS = 6
_PAD_SALT = "subscribers.outbox.texts.code-pad"


def _pad(event_id: str) -> int:
    digest = salted_hmac(_PAD_SALT, event_id, algorithm="sha256").digest()
    return int.from_bytes(digest[:8], "big") % 10**CODE_DIGITS


def seal(code: str, event_id: str) -> str:
    """The code as kept until it is sent: a one-time pad per event id, keyed by SECRET_KEY."""
    return f"{(int(code) + _pad(event_id)) % 10**CODE_DIGITS:0{CODE_DIGITS}d}"


def unseal(sealed: str, event_id: str) -> str:
    return f"{(int(sealed) - _pad(event_id)) % 10**CODE_DIGITS:0{CODE_DIGITS}d}"


def new_event_id() -> str:
    return str(uuid.uuid4())


def text_record(
    *, person: Person, kind: str, proof: NumberProof | None = None, code: str = "", event_id=""
) -> Text:
    """Record a text and its push; the push is queued once the transaction commits."""
    event_id = event_id or new_event_id()
    with transaction.atomic():
        push = Push.objects.create(person=person, kind=Push.Kind.TEXT, queued_at=timezone.now())
        text = Text.objects.create(
            person=person,
            kind=kind,
            event_id=event_id,
            proof=proof,
            push=push,
            sealed=seal(code, event_id) if code else "",
        )
        transaction.on_commit(lambda: push_enqueue([push.pk]))
    return text


def number_code_sender(*, person: Person, mdn: str, code: str) -> None:
    """``NUMBER_CODE_SENDER``: the code goes to ``mdn`` as an event of
    ``VIBES_EVENT_TYPE_NUMBER_CODE``; the proof it belongs to is the person's newest open
    one for that number (``services.person_ask_number`` has just made it)."""
    proof = (
        NumberProof.objects.filter(person=person, mdn=mdn, closed_at__isnull=True)
        .order_by("-pk")
        .first()
    )
    text_record(person=person, kind=Text.Kind.NUMBER_CODE, proof=proof, code=code)


def preference_link_sender(*, person: Person, url: str, reference: str) -> None:
    """``PREFERENCE_LINK_SENDER``: a new link to the person's number as an event of
    ``VIBES_EVENT_TYPE_PREFERENCE_LINK``. ``url`` is not kept: the worker makes the link
    again when it sends. ``reference`` becomes the event id, which the answer page
    (``preferences:link_sent``) is given to say whether the text could be sent."""
    text_record(person=person, kind=Text.Kind.PREFERENCE_LINK, event_id=reference)


def text_accepted(text: Text, *, event_type: str) -> None:
    """Vibes accepted the event (202): nothing is left to send, so the sealed code goes."""
    Text.objects.filter(pk=text.pk, state=Text.State.QUEUED).update(
        state=Text.State.ACCEPTED, sealed="", event_type=event_type
    )


def text_settled(text: Text, *, sent: bool, reason: str, at=None) -> bool:
    """What Vibes did with the event. A failure wins over any success (a routing success
    may be followed by a failed delivery receipt); a failed code closes its proof, so the
    page says the code could not be sent rather than asking for it. Returns whether the
    text changed."""
    at = at or timezone.now()
    if sent:
        changed = Text.objects.filter(
            pk=text.pk, state__in=[Text.State.QUEUED, Text.State.ACCEPTED]
        ).update(state=Text.State.SENT, sealed="", settled_at=at)
        return bool(changed)
    changed = (
        Text.objects.filter(pk=text.pk)
        .exclude(state=Text.State.FAILED)
        .update(state=Text.State.FAILED, sealed="", reason=reason[:200], settled_at=at)
    )
    if changed and text.proof_id:
        services.number_proof_unsent(proof_id=text.proof_id)
    return bool(changed)
