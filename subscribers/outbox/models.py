"""The outbox: what must still be pushed to Vibes, and every attempt made.

A signal writes a ``Push`` row in the same transaction as the change, so a change that
is committed is never forgotten, even when the broker or the worker is down. There is at
most one pending row per (person, what): further edits bump its ``generation`` instead of
adding rows, and the task sends the person's *current* state, so quick edits coalesce.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Push(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", _("Person details")
        SUBSCRIPTION = "subscription", _("Subscription")
        NUMBER = "number", _("New number (confirmation text)")
        OLD_NUMBER = "old_number", _("Old number (unsubscribe, hand over our ids)")
        ERASURE = "erasure", _("Erasure (unsubscribe, number and fields set to null)")
        TEXT = "text", _("A text of our own (Event API)")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed (will be retried later)")
        STOPPED = "stopped", _("Stopped: needs attention")
        SUPERSEDED = "superseded", _("Superseded by a newer push")

    person = models.ForeignKey(
        "subscribers.Person", on_delete=models.CASCADE, related_name="pushes"
    )
    kind = models.CharField(_("what"), max_length=16, choices=Kind.choices)
    subscription_list = models.ForeignKey(
        "subscribers.SubscriptionList",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING
    )
    generation = models.PositiveIntegerField(
        _("edits"), default=1, help_text=_("Raised by each edit coalesced into this push.")
    )
    removed = models.JSONField(
        _("fields removed"),
        default=list,
        blank=True,
        help_text=_("Fields emptied locally, sent to Vibes as null (e.g. custom_fields.city)."),
    )
    vibes_person = models.JSONField(
        _("Vibes record"),
        default=dict,
        blank=True,
        help_text=_(
            "The Vibes person this push is about when it is not the person's own: after a "
            "number change, the one holding the old number (person_key, person_id, mdn)."
        ),
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    queued_at = models.DateTimeField(_("last queued"), null=True, blank=True)
    lease_until = models.DateTimeField(_("being sent until"), null=True, blank=True)
    lease_owner = models.CharField(
        _("being sent by"),
        max_length=200,
        blank=True,
        help_text=_("The worker process holding the lease, as host:pid."),
    )
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    done_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("push to Vibes")
        verbose_name_plural = _("pushes to Vibes")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["state", "queued_at"], name="push_state_queued_idx"),
            models.Index(fields=["person", "state"], name="push_person_state_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(state="pending", kind="person"),
                name="push_one_pending_person",
            ),
            models.UniqueConstraint(
                fields=["person", "subscription_list"],
                condition=Q(state="pending", kind="subscription"),
                name="push_one_pending_subscription",
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(state="pending", kind="number"),
                name="push_one_pending_number",
            ),
            models.CheckConstraint(
                condition=Q(
                    kind__in=["person", "number", "old_number", "erasure", "text"],
                    subscription_list__isnull=True,
                )
                | Q(kind="subscription", subscription_list__isnull=False),
                name="push_list_matches_kind",
            ),
        ]

    def __str__(self):
        what = self.get_kind_display()
        if self.subscription_list_id:
            what = f"{what} on list #{self.subscription_list_id}"
        return f"Push #{self.pk}: {what} ({self.get_state_display()})"


class Text(models.Model):
    """A text of our own sent through Vibes' Event API (``outbox/texts.py``): the code
    proving a new number, or a preference link asked for by number. Neither is stored:
    the code is kept sealed (``sealed``, a one-time pad keyed by SECRET_KEY and the event
    id) until Vibes accepts it, then emptied; the link is made afresh when it is sent."""

    class Kind(models.TextChoices):
        NUMBER_CODE = "number_code", _("Code proving a new number")
        PREFERENCE_LINK = "preference_link", _("Preference link")

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting to go to Vibes")
        ACCEPTED = "accepted", _("Accepted by Vibes (202)")
        SENT = "sent", _("Routed to the phone")
        FAILED = "failed", _("Could not be sent")

    person = models.ForeignKey("subscribers.Person", on_delete=models.CASCADE, related_name="texts")
    kind = models.CharField(_("what"), max_length=16, choices=Kind.choices)
    event_id = models.CharField(_("event id"), max_length=64, unique=True)
    event_type = models.CharField(_("event type"), max_length=64, blank=True)
    proof = models.ForeignKey(
        "subscribers.NumberProof",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="texts",
    )
    push = models.OneToOneField(
        Push, on_delete=models.SET_NULL, null=True, blank=True, related_name="text"
    )
    sealed = models.CharField(max_length=16, blank=True, editable=False)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default="queued")
    reason = models.CharField(_("why it could not be sent"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("asked for"), auto_now_add=True)
    settled_at = models.DateTimeField(_("Vibes' answer"), null=True, blank=True)

    class Meta:
        verbose_name = _("text of our own")
        verbose_name_plural = _("texts of our own")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk} ({self.get_state_display()})"


class PushAttempt(models.Model):
    """One HTTP call made for a push: what was sent (numbers masked) and what came back."""

    push = models.ForeignKey(Push, on_delete=models.CASCADE, related_name="attempts_made")
    started_at = models.DateTimeField(_("sent at"))
    method = models.CharField(_("method"), max_length=8)
    path = models.CharField(_("path"), max_length=500)
    request_body = models.JSONField(_("sent"), null=True, blank=True)
    http_status = models.PositiveSmallIntegerField(_("Vibes' status"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        verbose_name = _("push attempt")
        verbose_name_plural = _("push attempts")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.method} {self.path} → {self.http_status or self.error[:40]}"


class VibesAccess(models.Model):
    """Whether Vibes accepts our API credentials: one row (pk 1), so a refused password is
    one notice for staff and one probe a minute, not a stopped push per person."""

    refused_since = models.DateTimeField(_("refused since"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)

    class Meta:
        verbose_name = _("access to Vibes")
        verbose_name_plural = _("access to Vibes")

    def __str__(self):
        return f"refused since {self.refused_since:%Y-%m-%d %H:%M}" if self.refused_since else "ok"
