"""Retention: what is kept, and for how long (README "Compliance").

- Raw callback bodies (body, headers, parsed payload, number column) are emptied
  ``RETENTION_BODY_DAYS`` after they arrived, once applied or otherwise settled (one still
  waiting or failed keeps its body: it is needed to apply or replay it). The row stays:
  its type, ids, dates and outcome are the record of what Vibes sent.
- Push attempt bodies (what we sent, numbers already masked) are emptied after
  ``RETENTION_BODY_DAYS``; the attempt (when, what path, Vibes' status) stays. So is the
  Vibes record a finished push was about (an old number's, ``Push.vibes_person``).
- Consent records (the opt-in history) keep their evidence ``RETENTION_CONSENT_DAYS``;
  after that the personal columns are emptied the way an erasure empties them (the only
  update the history allows). The rows stay: the history is append-only.

Each part runs in batches of ``RETENTION_BATCH_SIZE`` rows by primary key, at most
``RETENTION_MAX_BATCHES`` per part and run, so a run never holds a long lock.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from callbacks.models import CallbackEvent

from ..models import Push, PushAttempt, SubscriptionEvent

SETTLED = [
    CallbackEvent.Status.APPLIED,
    CallbackEvent.Status.DUPLICATE,
    CallbackEvent.Status.SUPERSEDED,
    CallbackEvent.Status.IGNORED,
    CallbackEvent.Status.REJECTED,
]


@dataclass
class PruneResult:
    counts: dict = field(default_factory=dict)
    more: bool = False  # a part stopped at its bound with rows left

    def summary(self) -> str:
        shown = ", ".join(f"{k}: {v}" for k, v in self.counts.items())
        return shown + ("; more left for the next run" if self.more else "")


def _batched(queryset, apply, *, batch: int, max_batches: int) -> tuple[int, bool]:
    done = 0
    for _ in range(max_batches):
        with transaction.atomic():
            ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:batch])
            if not ids:
                return done, False
            done += apply(ids)
        if len(ids) < batch:
            return done, False
    return done, queryset.exists()


def retention_prune(
    *, now: datetime | None = None, batch: int | None = None, max_batches: int | None = None
) -> PruneResult:
    now = now or timezone.now()
    batch = batch or settings.RETENTION_BATCH_SIZE
    max_batches = max_batches or settings.RETENTION_MAX_BATCHES
    bodies_before = now - timedelta(days=settings.RETENTION_BODY_DAYS)
    consent_before = now - timedelta(days=settings.RETENTION_CONSENT_DAYS)
    result = PruneResult()
    bound = {"batch": batch, "max_batches": max_batches}

    callbacks = CallbackEvent.objects.filter(
        received_at__lt=bodies_before, status__in=SETTLED
    ).filter(~Q(body="") | Q(payload__isnull=False) | ~Q(mdn="") | ~Q(number=""))
    n, more = _batched(
        callbacks,
        lambda ids: CallbackEvent.objects.filter(pk__in=ids).update(
            body="", headers={}, payload=None, mdn="", number=""
        ),
        **bound,
    )
    result.counts["callback bodies"], result.more = n, more

    attempts = PushAttempt.objects.filter(started_at__lt=bodies_before, request_body__isnull=False)
    n, more = _batched(
        attempts,
        lambda ids: PushAttempt.objects.filter(pk__in=ids).update(request_body=None),
        **bound,
    )
    result.counts["push attempt bodies"], result.more = n, result.more or more

    # On the outbox's (state, queued_at) index; only these kinds name another record.
    finished = Push.objects.filter(
        state__in=[Push.State.DONE, Push.State.SUPERSEDED],
        queued_at__lt=bodies_before,
        kind__in=[Push.Kind.OLD_NUMBER, Push.Kind.ERASURE],
    ).exclude(vibes_person={})
    n, more = _batched(
        finished,
        lambda ids: Push.objects.filter(pk__in=ids).update(vibes_person={}),
        **bound,
    )
    result.counts["finished push records"], result.more = n, result.more or more

    evidence = SubscriptionEvent.objects.filter(occurred_at__lt=consent_before).filter(
        Q(ip_address__isnull=False) | ~Q(user_agent="") | ~Q(page="") | ~Q(changes={})
    )
    n, more = _batched(
        evidence,
        lambda ids: SubscriptionEvent.objects.filter(pk__in=ids).erase_personal(),
        **bound,
    )
    result.counts["consent evidence"], result.more = n, result.more or more
    return result
