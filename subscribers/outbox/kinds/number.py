"""The push of a new number: an acquisition-campaign participant, never a person update.

Vibes never changes a person's number (PUT answers 409 "MDN cannot be changed"), and an
``external_person_id`` that another Vibes person holds makes Add Participant answer 422
``EXTERNALPERSONIDMISMATCH`` (docs/vibes.md). So the new number goes to each list's
acquisition campaign on its own: Vibes finds or creates the person holding that number and
texts it for confirmation. The external id is sent only for a person Vibes does not know
yet and who has no number, and dropped if Vibes says another person holds it.

Every list's campaign is asked before the number is confirmed, and each answer is kept
(``services.number_moves_record``) for the page: PENDING (or 200, already pending) waits
for the person's reply, which arrives as a callback; SUBSCRIBED, or 409 already
subscribed, move that list at once and confirm the number (the one-time code proved it);
a confirmation block or another 422 means that list cannot move; a 400 is about the
number, so no list can. A list without a web campaign cannot move either. When no list
moved or waits, the request is dropped with the first reason and the push stops for
staff to see.
"""

from django.utils import timezone

from ... import selectors, services
from ...models import NumberMove, Person, Source, Subscription
from ...vibes import errors
from ...vibes.client import VibesClient
from ...vibes.dates import parse_timestamp
from ..models import Push
from .common import StopPush

Move = NumberMove.Outcome


def push_number(*, push: Push, client: VibesClient, started_at) -> str:
    person = push.person
    person.refresh_from_db()  # the number waiting now, not when the push was claimed
    new = person.pending_mdn
    if not new:
        return "no new number waiting"
    lists = selectors.number_lists(person)
    if not lists:
        _fail(person, new, "no_list", "no public list has a web acquisition campaign")
    answers, moved, failures, expires = _ask_every_list(client, person, new, lists)
    stuck = selectors.number_lists_stuck(person)
    answers += [(sub_list, Move.CANNOT, services.NO_CAMPAIGN) for sub_list in stuck]
    waiting = [sub_list.name for sub_list, outcome, _r in answers if outcome == Move.WAITING]
    if not moved and not waiting:
        reason, sub_list, exc = failures[0]
        _fail(person, new, reason, f"“{sub_list}”: {exc}")
    services.number_moves_record(person=person, answers=answers, occurred_at=started_at)
    if moved:
        _confirmed(person, new, moved, started_at)
        at_once = ", ".join(f"“{sub_list}” ({note})" for sub_list, note, _r in moved)
        then = f"; confirmation text sent for {', '.join(waiting)}" if waiting else ""
        return f"new number moved at once to {at_once}: confirmed{then}"
    if any(expires):  # a "Y" to any campaign confirms it: the latest deadline counts
        services.person_number_expires_at(person=person, expires_at=max(e for e in expires if e))
    return f"confirmation text sent to the new number ({', '.join(waiting)})"


def _ask_every_list(client: VibesClient, person: Person, new: str, lists: list):
    """Each list's campaign, asked before anything is confirmed: one list's answer says
    nothing about another's, and a list not asked would end with the old number."""
    answers, moved, failures, expires = [], [], [], []
    refused = None  # a 400 is about the number: every other campaign would answer the same
    for sub_list in lists:
        if refused is not None:
            answers.append((sub_list, Move.CANNOT, refused))
            continue
        campaign = sub_list.acquisition_campaign_id
        try:
            result = _add_participant(client, campaign, person, new)
        except errors.AlreadySubscribed:
            answers.append((sub_list, Move.MOVED, ""))
            moved.append((sub_list, "Vibes: already subscribed", None))
            continue
        except errors.BadRequest as exc:
            failures.append(("not_a_mobile_number", sub_list, exc))
            refused = "not_a_mobile_number"
        except errors.ConfirmationBlocked as exc:
            failures.append(("confirmation_blocked", sub_list, exc))
        except errors.Unprocessable as exc:
            failures.append(("vibes_rejected", sub_list, exc))
        else:
            if result.subscribed:
                answers.append((sub_list, Move.MOVED, ""))
                moved.append((sub_list, f"Vibes: {result.status}", result))
            else:
                answers.append((sub_list, Move.WAITING, ""))
                expires.append(parse_timestamp(result.raw.get("expire_date")))
            continue
        answers.append((sub_list, Move.CANNOT, failures[-1][0]))
    return answers, moved, failures, expires


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


def _confirmed(person, new, moved, started_at):
    """The number is the person's (a list took it at once); each such list is on locally."""
    ids = next((r for _l, _n, r in moved if r is not None), None)
    services.person_confirm_number(
        person=person,
        mdn=new,
        source=Source.PUSH,
        occurred_at=started_at,
        person_key=ids.person_key if ids else None,
        vibes_person_id=ids.person_id if ids else None,
    )
    for sub_list, note, _result in moved:
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
