"""Numbers that stopped being their person's: disconnected, failing or on a dead carrier.

Vibes ends a subscription with ``disconnect``, ``failed_at_carrier`` or
``obsolete_carrier`` when the phone number itself is gone (docs/vibes.md); carriers give
such numbers to someone else. One row per (person, number) that died: while it is open
(``revived_at`` empty) the number no longer counts as the person's. Every list ends for it,
the preference page will not re-tick a list for it, and a callback or an import naming
that number for another Vibes person makes a new person (subscribers/services/persons.py).
A fresh opt-in (a confirmed number, or a new subscription from Vibes) revives it.
Written only by subscribers/services/revocation.py.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .persons import Person

#: Vibes' opt-out reasons that say the number, not the person, went away.
DEAD_NUMBER_REASONS = frozenset({"disconnect", "failed_at_carrier", "obsolete_carrier"})


class DeadNumberQuerySet(models.QuerySet):
    def open(self):
        return self.filter(revived_at__isnull=True)


class DeadNumber(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="dead_numbers")
    mdn = models.CharField(_("mobile number"), max_length=32, db_index=True)
    reason = models.CharField(_("opt-out reason"), max_length=64)
    ended_at = models.DateTimeField(_("no longer valid since"))
    revived_at = models.DateTimeField(_("valid again since"), null=True, blank=True)
    callback = models.ForeignKey(
        "callbacks.CallbackEvent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = DeadNumberQuerySet.as_manager()

    class Meta:
        verbose_name = _("number no longer valid")
        verbose_name_plural = _("numbers no longer valid")
        constraints = [
            # One open row per person and number: a second carrier opt-out (one per list)
            # finds the first.
            models.UniqueConstraint(
                fields=["person", "mdn"],
                condition=Q(revived_at__isnull=True),
                name="dead_number_open_once",
            ),
        ]

    def __str__(self):
        return f"{self.person_id}: {self.reason} since {self.ended_at:%Y-%m-%d}"


def number_holders(mdn: str) -> models.QuerySet:
    """The persons ``mdn`` still belongs to, oldest first: a number that died on someone
    names them no more."""
    dead_on = DeadNumber.objects.open().filter(mdn=mdn).values("person_id")
    return Person.objects.filter(mdn=mdn).exclude(pk__in=dead_on).order_by("id")
