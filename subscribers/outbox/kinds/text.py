"""The push of a text of our own: one event to Vibes' Event API (docs/vibes.md, "Texts of
our own"): ``POST /companies/{ck}/events`` with our event id, the event type from settings,
and ``event_data {mdn, code}`` or ``{mdn, link}``. 202 is "accepted", not "sent": what
became of it arrives as ``event_processed``.

A text is sent only while it can still help: a code whose proof was closed, replaced or
has expired, a link for a person without a number, or one asked for over
``LINK_MAX_DELAY`` ago, is not sent. A 4xx other than 429
(an event type Vibes refuses, a body it cannot read) cannot succeed by trying again: the
text is marked failed, so the page says so, and the push stops for staff. The code and
the link are never part of an error kept or logged (``attempts.secrets_of``, ``scrub``).
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from ...preferences import links
from ...vibes import errors
from ...vibes.client import VibesClient
from ..attempts import scrub, secrets_of
from ..models import Push, Text
from ..texts import text_accepted, text_settled, unseal
from .common import StopPush

#: A link still unsent this long after it was asked for (Vibes unreachable, the push
#: failed and retried hourly) is not sent: the person has long given up waiting.
LINK_MAX_DELAY = timedelta(hours=1)

EVENT_TYPE_SETTING = {
    Text.Kind.NUMBER_CODE: "VIBES_EVENT_TYPE_NUMBER_CODE",
    Text.Kind.PREFERENCE_LINK: "VIBES_EVENT_TYPE_PREFERENCE_LINK",
}


def push_text(*, push: Push, client: VibesClient, started_at) -> str:
    text = Text.objects.select_related("proof", "person").filter(push=push).first()
    if text is None or text.state != Text.State.QUEUED:
        return f"nothing to send: {text.get_state_display().lower() if text else 'no text'}"
    event_type = getattr(settings, EVENT_TYPE_SETTING[text.kind])
    if not event_type:
        text_settled(text, sent=False, reason=f"{EVENT_TYPE_SETTING[text.kind]} is not set")
        raise StopPush(f"{EVENT_TYPE_SETTING[text.kind]} is not set: the text was not sent")
    data, why_not = _event_data(text)
    if data is None:
        text_settled(text, sent=False, reason=why_not)
        return f"not sent: {why_not}"
    payload = {"event_id": text.event_id, "event_type": event_type, "event_data": data}
    try:
        client.send_event(payload)
    except errors.VibesError as exc:
        # Our event ids are unique, so a 409 to a retry is taken to mean that Vibes has
        # this one already (docs/vibes.md: re-using an event id may make it fail).
        if not (isinstance(exc, errors.Conflict) and push.attempts):
            _refused(text, exc, payload)
    text_accepted(text, event_type=event_type)
    return f"{text.get_kind_display().lower()} accepted by Vibes (event {text.event_id})"


def _event_data(text: Text) -> tuple[dict | None, str]:
    """The event's data, or None and why it is not sent."""
    if text.kind == Text.Kind.NUMBER_CODE:
        proof = text.proof
        if proof is None or proof.closed_at is not None or proof.expires_at <= timezone.now():
            return None, "the code was replaced or expired before it could be sent"
        if not text.sealed:
            return None, "the code is no longer kept"
        return {"mdn": proof.mdn, "code": unseal(text.sealed, text.event_id)}, ""
    person = text.person
    if not person.mdn:
        return None, "the person has no number"
    if text.created_at < timezone.now() - LINK_MAX_DELAY:
        return None, "asked for too long ago: a link arriving now would surprise"
    return {"mdn": person.mdn, "link": links.preference_url(person)}, ""


def _refused(text: Text, exc: errors.VibesError, payload: dict):
    """Raise what the push machinery needs: the error again when a later try can help,
    else ``StopPush`` with the text marked failed. An answer that echoes the event must
    not carry the code or link into the push's last error or a log line."""
    hidden = secrets_of(payload)
    exc.message, exc.body = scrub(exc.message, hidden), scrub(exc.body, hidden)
    exc.args = (exc.message,)
    if exc.retryable or isinstance(exc, errors.CredentialsRefused | errors.RateLimited):
        raise exc
    text_settled(text, sent=False, reason=f"Vibes refused the event: {exc}")
    raise StopPush(f"Vibes refused the event: {exc}") from None
