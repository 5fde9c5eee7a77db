"""Every opt-out's deadline: Vibes must confirm it, within an internal target and at the
latest within the FCC's ten business days (``subscribers.deadlines``)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .history import SubscriptionEvent
from .lists import SubscriptionList
from .persons import Person, Source


class OptOutDeadline(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    subscription_list = models.ForeignKey(
        SubscriptionList, on_delete=models.CASCADE, related_name="+"
    )
    event = models.ForeignKey(
        SubscriptionEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source = models.CharField(_("source"), max_length=32, choices=Source.choices)
    opt_out_reason = models.CharField(_("opt-out reason"), max_length=64, blank=True)
    opted_out_at = models.DateTimeField(_("opted out"))
    target_at = models.DateTimeField(_("internal target"))
    due_at = models.DateTimeField(_("due (10 business days)"))
    confirmed_at = models.DateTimeField(_("confirmed by Vibes"), null=True, blank=True)
    confirmed_how = models.CharField(_("confirmed by"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("opt-out deadline")
        verbose_name_plural = _("opt-out deadlines")
        ordering = ["opted_out_at", "id"]
        indexes = [
            # The open ones, oldest first, and those past the target: small partial indexes.
            models.Index(
                fields=["opted_out_at", "id"],
                condition=Q(confirmed_at__isnull=True),
                name="optout_open_idx",
            ),
            models.Index(
                fields=["target_at"],
                condition=Q(confirmed_at__isnull=True),
                name="optout_open_target_idx",
            ),
            models.Index(
                fields=["person", "subscription_list"],
                condition=Q(confirmed_at__isnull=True),
                name="optout_open_person_idx",
            ),
            models.Index(fields=["-opted_out_at"], name="optout_recent_idx"),
        ]

    def __str__(self):
        state = "confirmed" if self.confirmed_at else "open"
        when = f"{self.opted_out_at:%Y-%m-%d %H:%M}"
        return f"opt-out of list #{self.subscription_list_id} at {when} ({state})"
