"""The push of a new number: an acquisition-campaign participant, never a person update.

Vibes never changes a person's number (PUT answers 409 "MDN cannot be changed"), and an
``external_person_id`` that another Vibes person holds makes Add Participant answer 422
``EXTERNALPERSONIDMISMATCH`` (vibes-api.md §2-3). So the new number goes to each list's
acquisition campaign on its own: Vibes finds or creates the person holding that number and
texts it for confirmation. The external id is sent only for a person Vibes does not know
yet and who has no number, and dropped if Vibes says another person holds it.

Answers: PENDING (or 200, already pending) waits for the person's reply, which arrives as
a callback; SUBSCRIBED, or 409 already subscribed, confirm the number at once; a
confirmation block on every campaign, another 422 or a 400 drop the request with the
reason and stop the push for staff to see.

Once the number is confirmed, the Vibes person of the old number still holds our external
id, our custom fields and its subscriptions. ``push_old_number`` clears our fields from it
first (so that Vibes' callbacks about it no longer name our person), then ends its
subscriptions, then queues a details push that gives the new number's record our ids.
"""

import contextlib

from django.utils import timezone

from . import services
from .models import Person, Source, Subscription, SubscriptionEvent
from .number_change import number_lists, person_withdraw_number
from .outbox import push_record
from .outbox_models import Push
from .push import StopPush, holder_key
from .vibes import errors
from .vibes.client import VibesClient


def push_number(*, person: Person, client: VibesClient, started_at) -> str:
    person.refresh_from_db()  # the number waiting now, not when the push was claimed
    new = person.pending_mdn
    if not new:
        return "no new number waiting"
    lists = number_lists(person)
    if not lists:
        _fail(person, new, "no_list", "no public list has a web acquisition campaign")
    waiting, failures = [], []
    for sub_list in lists:
        campaign = sub_list.acquisition_campaign_id
        try:
            result = _add_participant(client, campaign, person, new)
        except errors.AlreadySubscribed:
            _confirmed(person, new, sub_list, started_at, note="Vibes: already subscribed")
            return f"new number already subscribed to “{sub_list}”: confirmed"
        except errors.ConfirmationBlocked as exc:
            failures.append(("confirmation_blocked", sub_list, exc))
            continue  # one campaign's block: another list's campaign may still text it
        except errors.BadRequest as exc:
            failures.append(("not_a_mobile_number", sub_list, exc))
            break  # about the number itself: every campaign would answer the same
        except errors.Unprocessable as exc:
            failures.append(("vibes_rejected", sub_list, exc))
            break
        if result.subscribed:
            _confirmed(
                person,
                new,
                sub_list,
                started_at,
                note=f"Vibes: {result.status}",
                person_key=result.person_key,
                vibes_person_id=result.person_id,
            )
            return f"new number subscribed at once to “{sub_list}”: confirmed"
        waiting.append(sub_list.name)
    if waiting:
        return f"confirmation text sent to the new number ({', '.join(waiting)})"
    reason, sub_list, exc = failures[0]
    _fail(person, new, reason, f"“{sub_list}”: {exc}")


def _add_participant(client: VibesClient, campaign: str, person: Person, new: str):
    payload: dict = {"mobile_phone": {"mdn": new}}
    with_external = bool(
        person.external_person_id
        and not person.mdn
        and not (person.person_key or person.vibes_person_id)
    )
    if with_external:
        payload["external_person_id"] = person.external_person_id
    try:
        return client.add_participant(campaign, payload)
    except errors.Unprocessable as exc:
        mismatch = "EXTERNALPERSONIDMISMATCH" in f"{exc.code} {exc.message}".upper()
        if with_external and mismatch and not isinstance(exc, errors.ConfirmationBlocked):
            return client.add_participant(campaign, {"mobile_phone": {"mdn": new}})
        raise


def _confirmed(person, new, sub_list, started_at, *, note, person_key=None, vibes_person_id=None):
    services.person_confirm_number(
        person=person,
        mdn=new,
        source=Source.PUSH,
        occurred_at=started_at,
        person_key=person_key,
        vibes_person_id=vibes_person_id,
    )
    status = (
        Subscription.objects.filter(person=person, subscription_list=sub_list)
        .values_list("status", flat=True)
        .first()
    )
    if status != Subscription.Status.ACTIVE:
        services.subscription_activate(
            person=person,
            subscription_list=sub_list,
            source=Source.PUSH,
            occurred_at=started_at,
            acquisition_campaign_id=sub_list.acquisition_campaign_id,
            note=note,
        )


def _fail(person: Person, new: str, reason: str, detail: str):
    person_withdraw_number(
        person=person,
        mdn=new,
        reason=reason,
        source=Source.PUSH,
        occurred_at=timezone.now(),
        detail=detail,
    )
    raise StopPush(f"The new number was not used: {detail}")


def push_old_number(*, person: Person, push: Push, client: VibesClient, started_at) -> str:
    """Retire the Vibes person of a number this person no longer uses.

    Its subscriptions all end: a number given up may be given to someone else. A list the
    new number is not on yet follows the new number's record: waiting for its confirmation
    text when one is pending, else ended (a list without a web campaign, or one whose
    campaign refused the new number, cannot move).
    """
    old = push.vibes_person or {}
    key = old.get("person_key") or holder_key(client, old.get("mdn"))
    if not key:
        return "the old number is unknown to Vibes: nothing to retire"
    if key == person.person_key:
        return "the old record is the person's current one: nothing to retire"
    ours = {"external_person_id": None}
    if person.custom_fields:
        ours["custom_fields"] = dict.fromkeys(person.custom_fields)
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
