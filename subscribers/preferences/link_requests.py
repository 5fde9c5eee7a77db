"""Asking for a new preference link by number, without revealing who is on file.

The answer is the same whether the number is known or not, and costs about the same
time either way: both branches look the number up and sign a token (for an
unsaved stand-in when the number is unknown), and the whole request is padded to
``PREFERENCE_LINK_REQUEST_MIN_SECONDS``. Requests are rate-limited per number and per
client address by ``limits.hit`` (Django's cache, keyed hashes only).

How a link reaches the person is pluggable: ``PREFERENCE_LINK_SENDER`` names a callable
``send(*, person, url)``. It must not do HTTP itself (no HTTP inside a request): a real
sender queues a Celery task. The default only logs that a link was requested;
``make run`` prints the link in the console (``console_sender``).
"""

import logging
import sys
import time

from django.conf import settings
from django.utils.module_loading import import_string

from .. import limits
from ..models import Person, number_holders
from . import links

logger = logging.getLogger(__name__)

DEFAULT_SENDER = "subscribers.preferences.link_requests.log_sender"
NUMBER_LIMIT = (3, 3600)  # requests per number per hour
ADDRESS_LIMIT = (20, 3600)  # requests per client address per hour

# Indirection so tests can observe the padding without sleeping.
sleep = time.sleep
monotonic = time.monotonic


def log_sender(*, person: Person, url: str) -> None:
    """Default sender: records that a link was asked for; never the number or the link."""
    logger.info("preference link requested for person #%s", person.pk)


def console_sender(*, person: Person, url: str) -> None:
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


def request_link(*, mdn: str) -> bool:
    """Send a new link to the person with this (normalised) number, if there is one.

    Returns whether a link was sent; callers must not show it. The per-number limit is
    silent (the answer stays the same), so it cannot be used to probe for numbers.
    """
    within_limit = limits.hit(
        "link-request-mdn", mdn, _setting("PREFERENCE_LINK_NUMBER_LIMIT", NUMBER_LIMIT)
    )
    person = number_holders(mdn).first()  # never the page of a number that died on them
    # The same work either way: sign a token (for an unsaved stand-in when unknown).
    url = links.preference_url(person or Person(pk=0, link_version=0))
    sender = import_string(_setting("PREFERENCE_LINK_SENDER", DEFAULT_SENDER))
    send = within_limit and person is not None
    if send:
        sender(person=person, url=url)
    return send


def pad(started: float) -> None:
    """Sleep until at least PREFERENCE_LINK_REQUEST_MIN_SECONDS have passed."""
    minimum = float(_setting("PREFERENCE_LINK_REQUEST_MIN_SECONDS", 0.4))
    remaining = minimum - (monotonic() - started)
    if remaining > 0:
        sleep(remaining)
