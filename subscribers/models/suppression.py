"""Numbers that must never be texted again, kept only as a keyed hash, and each time one
of them came back (a sign-up, a callback, an import naming it).

An erasure (``services.erasure.person_erase``) wipes a person's number but leaves its
hash here (``subscribers.suppression.number_hash``), so the number is recognised without
being kept. A hit is shown to staff (admin list and index figure) until reviewed.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .lists import SubscriptionList
from .persons import Person, Source


class SuppressedNumber(models.Model):
    class Reason(models.TextChoices):
        ERASURE = "erasure", _("Erasure requested")

    number_hash = models.CharField(_("number (keyed hash)"), max_length=64, unique=True)
    reason = models.CharField(
        _("reason"), max_length=32, choices=Reason.choices, default=Reason.ERASURE
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The erased record (no personal data left on it)."),
    )
    created_at = models.DateTimeField(_("suppressed since"), auto_now_add=True)

    class Meta:
        verbose_name = _("suppressed number")
        verbose_name_plural = _("suppressed numbers")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("erase_person", _("Can erase persons (their number stays suppressed)")),
        ]

    def __str__(self):
        return f"#{self.pk} {self.get_reason_display()} ({self.number_hash[:12]}…)"


class SuppressionHit(models.Model):
    """A suppressed number named again. ``refused``: nothing was changed for it (a local
    sign-up); otherwise Vibes already had it (a callback or import) and it was applied,
    flagged here for staff to act on."""

    suppressed = models.ForeignKey(SuppressedNumber, on_delete=models.CASCADE, related_name="hits")
    seen_at = models.DateTimeField(_("seen"), auto_now_add=True)
    source = models.CharField(_("source"), max_length=32, choices=Source.choices)
    what = models.CharField(_("what named it"), max_length=64)
    refused = models.BooleanField(_("refused"), default=False)
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subscription_list = models.ForeignKey(
        SubscriptionList, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    tries = models.PositiveIntegerField(
        _("times named"),
        default=1,
        help_text=_("How often the number was named again while this row waited for review."),
    )
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        constraints = [
            # One row per number waiting for staff (subscribers/suppression.py, ``flag``).
            models.UniqueConstraint(
                fields=["suppressed"],
                condition=Q(reviewed_at__isnull=True),
                name="suppression_hit_open_once",
            ),
        ]
        verbose_name = _("suppressed number named again")
        verbose_name_plural = _("suppressed numbers named again")
        ordering = ["-seen_at", "-id"]
        indexes = [
            models.Index(
                fields=["seen_at"],
                condition=Q(reviewed_at__isnull=True),
                name="suppression_hit_open_idx",
            ),
        ]

    def __str__(self):
        return f"{self.what} ({self.get_source_display()}) at {self.seen_at:%Y-%m-%d %H:%M}"
