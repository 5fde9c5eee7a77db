"""What each list answered a new number: recorded by the number push, read by the page.

A person on several lists keeps every one only if each list's campaign is asked: the
number push (subscribers/outbox/kinds/number.py) asks them all before the number is
confirmed, and records here what each answered, so that the page promises what will
happen ("Order updates moves at once; Store events: reply Y"), and names a list that
cannot move before it ends with the old number.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ..models import NumberMove, Person, Source, SubscriptionEvent, SubscriptionList
from .history import history_record

#: Why a list cannot move, besides services.NUMBER_REASONS: it has no web campaign.
NO_CAMPAIGN = "no_campaign"

Answer = tuple[SubscriptionList, str, str]  # list, NumberMove.Outcome, reason ("" unless CANNOT)


def number_moves_record(
    *,
    person: Person,
    answers: list[Answer],
    source: str = Source.PUSH,
    occurred_at: datetime | None = None,
) -> None:
    """Keep each list's answer to the person's new number (replacing an earlier change's)
    and say it in the history, for staff; the page reads the rows. The number itself is
    the person's: it is kept nowhere else, so an erasure has one place less to wipe."""
    occurred_at = occurred_at or timezone.now()
    with transaction.atomic():
        NumberMove.objects.filter(person=person).delete()
        NumberMove.objects.bulk_create(
            NumberMove(
                person=person,
                subscription_list=sub_list,
                outcome=outcome,
                reason=reason,
                asked_at=occurred_at,
            )
            for sub_list, outcome, reason in answers
        )
        labels = dict(NumberMove.Outcome.choices)
        history_record(
            person=person,
            kind=SubscriptionEvent.Kind.DETAILS_CHANGED,
            source=source,
            occurred_at=occurred_at,
            note="new number asked of each list: "
            + "; ".join(
                f"{sub_list.name}: {labels[outcome]}" + (f" ({reason})" if reason else "")
                for sub_list, outcome, reason in answers
            ),
        )


def number_moves_clear(*, person: Person) -> None:
    """Forget the answers to an earlier number (a new request, or a withdrawn one).
    Bookkeeping only: the history keeps what each list answered."""
    NumberMove.objects.filter(person=person).delete()
