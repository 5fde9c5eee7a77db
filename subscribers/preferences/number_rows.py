"""What the preference page says about a new number: only what will happen to each list.

Whether a list moves to a new number at once or texts it for a "Y" is the campaign's
setting, which Vibes tells only in its answer (subscribers/outbox/kinds/number.py). So the
page promises no "Y" before the lists have answered: the form says each list is asked,
names the lists that cannot move (no web campaign), and once the number push has asked
them, one line per list says what it answered (``NumberMove``).
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .. import selectors
from ..models import NumberMove, Person, Subscription, SubscriptionEvent
from ..phone import mask
from ..services import NO_CAMPAIGN, NUMBER_REASONS

Move = NumberMove.Outcome


def number_wording(person: Person, lists) -> str:
    """What the number form says, kept as evidence when the number is asked for and when
    its code is typed back: the consent to what confirming it does to each list."""
    if person.mdn:
        wording = _(
            "We'll text a code to the new number to show it's yours. Then each of your lists "
            "is asked to move to it: some move at once, others text it for a “Y” first; "
            "this page shows which. It replaces %(number)s once a list has moved."
        ) % {"number": mask(person.mdn, unbroken=True)}
    else:
        wording = _("We'll text it a code to show it's yours.")
    stuck = selectors.number_lists_stuck(person)
    if stuck:
        wording += " " + _(
            "%(lists)s can't move to a new number online: it ends when the new number is in use."
        ) % {"lists": ", ".join(s.name for s in stuck)}
    joins = selectors.person_joins_by_number(person, lists)
    if joins is not None:
        wording += " " + _("Confirming it also subscribes you to %(list)s.") % {"list": joins}
    return wording


@dataclass(frozen=True)
class MoveRow:
    name: str
    outcome: str
    text: str


def number_moves(person: Person) -> list[MoveRow]:
    """One line per list about the latest new number: while it waits, and once it is in
    use (until the next change); none when it was withdrawn or refused."""
    if not person.pending_mdn and not _last_change_confirmed(person):
        return []
    number = mask(person.pending_mdn or person.mdn, unbroken=True)
    moves = NumberMove.objects.filter(person=person).select_related("subscription_list")
    # A waiting list moved once the new number's "Y" made it active again after it was
    # asked (until then it is active with the old number, then pending).
    since = {
        list_pk: (status, at)
        for list_pk, status, at in Subscription.objects.filter(person=person).values_list(
            "subscription_list_id", "status", "last_event_at"
        )
    }
    rows = []
    for move in moves.order_by("subscription_list__name", "pk"):
        name = move.subscription_list.name
        status, at = since.get(move.subscription_list_id, ("", None))
        if move.outcome == Move.MOVED or (
            move.outcome == Move.WAITING
            and not person.pending_mdn
            and status == Subscription.Status.ACTIVE
            and at is not None
            and at > move.asked_at
        ):
            text = _("%(list)s: moves to the new number at once.") % {"list": name}
            if not person.pending_mdn:
                text = _("%(list)s: moved to the new number.") % {"list": name}
        elif move.outcome == Move.WAITING:
            if not person.pending_mdn and status not in Subscription.OPEN:
                continue  # left, refused or expired since: nothing to reply to any more
            text = _("%(list)s: reply Y to the text we sent to %(number)s.") % {
                "list": name,
                "number": number,
            }
        else:
            why = (
                _("it can't be joined online.")
                if move.reason == NO_CAMPAIGN
                else NUMBER_REASONS.get(move.reason, "")
            )
            text = _("%(list)s can't move to the new number: %(why)s It ends with %(old)s.") % {
                "list": name,
                "why": why,
                "old": _("your old number"),
            }
        rows.append(MoveRow(name, move.outcome, text))
    return rows


def _last_change_confirmed(person: Person) -> bool:
    last = (
        SubscriptionEvent.objects.filter(
            person=person,
            kind=SubscriptionEvent.Kind.DETAILS_CHANGED,
            changes__has_key="pending_mdn",
        )
        .order_by("-occurred_at", "-id")
        .values_list("changes", flat=True)
        .first()
    )
    return bool(last) and "mdn" in last
