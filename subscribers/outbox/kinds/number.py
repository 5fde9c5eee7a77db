"""The push of a new number: an acquisition-campaign participant, never a person update.

Vibes never changes a person's number (PUT answers 409 "MDN cannot be changed"), and an
``external_person_id`` that another Vibes person holds makes Add Participant answer 422
``EXTERNALPERSONIDMISMATCH`` (docs/vibes.md). So the new number goes to each list's
acquisition campaign on its own: Vibes finds or creates the person holding that number and
texts it for confirmation. The external id is sent only for a person Vibes does not know
yet and who has no number, and dropped if Vibes says another person holds it.

Answers: PENDING (or 200, already pending) waits for the person's reply, which arrives as
a callback; SUBSCRIBED, or 409 already subscribed, confirm the number at once; a
confirmation block on every campaign, another 422 or a 400 drop the request with the
reason and stop the push for staff to see.
"""

from django.utils import timezone

from ... import selectors, services
from ...models import Person, Source, Subscription
from ...vibes import errors
from ...vibes.client import VibesClient
from ...vibes.dates import parse_timestamp
from ..models import Push
from .common import StopPush


def push_number(*, push: Push, client: VibesClient, started_at) -> str:
    person = push.person
    person.refresh_from_db()  # the number waiting now, not when the push was claimed
    new = person.pending_mdn
    if not new:
        return "no new number waiting"
    lists = selectors.number_lists(person)
    if not lists:
        _fail(person, new, "no_list", "no public list has a web acquisition campaign")
    waiting, failures, expires = [], [], []
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
        expires.append(parse_timestamp(result.raw.get("expire_date")))
    if waiting:
        if any(expires):  # a "Y" to any campaign confirms it: the latest deadline counts
            services.person_number_expires_at(
                person=person, expires_at=max(e for e in expires if e)
            )
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
    services.person_withdraw_number(
        person=person,
        mdn=new,
        reason=reason,
        source=Source.PUSH,
        occurred_at=timezone.now(),
        detail=detail,
    )
    raise StopPush(f"The new number was not used: {detail}")
