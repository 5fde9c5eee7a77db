"""Outgoing webhooks: endpoints staff register, events recorded in the same transaction as
the change (an outbox), one delivery per event and endpoint, and every attempt kept.

An event is recorded when a history row is (webhooks/record.py), for every endpoint that
asked for its type, so nothing is lost while an endpoint is down or disabled. Deliveries
to one endpoint go out in order per person (``ordering_key``): a later event waits for
the earlier one (webhooks/deliver.py).
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    OPTED_IN = "subscription.opted_in", _("Subscribed (opted in)")
    OPTED_OUT = "subscription.opted_out", _("Opted out")
    PENDING = "subscription.pending", _("Waiting for the phone's confirmation")
    PERSON_UPDATED = "person.updated", _("Person's details changed")
    NUMBER_CHANGED = "person.number_changed", _("Person's number changed")
    PERSON_ERASED = "person.erased", _("Person erased")


class WebhookEndpoint(models.Model):
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_types = models.JSONField(_("event types"), default=list)
    secret = models.CharField(
        _("signing secret"),
        max_length=100,
        editable=False,
        help_text=_("Standard Webhooks secret (whsec_…): shown once, when made."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    disabled_at = models.DateTimeField(_("disabled (kept failing)"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["url"]

    def __str__(self):
        return self.description or self.url


class WebhookEvent(models.Model):
    """One event, as it will be sent: its own id (the ``webhook-id`` header) and body."""

    msg_id = models.CharField(_("event id"), max_length=40, unique=True, editable=False)
    event_type = models.CharField(_("type"), max_length=40, choices=EventType.choices)
    person_id = models.BigIntegerField(_("person"), null=True, db_index=True)
    history_id = models.BigIntegerField(_("history row"), null=True)
    payload = models.JSONField(_("body"))
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.event_type} {self.msg_id}"

    @staticmethod
    def new_id() -> str:
        return f"msg_{uuid.uuid4().hex}"


class WebhookDelivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed after a day of retries")

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    ordering_key = models.CharField(_("order within"), max_length=40)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    # A worker sending it holds it until then (webhooks/deliver.py): no HTTP in a transaction.
    claimed_until = models.DateTimeField(_("being sent until"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="webhook_delivery_once"),
        ]
        indexes = [
            models.Index(
                fields=["endpoint", "ordering_key", "id"],
                condition=Q(state="pending"),
                name="webhook_pending_idx",
            ),
        ]

    def __str__(self):
        return f"{self.event} → {self.endpoint}: {self.get_state_display()}"


class WebhookAttempt(models.Model):
    """One HTTP request to a receiver: the delivery log."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    started_at = models.DateTimeField(_("sent"))
    duration_ms = models.PositiveIntegerField(_("took (ms)"), default=0)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.status_code or self.error[:40]} at {self.started_at:%Y-%m-%d %H:%M:%S}"
