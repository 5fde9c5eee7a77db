"""Subscription lists and each person's current state on them."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .persons import Person


class SubscriptionList(models.Model):
    list_id = models.CharField(_("Vibes list id"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_es = models.CharField(
        _("name in Spanish"),
        max_length=200,
        blank=True,
        help_text=_("Shown on the Spanish preference page; the name above when empty."),
    )
    acquisition_campaign_id = models.CharField(
        _("web acquisition campaign"),
        max_length=64,
        blank=True,
        help_text=_("The Vibes acquisition campaign that subscribes people from the web."),
    )
    is_public = models.BooleanField(
        _("offered on preference pages"),
        default=False,
    )
    public_description = models.CharField(
        _("public description"),
        max_length=300,
        blank=True,
    )
    public_description_es = models.CharField(
        _("public description in Spanish"),
        max_length=300,
        blank=True,
    )
    confirms_by_text = models.BooleanField(
        _("texts a confirmation"),
        default=True,
        help_text=_(
            "Whether the web campaign in Vibes texts a confirmation (reply Y) before it "
            "subscribes (double opt-in), or subscribes at once (single opt-in). The "
            "preference page tells people which; Vibes' answers to our sign-ups keep it right."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("subscription list")
        verbose_name_plural = _("subscription lists")
        ordering = ["name"]

    def __str__(self):
        return self.name


class SubscriptionQuerySet(models.QuerySet):
    def open(self):
        """Subscribed or waiting for the confirmation text: the person is "on" the list."""
        return self.filter(status__in=Subscription.OPEN)


class Subscription(models.Model):
    """The current state of one person on one list."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        ACTIVE = "active", _("Subscribed")
        OPTED_OUT = "opted_out", _("Opted out")
        REJECTED = "rejected", _("Rejected")

    #: The statuses in which a person is on the list (or about to be).
    OPEN = (Status.ACTIVE, Status.PENDING)

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="subscriptions")
    subscription_list = models.ForeignKey(
        SubscriptionList,
        on_delete=models.PROTECT,
        related_name="subscriptions",
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    opt_in_date = models.DateTimeField(_("opted in"), null=True, blank=True)
    opt_out_date = models.DateTimeField(_("opted out"), null=True, blank=True)
    opt_out_reason = models.CharField(
        _("opt-out reason"),
        max_length=64,
        blank=True,
        help_text=_("Vibes' value, kept as given even when new to us."),
    )
    acquisition_campaign_id = models.CharField(_("acquisition campaign"), max_length=64, blank=True)
    last_event_at = models.DateTimeField(
        _("newest event applied"),
        null=True,
        blank=True,
        help_text=_("The source date of the newest change applied; older events never undo it."),
    )
    confirm_by = models.DateTimeField(
        _("confirmation expires"),
        null=True,
        blank=True,
        help_text=_(
            "While waiting for confirmation: when the request ends unanswered (the "
            "campaign's expire date, else PENDING_CONFIRMATION_HOURS after the request)."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "subscription_list"],
                name="subscription_one_per_person_list",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "active", "opted_out", "rejected"]),
                name="subscription_status_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["subscription_list", "status"], name="subscription_list_status_idx"
            ),
            models.Index(fields=["status"], name="subscription_status_idx"),
            # The expiry sweep (subscribers/repair/expiry.py) reads the waiting ones only.
            models.Index(
                fields=["confirm_by"],
                condition=Q(status="pending"),
                name="subscription_confirm_by_idx",
            ),
        ]

    def __str__(self):
        return f"{self.person} on {self.subscription_list}: {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN
