"""Proving a new number before anything about it reaches Vibes: a one-time code.

Vibes confirms a new number only where its campaign texts for a "Y" reply; a single opt-in
campaign answers SUBSCRIBED at once, and an already subscribed number answers 409 (see
``outbox/kinds/number.py``). Neither proves that the person asking holds that phone. So a
request for a new number (``person_ask_number``, from the preference page or the admin)
texts a code to it first, and only the code typed back (``person_prove_number``) makes it
the number waiting for Vibes' confirmation (``person_request_number``). Until then no
request about the number, our external id or the person's fields goes to Vibes.

The code is six digits, kept as a keyed hash, good for ``NUMBER_CODE_MAX_AGE_MINUTES``
and ``MAX_ATTEMPTS`` wrong tries. ``NUMBER_CODE_SENDER`` names a ``send(*, person, mdn,
code)`` that must not do HTTP itself (queue a task); the default only logs that a code
was asked for, without the number or the code.
"""

import hashlib
import hmac
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import limits, phone, suppression
from ..models import NumberProof, Person, Source
from ..preferences.evidence import Evidence
from .numbers import person_request_number

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


class ProofFailed(Exception):  # noqa: N818 - an answer for the person, not a bug
    """The code was not accepted; ``str(exc)`` says why and what to do."""


def log_sender(*, person: Person, mdn: str, code: str) -> None:
    """Default sender: says a code was asked for; never the number or the code."""
    logger.info("one-time code for a new number requested for person #%s", person.pk)


def console_sender(*, person: Person, mdn: str, code: str) -> None:
    """For ``make run`` only (DEBUG): the code in the console, as the simulator has no
    texts to show. Refuses to run outside DEBUG, where a log is no place for a code."""
    if not settings.DEBUG:
        raise RuntimeError("console_sender prints codes: only for development (DEBUG)")
    logger.warning(
        "DEV ONLY: code %s texted to %s for person #%s", code, phone.mask(mdn), person.pk
    )


def _digest(proof_key: str, code: str) -> str:
    message = f"{proof_key}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def person_ask_number(
    *,
    person: Person,
    mdn: str,
    source: str,
    staff_user=None,
    evidence: Evidence | None = None,
) -> bool:
    """Text a one-time code to ``mdn`` (typed, validated strictly) for ``person`` to type
    back. Typing the current number again withdraws any request instead. Returns whether
    a code was sent; raises ``limits.TextRefused`` for a country not served or past a
    texting limit."""
    new = phone.normalize_typed(mdn)
    if new == person.mdn:
        _close_open(person)
        person_request_number(
            person=person, mdn=new, source=source, staff_user=staff_user, evidence=evidence
        )
        return False
    limits.text_allowed_or_raise(
        mdn=new, person_id=person.pk, ip=evidence.ip_address if evidence else None
    )
    # Past the limits, an erased number gets the very answer any other number gets (a code
    # "sent", a code form that refuses every code), so the page tells nobody which numbers
    # were erased. Nothing is texted to it, its proof keeps only the masked number and no
    # code, and staff see one row for it however often it is tried (suppression.flag).
    erased = suppression.flag(
        new, source=source, what="code text refused", refused=True, person=person
    )
    if erased and source != Source.PREFERENCE_PAGE:
        # Staff are told (the admin is signed in, not open to whoever holds a link).
        raise limits.TextRefused(_("We can't send texts to this number."))
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        _close_open(person)  # a new request replaces an older code
        proof = NumberProof.objects.create(
            person=person,
            mdn=phone.mask(new) if erased else new,
            code_hash="",
            expires_at=timezone.now() + timedelta(minutes=settings.NUMBER_CODE_MAX_AGE_MINUTES),
        )
        digest = _digest(str(proof.pk), code)
        proof.code_hash = "" if erased else digest  # "" matches no code (``_check``)
        proof.save(update_fields=["code_hash"])
        if not erased:
            sender = import_string(settings.NUMBER_CODE_SENDER)
            transaction.on_commit(lambda: sender(person=person, mdn=new, code=code))
    return True


def person_prove_number(
    *,
    person: Person,
    code: str,
    source: str,
    staff_user=None,
    evidence: Evidence | None = None,
) -> str:
    """Accept the code texted to the new number: the number then waits for Vibes'
    confirmation, as any proven request. Returns the number; raises ``ProofFailed``."""
    typed = "".join(ch for ch in code if ch.isdigit())
    with transaction.atomic():
        proof = (
            NumberProof.objects.select_for_update()
            .filter(person=person, closed_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        failure = _check(proof, typed)
        if failure is None:
            proof.closed_at, proof.proved = timezone.now(), True
            proof.save(update_fields=["closed_at", "proved"])
            person_request_number(
                person=person,
                mdn=proof.mdn,
                source=source,
                staff_user=staff_user,
                evidence=evidence,
                note="new number proved by the code texted to it; waits for the confirmation text",
            )
    # Raised after the commit, so that a wrong try stays counted.
    if failure is not None:
        raise ProofFailed(failure)
    return proof.mdn


def _check(proof: NumberProof | None, typed: str) -> str | None:
    """Why the code is refused (a wrong try is counted on ``proof``), or None."""
    if proof is None or proof.expires_at <= timezone.now():
        return _("That code has expired. Ask for a new one below.")
    if hmac.compare_digest(proof.code_hash, _digest(str(proof.pk), typed)):
        return None
    proof.attempts += 1
    left = MAX_ATTEMPTS - proof.attempts
    if left <= 0:
        proof.closed_at = timezone.now()
    proof.save(update_fields=["attempts", "closed_at"])
    if left <= 0:
        return _("That code is not right, and it can't be tried again. Ask for a new one below.")
    return ngettext(
        "That code is not right. You can try %(left)d more time.",
        "That code is not right. You can try %(left)d more times.",
        left,
    ) % {"left": left}


def _close_open(person: Person) -> None:
    NumberProof.objects.filter(person=person, closed_at__isnull=True).update(
        closed_at=timezone.now()
    )
