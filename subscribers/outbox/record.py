"""Recording pushes in the outbox, and handing them to the worker after the commit.

``push_record`` runs inside the caller's transaction (a model signal's, an admin action's),
so a change that is committed is never forgotten, even when the broker or the worker is
down. Once the transaction commits, ``push_enqueue`` publishes the ids (``publish``: never
blocks for long, never raises); what it could not publish stays pending for the sweep.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from .. import services
from .models import Push
from .publish import publish

SEND_TASK = "subscribers.tasks.push_send"


def _target(kind: str, list_id: int | None, vibes_person: dict) -> Q:
    q = Q(kind=kind, state=Push.State.PENDING)
    if kind == Push.Kind.SUBSCRIPTION:
        q &= Q(subscription_list_id=list_id)
    if kind == Push.Kind.OLD_NUMBER:
        q &= Q(vibes_person=vibes_person)  # each old record is a target of its own
    return q


def push_record(
    *,
    person_id: int,
    kind: str = Push.Kind.PERSON,
    list_id: int | None = None,
    removed: Iterable[str] = (),
    vibes_person: dict | None = None,
    enqueue: bool = True,
) -> Push:
    """Record that ``person``'s details (or one subscription, or the Vibes record of an
    old number, ``vibes_person``) must be pushed.

    Joins the pending push for the same target when there is one (its generation goes
    up, so a send already under way knows to send again); otherwise adds one and, once
    the transaction commits, queues the task after ``PUSH_DEBOUNCE_SECONDS`` so that a
    burst of edits becomes one call.
    """
    vibes_person = vibes_person or {}
    kind = Push.Kind(kind)
    removed = sorted(set(removed))
    created = False
    with transaction.atomic():
        for _attempt in range(3):
            push = (
                Push.objects.select_for_update()
                .filter(_target(kind, list_id, vibes_person), person_id=person_id)
                .first()
            )
            if push is not None:
                push.generation += 1
                if removed:
                    push.removed = sorted(set(push.removed) | set(removed))
                push.save(update_fields=["generation", "removed", "updated_at"])
                break
            try:
                with transaction.atomic():
                    push = Push.objects.create(
                        person_id=person_id,
                        kind=kind,
                        subscription_list_id=list_id if kind == Push.Kind.SUBSCRIPTION else None,
                        removed=removed,
                        vibes_person=vibes_person,
                        queued_at=timezone.now(),
                    )
                created = True
                break
            except IntegrityError:
                continue  # another transaction added it first: join that one
        else:
            raise RuntimeError("could not record the push")
        services.person_mark_pending(person_id=person_id)
        if created and enqueue:
            push_id = push.pk
            transaction.on_commit(
                lambda: push_enqueue([push_id], countdown=settings.PUSH_DEBOUNCE_SECONDS)
            )
    return push


def push_enqueue(push_ids: list[int], *, countdown: float | None = None) -> int:
    """Publish one ``push_send`` per id and stamp them queued; return how many went out."""
    published = publish(SEND_TASK, [(pk,) for pk in push_ids], countdown=countdown)
    if published:
        Push.objects.filter(pk__in=push_ids).update(queued_at=timezone.now())
    return published
