"""Model signals that turn local changes into outbox rows.

They catch every way a change is saved (services, admin, a shell, a plain ``save()``):
each instance remembers its pushed fields as loaded (``post_init``) and ``post_save``
compares. Nothing is recorded for changes that came from Vibes (``push_suppressed()``).
A confirmed new number (``services.number_confirmed``) hands the old number's Vibes record
to an ``old_number`` push, whatever the source: that push finishes the person's own request.
"""

import copy

from django.db.models.signals import post_init, post_save

from ..models import Person, Subscription
from ..services.erasure import person_erased
from ..services.numbers import number_confirmed
from .kinds.erasure import erasure_requested
from .models import Push
from .record import push_record
from .suppress import push_suppressed

PUSHED_PERSON_FIELDS = ("mdn", "external_person_id", "custom_fields")
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
    if raw or push_suppressed():
        return
    new_number = instance.pending_mdn and instance.pending_mdn != pending_before
    if new_number and (update_fields is None or "pending_mdn" in update_fields):
        # A new number is never set in Vibes directly: it is sent to an acquisition
        # campaign, whose confirmation text the person must answer (push_number).
        push_record(person_id=instance.pk, kind=Push.Kind.NUMBER)
    if update_fields is not None and not set(update_fields) & set(PUSHED_PERSON_FIELDS):
        return
    if created:
        if not (instance.mdn or instance.external_person_id):
            return  # nothing Vibes could match or store yet
    elif before == after:
        return
    push_record(person_id=instance.pk, removed=_removed(before, after))


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
    if raw or push_suppressed():
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
