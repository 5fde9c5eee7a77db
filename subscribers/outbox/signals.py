"""The one place that says what is pushed to Vibes: model signals that turn local
changes into outbox rows.

They catch every way a change is saved (services, admin, a shell, a plain ``save()``):
each instance remembers its pushed fields as loaded (``post_init``) and ``post_save``
compares. What is pushed:

- a change to a person's ``PUSHED_FIELDS`` (number, external id, custom fields), which is
  also stamped in ``Person.local_edits`` so that a late echo from Vibes never undoes it
  (``rules.echo``): what is pushed is exactly what is protected;
- a new number waiting for its confirmation (a ``number`` push);
- a subscription that becomes pending or opted out;
- a confirmed new number's old record (``old_number``) and an erasure, by their own signals.

What is not: a save the write itself marked ``unpushed`` (``outbox.origin``: changes from
Vibes, and changes a push kind of its own sends). Queryset writes fire no signal and are
refused for pushed fields (``models.persons.PersonQuerySet``); the bulk writer takes only
changes from Vibes (``services.bulk``).
"""

import copy

from django.db.models.signals import post_init, post_save
from django.utils import timezone

from ..models import PUSHED_FIELDS, Person, Subscription
from ..services.erasure import person_erased
from ..services.numbers import number_confirmed
from .kinds.erasure import erasure_requested
from .models import Push
from .origin import take_changed_at, take_unpushed
from .record import push_record

WANTED_STATES = (Subscription.Status.PENDING, Subscription.Status.OPTED_OUT)


def _person_snapshot(person: Person) -> tuple:
    fields = person.__dict__
    return (
        fields.get("mdn"),
        fields.get("external_person_id"),
        copy.deepcopy(fields.get("custom_fields")),
    )


def person_loaded(sender, instance, **kwargs):
    instance._vibes_pushed = _person_snapshot(instance)
    instance._vibes_pending_mdn = instance.__dict__.get("pending_mdn")


def person_saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    before = getattr(instance, "_vibes_pushed", (None, None, None))
    instance._vibes_pushed = after = _person_snapshot(instance)
    pending_before = getattr(instance, "_vibes_pending_mdn", None)
    instance._vibes_pending_mdn = instance.pending_mdn
    changed_at = take_changed_at(instance)
    if take_unpushed(instance) or raw:
        return
    new_number = instance.pending_mdn and instance.pending_mdn != pending_before
    if new_number and (update_fields is None or "pending_mdn" in update_fields):
        # A new number is never set in Vibes directly: it is sent to an acquisition
        # campaign, whose confirmation text the person must answer (push_number).
        push_record(person_id=instance.pk, kind=Push.Kind.NUMBER)
    if update_fields is not None and not set(update_fields) & set(PUSHED_FIELDS):
        return
    if created:
        if not (instance.mdn or instance.external_person_id):
            return  # nothing Vibes could match or store yet
    elif before == after:
        return
    changed = _changed((None, None, None) if created else before, after)
    _stamp_local_edits(instance, changed, changed_at or timezone.now())
    push_record(person_id=instance.pk, removed=_removed(before, after))


def _changed(before: tuple, after: tuple) -> list[str]:
    """The pushed fields that differ, a custom field as ``custom_fields.<key>``."""
    changed = [name for name, b, a in zip(PUSHED_FIELDS[:2], before, after, strict=False) if b != a]
    old, new = before[2] or {}, after[2] or {}
    if isinstance(old, dict) and isinstance(new, dict):
        changed += [
            f"custom_fields.{k}"
            for k in sorted(old.keys() | new.keys())
            if old.get(k) != new.get(k)
        ]
    elif old != new:
        changed.append("custom_fields")
    return changed


def _stamp_local_edits(person: Person, changed: list[str], when) -> None:
    """Record when each pushed field changed here, in the same transaction as the change."""
    if not changed:
        return
    edits = {**(person.local_edits or {}), **dict.fromkeys(changed, when.isoformat())}
    Person.objects.filter(pk=person.pk).update(local_edits=edits)
    person.local_edits = edits


def _removed(before: tuple, after: tuple) -> list[str]:
    """Fields that had a value and lost it: sent as null so Vibes removes them too."""
    removed = []
    if before[0] and not after[0]:
        removed.append("mdn")
    if before[1] and not after[1]:
        removed.append("external_person_id")
    old_fields, new_fields = before[2] or {}, after[2] or {}
    if isinstance(old_fields, dict) and isinstance(new_fields, dict):
        removed += [f"custom_fields.{k}" for k in old_fields if new_fields.get(k) is None]
    return removed


def subscription_loaded(sender, instance, **kwargs):
    instance._vibes_status = instance.__dict__.get("status")


def subscription_saved(sender, instance, created, raw=False, **kwargs):
    before = getattr(instance, "_vibes_status", None)
    instance._vibes_status = instance.status
    if take_unpushed(instance) or raw:
        return
    if instance.status not in WANTED_STATES or (not created and before == instance.status):
        return
    push_record(
        person_id=instance.person_id,
        kind=Push.Kind.SUBSCRIPTION,
        list_id=instance.subscription_list_id,
    )


def old_number_retired(sender, person, old_record, **kwargs):
    push_record(person_id=person.pk, kind=Push.Kind.OLD_NUMBER, vibes_person=old_record)


def connect() -> None:
    post_init.connect(person_loaded, sender=Person, dispatch_uid="vibes_person_loaded")
    post_save.connect(person_saved, sender=Person, dispatch_uid="vibes_person_saved")
    post_init.connect(subscription_loaded, sender=Subscription, dispatch_uid="vibes_sub_loaded")
    post_save.connect(subscription_saved, sender=Subscription, dispatch_uid="vibes_sub_saved")
    number_confirmed.connect(old_number_retired, dispatch_uid="vibes_old_number")
    person_erased.connect(erasure_requested, dispatch_uid="vibes_erasure")
