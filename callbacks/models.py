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


class CallbackRegistration(models.Model):
    """One line of the registration plan (callbacks/plan.py) as last applied: registered
    at Vibes, left out (over the limit), or failed (Vibes refused it). Staff read which
    lists and campaigns are blind to which callback; the uncovered-lists sweep reads the
    lists without ``subscription_removed``."""

    class State(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        LEFT_OUT = "left_out", _("Left out: over the registration limit")
        FAILED = "failed", _("Failed: Vibes refused it")

    position = models.PositiveIntegerField(_("place in the plan"))
    callback_type = models.CharField(_("callback type"), max_length=64)
    scope = models.CharField(
        _("list, campaign or code"),
        max_length=64,
        blank=True,
        help_text=_("The list id, campaign id or short code the registration is filtered by."),
    )
    company_key = models.CharField(_("company key"), max_length=64, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices)
    callback_id = models.CharField(_("Vibes callback id"), max_length=64, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    checked_at = models.DateTimeField(_("checked"))

    class Meta:
        verbose_name = _("callback registration")
        verbose_name_plural = _("callback registrations")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["callback_type", "scope"], name="callback_registration_unique"
            ),
        ]

    def __str__(self):
        return f"{self.callback_type} {self.scope}".strip() + f" ({self.get_state_display()})"
