"""Texts that may revoke consent but need a person to decide: the review queue.

A text that is plainly a revocation ("STOP", "Cancelar") is applied at once
(callbacks/handlers/messages.py); one that only sounds like one ("please stop texting
me"), or any revocation from a number nobody here has, waits here with the callback that
brought it, so nothing a phone said is lost. Staff confirm (the same opt-out as a plain
STOP, subscribers/services/revocation.py) or dismiss it, once.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .persons import Person


class RevocationReview(models.Model):
    class Reason(models.TextChoices):
        NEAR_MISS = "near_miss", _("Sounds like an opt-out")
        UNKNOWN_NUMBER = "unknown_number", _("Opt-out from a number we do not have")

    class State(models.TextChoices):
        OPEN = "open", _("Waiting for review")
        CONFIRMED = "confirmed", _("Confirmed: opted out")
        DISMISSED = "dismissed", _("Dismissed: not an opt-out")

    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revocation_reviews",
    )
    mdn = models.CharField(_("mobile number"), max_length=32, blank=True, db_index=True)
    text = models.TextField(_("text the phone sent"))
    sent_at = models.DateTimeField(_("sent at"))
    reason = models.CharField(_("why it waits"), max_length=16, choices=Reason.choices)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.OPEN)
    callback = models.OneToOneField(
        "callbacks.CallbackEvent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revocation_review",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("text to review")
        verbose_name_plural = _("texts to review (opt-outs)")
        indexes = [models.Index(fields=["state", "sent_at"], name="revocation_state_time_idx")]
        permissions = [
            ("decide_revocationreview", _("Can confirm or dismiss texts that may be opt-outs")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["open", "confirmed", "dismissed"]),
                name="revocation_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(reason__in=["near_miss", "unknown_number"]),
                name="revocation_reason_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_reason_display()}: {self.text[:40]}"
