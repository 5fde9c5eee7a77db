"""The push of one subscription: a join goes to the list's acquisition campaign (Vibes
subscribes nobody directly), a leave is a DELETE of the subscription."""

from ... import deadlines, services
from ...models import Person, Source, Subscription
from ...vibes import errors
from ...vibes.client import VibesClient
from ...vibes.dates import parse_timestamp
from ..models import Push
from .common import StopPush, holder_key, learn_identity

CONFIRMATION_BLOCKED_NOTE = (
    "This number once answered “No” to this list's confirmation text, so Vibes will "
    "not send another one. To join, text the list's keyword from the phone."
)


def push_subscription(*, push: Push, client: VibesClient, started_at) -> str:
    person = push.person
    sub = (
        Subscription.objects.select_related("subscription_list")
        .filter(person=person, subscription_list_id=push.subscription_list_id)
        .first()
    )
    if sub is None:
        return "no subscription"
    sub_list = sub.subscription_list
    if sub.status == Subscription.Status.OPTED_OUT:
        note = _unsubscribe(person, sub_list, client)
        deadlines.confirm(person=person, subscription_list=sub_list, how="push")
        return note
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
            opt_out_reason="confirmation_blocked", note=CONFIRMATION_BLOCKED_NOTE, **history
        )
        return "rejected: confirmation block"
    except (errors.BadRequest, errors.Unprocessable) as exc:
        reason = "not_a_mobile_number" if isinstance(exc, errors.BadRequest) else "vibes_rejected"
        services.subscription_reject(opt_out_reason=reason, note=f"Vibes: {exc}", **history)
        raise StopPush(f"Vibes refused to subscribe this person to “{sub_list}”: {exc}") from exc
    learn_identity(person, {"person_key": result.person_key, "person_id": result.person_id})
    # The answer says how the campaign is set up in Vibes: what the preference page tells
    # the next person who joins this list (subscribers/preferences/rows.py).
    services.subscription_list_confirms_by_text(
        subscription_list=sub_list, confirms=not result.subscribed
    )
    if result.subscribed:
        services.subscription_activate(note=f"Vibes: {result.status}", **history)
        return "subscribed"
    expires = parse_timestamp(result.raw.get("expire_date"))
    if expires:  # past it the expiry sweep ends the join (subscribers/repair/expiry.py)
        services.subscription_expires_at(subscription=sub, expires_at=expires)
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
