"""The push that retires the Vibes record of a number a person no longer uses.

Once a new number is confirmed, the Vibes person of the old number still holds our external
id, our custom fields and its subscriptions. This push clears our fields from it first (so
that Vibes' callbacks about it no longer name our person), then ends its subscriptions,
then queues a details push that gives the new number's record our ids.
"""

import contextlib

from ... import custom_values, services
from ...models import Person, Source, Subscription, SubscriptionEvent
from ...vibes import errors
from ...vibes.client import VibesClient
from ..models import Push
from ..record import push_record
from .common import holder_key


def push_old_number(*, push: Push, client: VibesClient, started_at) -> str:
    """Retire the Vibes person of a number this person no longer uses.

    Its subscriptions all end: a number given up may be given to someone else. A list the
    new number is not on yet follows the new number's record: waiting for its confirmation
    text when one is pending, else ended (a list without a web campaign, or one whose
    campaign refused the new number, cannot move).
    """
    person = push.person
    old = push.vibes_person or {}
    key = old.get("person_key") or holder_key(client, old.get("mdn"))
    if not key:
        return "the old number is unknown to Vibes: nothing to retire"
    if key == person.person_key:
        return "the old record is the person's current one: nothing to retire"
    ours = {"external_person_id": None}
    ours_fields = custom_values.pushable(dict.fromkeys(person.custom_fields or {}))
    if ours_fields:  # defined keys only: an unknown one is a 422 (custom_values.py)
        ours["custom_fields"] = ours_fields
    try:
        client.update_person(ours, person_key=key)
        old_lists = _active_lists(client, key)
    except errors.NotFound:
        return "the old record is gone from Vibes: nothing to retire"
    new_key = person.person_key or holder_key(client, person.mdn)
    new_lists = set()
    if new_key:
        with contextlib.suppress(errors.NotFound):  # not in Vibes yet: on no list
            new_lists = _active_lists(client, new_key)
    for list_id in sorted(old_lists):
        if list_id not in new_lists:  # first, so that a retry after a failure still does it
            _follow_new_record(person, list_id, client, started_at)
        with contextlib.suppress(errors.NotFound):  # ended meanwhile
            client.unsubscribe(list_id, person_key=key)
    push_record(person_id=person.pk)  # our ids and fields, to the new number's record
    return (
        f"old number's record cleared and unsubscribed from {len(old_lists)} list(s), "
        f"{len(old_lists & new_lists)} of them already on the new number"
    )


def _active_lists(client: VibesClient, person_key: str) -> set[str]:
    return {
        str(s["subscription_list"]["id"])
        for s in client.get_subscriptions(person_key, active_only=True)
        if isinstance(s.get("subscription_list"), dict)
        and s["subscription_list"].get("id")
        and not s.get("opt_out_date")
    }


def _follow_new_record(person: Person, list_id: str, client: VibesClient, started_at) -> None:
    """The old number left ``list_id`` and the new one is not on it: say so locally."""
    sub = (
        Subscription.objects.select_related("subscription_list")
        .filter(person=person, subscription_list__list_id=list_id)
        .first()
    )
    if sub is None or sub.status != Subscription.Status.ACTIVE:
        return
    sub_list = sub.subscription_list
    campaign = sub_list.acquisition_campaign_id
    history = {
        "person": person,
        "subscription_list": sub_list,
        "source": Source.PUSH,
        "occurred_at": started_at,
    }
    if campaign and client.pending_participants(campaign, person.mdn):
        services.subscription_set_state(
            status=Subscription.Status.PENDING,
            kind=SubscriptionEvent.Kind.OPTIN_REQUESTED,
            acquisition_campaign_id=campaign,
            note="The old number left this list; the new number's confirmation text for it "
            "is not answered yet.",
            **history,
        )
    else:
        services.subscription_cancel(
            opt_out_reason="api_opt_out",
            note="Ended with the old number: the new number cannot join this list online.",
            **history,
        )
