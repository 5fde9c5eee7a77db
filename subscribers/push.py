"""What one push does: send the current local state of a person or a subscription.

Called by ``tasks.push_send`` with a claimed ``Push`` row. HTTP happens here, outside any
transaction; what Vibes answers is written back through the services with
``Source.PUSH`` (so it is recorded in history and never pushed again). Errors propagate
as ``vibes.errors`` types; the task decides between retry, failed and stopped.
"""

import copy
import logging
from datetime import datetime

from django.db import IntegrityError
from django.utils import timezone

from . import services
from .models import Person, Source, Subscription
from .outbox_models import Push, PushAttempt
from .phone import mask
from .vibes import errors
from .vibes.client import VibesClient

log = logging.getLogger(__name__)

#: Readable reasons for a rejected subscription, keyed by ``Subscription.opt_out_reason``.
REJECTION_MESSAGES = {
    "confirmation_blocked": (
        "This number once answered “No” to this list's confirmation text, so Vibes will "
        "not send another one. To join, text the list's keyword from the phone."
    ),
    "not_a_mobile_number": "Vibes says this number cannot receive text messages.",
    "vibes_rejected": "Vibes did not accept the request to join this list.",
}


class StopPush(errors.VibesError):
    """A push that cannot succeed without staff: stop, mark the person, don't retry."""


def attempt_recorder(push: Push):
    """A client observer that stores each HTTP call as a ``PushAttempt``."""

    def record(method, path, payload, response, error, ms):
        PushAttempt.objects.create(
            push=push,
            started_at=timezone.now() - timezone.timedelta(milliseconds=ms),
            method=method,
            path=path[:500],
            request_body=masked(payload),
            http_status=(response.status if response else getattr(error, "status", None)),
            error=str(error)[:2000] if error else "",
            duration_ms=ms,
        )

    return record


def masked(payload):
    if not isinstance(payload, dict):
        return payload
    shown = copy.deepcopy(payload)
    phone = shown.get("mobile_phone")
    if isinstance(phone, dict) and phone.get("mdn"):
        phone["mdn"] = mask(phone["mdn"])
    return shown


def push_perform(*, push: Push, client: VibesClient, started_at: datetime) -> str:
    """Send what ``push`` stands for; return a short note of what happened."""
    person = push.person  # loaded with the claimed push: the current state
    if push.kind == Push.Kind.NUMBER:
        from .push_number import push_number

        return push_number(person=person, client=client, started_at=started_at)
    if push.kind == Push.Kind.OLD_NUMBER:
        from .push_number import push_old_number

        return push_old_number(person=person, push=push, client=client, started_at=started_at)
    if push.kind == Push.Kind.PERSON:
        return _push_person(person, push, client)
    return _push_subscription(person, push, client, started_at)


def person_payload(person: Person, removed=()) -> dict:
    """The person's current pushed fields, plus nulls for what was removed locally."""
    payload: dict = {}
    if person.external_person_id:
        payload["external_person_id"] = person.external_person_id
    elif "external_person_id" in removed:
        payload["external_person_id"] = None
    if person.mdn:
        payload["mobile_phone"] = {"mdn": person.mdn}
        if person.carrier_code:
            payload["mobile_phone"]["carrier_code"] = person.carrier_code
    elif "mdn" in removed:
        payload["mobile_phone"] = {"mdn": None}
    fields = dict(person.custom_fields or {})
    for name in removed:
        if name.startswith("custom_fields.") and name[14:] not in fields:
            fields[name[14:]] = None
    if fields:
        payload["custom_fields"] = fields
    return payload


def _without_nulls(payload: dict) -> dict:
    out = {k: v for k, v in payload.items() if v is not None}
    if isinstance(out.get("mobile_phone"), dict) and out["mobile_phone"].get("mdn") is None:
        out.pop("mobile_phone")
    if "custom_fields" in out:
        out["custom_fields"] = {k: v for k, v in out["custom_fields"].items() if v is not None}
    return out


def _push_person(person: Person, push: Push, client: VibesClient) -> str:
    payload = person_payload(person, push.removed)
    if not payload:
        return "nothing to send"
    try:
        key = person.person_key or _key_by_number(person, client)
        if key:
            data = client.update_person(payload, person_key=key)
            how = "updated by person_key" if person.person_key else "updated by number"
        elif person.external_person_id:
            data = client.update_person(payload, external_person_id=person.external_person_id)
            how = "updated by external id"
        elif person.mdn:
            data, created = client.add_person(_without_nulls(payload))
            how = "added" if created else "merged by number"
        else:
            return "nothing Vibes could match"
    except errors.NotFound:
        if not person.mdn:
            raise StopPush(
                "Vibes does not know this person and there is no number to add them by."
            ) from None
        data, created = client.add_person(_without_nulls(payload))
        how = "not found, so added" if created else "not found, so merged by number"
    _learn_identity(person, data)
    return how


def _key_by_number(person: Person, client: VibesClient) -> str | None:
    """Without a key, the Vibes person holding the number, when an external id would
    otherwise pick the record: after a number change our external id may still name the
    Vibes person of the old number, and a PUT there answers 409 "MDN cannot be changed"."""
    if not (person.mdn and person.external_person_id):
        return None
    return holder_key(client, person.mdn)


def holder_key(client: VibesClient, mdn: str | None) -> str | None:
    """The person_key of the Vibes person holding ``mdn``, or None."""
    if not mdn:
        return None
    try:
        found = client.find_person_by_mdn(mdn)
    except errors.NotFound:
        return None
    key = found.get("person_key") if isinstance(found, dict) else None
    return str(key) if key else None


def _learn_identity(person: Person, data) -> None:
    """Keep the person_key (and legacy id) Vibes answered with."""
    if not isinstance(data, dict):
        return
    if isinstance(data.get("person"), dict):
        data = data["person"]
    learned = {}
    key = data.get("person_key")
    if key and str(key) != (person.person_key or ""):
        learned["person_key"] = str(key)
    legacy = data.get("person_id")
    if legacy and not person.vibes_person_id:
        learned["vibes_person_id"] = str(legacy)
    if not learned:
        return
    try:
        services.person_update(
            person=person, source=Source.PUSH, note="learned from Vibes", **learned
        )
    except IntegrityError as exc:
        raise StopPush(
            "Vibes answered with an id that another local person already has "
            f"({', '.join(f'{k}={v}' for k, v in learned.items())}): merge them."
        ) from exc


def _push_subscription(person: Person, push: Push, client: VibesClient, started_at) -> str:
    sub = (
        Subscription.objects.select_related("subscription_list")
        .filter(person=person, subscription_list_id=push.subscription_list_id)
        .first()
    )
    if sub is None:
        return "no subscription"
    sub_list = sub.subscription_list
    if sub.status == Subscription.Status.OPTED_OUT:
        return _unsubscribe(person, sub_list, client)
    if sub.status != Subscription.Status.PENDING:
        return f"nothing to do: {sub.status}"
    campaign = sub_list.acquisition_campaign_id
    if not campaign:
        raise StopPush(f"List “{sub_list}” has no web acquisition campaign: run vibes_sync_lists.")
    payload: dict = {}
    if person.mdn:
        payload["mobile_phone"] = {"mdn": person.mdn}
    if person.external_person_id:
        payload["external_person_id"] = person.external_person_id
    if not payload and person.vibes_person_id:
        payload["person_id"] = person.vibes_person_id
    if not payload:
        raise StopPush("This person has no number and no id Vibes knows.")
    history = {
        "person": person,
        "subscription_list": sub_list,
        "source": Source.PUSH,
        "occurred_at": started_at,
        "acquisition_campaign_id": campaign,
    }
    try:
        result = client.add_participant(campaign, payload)
    except errors.AlreadySubscribed:
        services.subscription_activate(note="Vibes: already subscribed", **history)
        return "already subscribed"
    except errors.ConfirmationBlocked:
        services.subscription_reject(
            opt_out_reason="confirmation_blocked",
            note=REJECTION_MESSAGES["confirmation_blocked"],
            **history,
        )
        return "rejected: confirmation block"
    except (errors.BadRequest, errors.Unprocessable) as exc:
        reason = "not_a_mobile_number" if isinstance(exc, errors.BadRequest) else "vibes_rejected"
        services.subscription_reject(opt_out_reason=reason, note=f"Vibes: {exc}", **history)
        raise StopPush(f"Vibes refused to subscribe this person to “{sub_list}”: {exc}") from exc
    _learn_identity(person, {"person_key": result.person_key, "person_id": result.person_id})
    if result.subscribed:
        services.subscription_activate(note=f"Vibes: {result.status}", **history)
        return "subscribed"
    return f"confirmation pending ({result.status or result.http_status})"


def _unsubscribe(person: Person, sub_list, client: VibesClient) -> str:
    key, external = person.person_key, person.external_person_id
    if not key and not external:
        key = holder_key(client, person.mdn)
        if not key:
            return "unknown to Vibes: nothing to unsubscribe"
    try:
        client.unsubscribe(sub_list.list_id, person_key=key, external_person_id=external)
    except errors.NotFound:
        return "was not subscribed in Vibes"
    return "unsubscribed"
