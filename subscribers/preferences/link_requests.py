"""Asking for a new preference link by number, without revealing who is on file.

The answer is the same whether the number is known or not, and costs about the same
time either way: both branches look the number up and sign a token (for an
unsaved stand-in when the number is unknown), and the whole request is padded to
``PREFERENCE_LINK_REQUEST_MIN_SECONDS``. Requests are rate-limited per number and per
client address by ``limits.hit`` (Django's cache, keyed hashes only).

How a link reaches the person is pluggable: ``PREFERENCE_LINK_SENDER`` names a callable
``send(*, person, url, reference)``. It must not do HTTP itself (no HTTP inside a request):
the Event API's sender (``outbox/texts.py``) records the text for a worker. The default
only logs that a link was requested; ``console_sender`` prints it (development only; in
``make run`` the simulator prints the text it was sent). ``reference`` is a random id made
for every request, known number or not; the answer page is given it, and says the text
could not be sent when Vibes reports so for the text of that reference (``link_failed``).
"""

import functools
import logging
import sys
import time
import uuid

from django.conf import settings
from django.utils.module_loading import import_string

from .. import limits
from ..models import Person, Text, number_holders
from . import links

logger = logging.getLogger(__name__)

DEFAULT_SENDER = "subscribers.preferences.link_requests.log_sender"
NUMBER_LIMIT = (3, 3600)  # requests per number per hour
ADDRESS_LIMIT = (20, 3600)  # requests per client address per hour

# Indirection so tests can observe the padding without sleeping.
sleep = time.sleep
monotonic = time.monotonic


def log_sender(*, person: Person, url: str, reference: str = "") -> None:
    """Default sender: records that a link was asked for; never the number or the link."""
    logger.info("preference link requested for person #%s", person.pk)


def console_sender(*, person: Person, url: str, reference: str = "") -> None:
    """For ``make run`` only (DEBUG): the link in the console, as the simulator has no texts
    to show, so the flow can be finished. Written to the terminal, not logged: the log
    filter (config/logsafe.py) rightly hides preference tokens. Refuses outside DEBUG."""
    if not settings.DEBUG:
        raise RuntimeError("console_sender prints links: only for development (DEBUG)")
    sys.stdout.write(f"\nDEV ONLY: new preference link for person #{person.pk}:\n  {url}\n\n")
    sys.stdout.flush()


def _setting(name: str, default):
    return getattr(settings, name, default)


def address_allowed(ip: str | None) -> bool:
    """Per client address; an IPv6 address counts by its /64 (``limits.address_key``)."""
    return limits.hit(
        "link-request-ip",
        limits.address_key(ip),
        _setting("PREFERENCE_LINK_ADDRESS_LIMIT", ADDRESS_LIMIT),
    )


def new_reference() -> str:
    """A request's reference: the shape of an event id, for known and unknown numbers."""
    return str(uuid.uuid4())


def request_link(*, mdn: str, reference: str = "") -> bool:
    """Send a new link to the person with this (normalised) number, if there is one.

    Returns whether a link was sent; callers must not show it. The per-number limit is
    silent (the answer stays the same), so it cannot be used to probe for numbers.
    """
    reference = reference or new_reference()
    person = number_holders(mdn).first()  # never the page of a number that died on them
    # The same work either way: sign a token (for an unsaved stand-in when unknown).
    url = links.preference_url(person or Person(pk=0, link_version=0))
    sender = import_string(_setting("PREFERENCE_LINK_SENDER", DEFAULT_SENDER))
    # Only a link that goes out counts against the number (the page's padding hides the
    # one cache round trip this adds for a known number).
    send = person is not None and limits.hit(
        "link-request-mdn", mdn, _setting("PREFERENCE_LINK_NUMBER_LIMIT", NUMBER_LIMIT)
    )
    if send:
        sender(person=person, url=url, reference=reference)
    return send


def answer_context(request) -> dict:
    """The answer page's context: whether the text of its reference could not be sent."""
    reference = request.GET.get("text", "")
    return {"failed": link_failed(reference), "reference": reference[:64]}


def link_failed(reference: str) -> bool:
    """Whether Vibes reported that the link asked for under ``reference`` could not be
    sent. Only a failure is ever told, and only to whoever holds the reference: a known
    number whose text went out and an unknown number read the same."""
    if not reference or len(reference) > 64:
        return False
    return Text.objects.filter(
        event_id=reference, kind=Text.Kind.PREFERENCE_LINK, state=Text.State.FAILED
    ).exists()


def pad(started: float, setting: str = "PREFERENCE_LINK_REQUEST_MIN_SECONDS") -> None:
    """Sleep until at least ``setting`` (PREFERENCE_LINK_REQUEST_MIN_SECONDS) seconds have
    passed since ``started``."""
    minimum = float(_setting(setting, 0.4))
    remaining = minimum - (monotonic() - started)
    if remaining > 0:
        sleep(remaining)


def padded(setting: str):
    """A view that answers in at least ``setting`` seconds whatever it did: the new-number
    form answers an erased number as any other (services/proofs.py), and as fast."""

    def wrap(view):
        @functools.wraps(view)
        def padded_view(*args, **kwargs):
            started = monotonic()
            try:
                return view(*args, **kwargs)
            finally:
                pad(started, setting)

        return padded_view

    return wrap
