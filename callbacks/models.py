"""Every callback request exactly as Vibes sent it, then what became of it."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CallbackEvent(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        APPLIED = "applied", _("Applied")
        DUPLICATE = "duplicate", _("Duplicate")
        SUPERSEDED = "superseded", _("Superseded by a newer event")
        IGNORED = "ignored", _("Ignored (type not handled)")
        REJECTED = "rejected", _("Rejected (malformed)")
        FAILED = "failed", _("Failed")

    # As received
    received_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    method = models.CharField(_("method"), max_length=8)
    body = models.TextField(_("raw body"), blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    remote_addr = models.GenericIPAddressField(_("client address"), null=True, blank=True)

    # As parsed
    callback_type = models.CharField(_("type"), max_length=64, blank=True, db_index=True)
    event_id = models.CharField(_("event id"), max_length=128, blank=True, db_index=True)
    event_date = models.DateTimeField(_("event date"), null=True, blank=True)
    callback_id = models.CharField(_("callback id"), max_length=128, blank=True)
    delivery_attempt = models.PositiveIntegerField(_("delivery attempt"), null=True, blank=True)
    payload = models.JSONField(_("parsed body"), null=True, blank=True)
    dedupe_key = models.CharField(
        _("de-duplication key"),
        max_length=200,
        null=True,
        blank=True,
        unique=True,
        help_text=_("type:event id of the first delivery; repeats leave it empty."),
    )

    # What became of it
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.RECEIVED,
    )
    error = models.TextField(_("error"), blank=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("processing attempts"), default=0)
    person = models.ForeignKey(
        "subscribers.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="callbacks",
    )
    mdn = models.CharField(_("mobile number"), max_length=32, blank=True, db_index=True)
    # The number the body names, in E.164 whatever form Vibes sent it in, set at intake
    # for every stored request (duplicates and rejected ones too, which are never
    # applied): an erasure finds the callbacks of a number by it (services/erasure.py).
    number = models.CharField(
        _("number (E.164)"), max_length=32, blank=True, db_index=True, editable=False
    )

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["status", "received_at"], name="callback_status_time_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "received",
                        "applied",
                        "duplicate",
                        "superseded",
                        "ignored",
                        "rejected",
                        "failed",
                    ]
                ),
                name="callback_status_valid",
            ),
        ]

    def __str__(self):
        kind = self.callback_type or "unparsed"
        return f"{kind} {self.event_id} ({self.get_status_display()})"
