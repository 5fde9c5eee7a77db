"""Persons, subscription lists, subscriptions and their append-only opt-in history.

Nothing outside ``subscribers.services`` saves these models; every service records the
``SubscriptionEvent`` rows that explain what it changed.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from .phone import mask


class Source(models.TextChoices):
    """Where a change came from. Changes from Vibes itself are never pushed back."""

    VIBES_CALLBACK = "vibes_callback", _("Vibes callback")
    PREFERENCE_PAGE = "preference_page", _("Preference page")
    ADMIN = "admin", _("Admin")
    IMPORT = "import", _("Subscription extract import")
    RECONCILE = "reconcile", _("Reconcile with Vibes")
    PUSH = "push", _("Push to Vibes")
    SYSTEM = "system", _("System")

    @classmethod
    def from_vibes(cls) -> frozenset[str]:
        return frozenset({cls.VIBES_CALLBACK, cls.IMPORT, cls.RECONCILE, cls.PUSH})


class Person(models.Model):
    class SyncState(models.TextChoices):
        IN_SYNC = "in_sync", _("In sync")
        PENDING = "pending", _("Pending")
        FAILED = "failed", _("Failed")
        ATTENTION = "attention", _("Needs attention")

    person_key = models.CharField(
        _("Vibes person key"),
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Vibes' id for the person; empty until Vibes has told us."),
    )
    vibes_person_id = models.CharField(
        _("Vibes legacy person id"),
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        help_text=_("The deprecated person_id Vibes still sends in callbacks."),
    )
    external_person_id = models.CharField(
        _("external person id"),
        max_length=128,
        null=True,
        blank=True,
        unique=True,
        help_text=_("This company's own id for the person (≤ 128 characters)."),
    )
    mdn = models.CharField(
        _("mobile number"),
        max_length=32,
        blank=True,
        db_index=True,
        help_text=_("E.164, e.g. +14155550132."),
    )
    pending_mdn = models.CharField(
        _("new number waiting for confirmation"),
        max_length=32,
        blank=True,
        help_text=_(
            "A number the person asked to use (E.164). It replaces the mobile number only "
            "after the person replies Y to the acquisition campaign's confirmation text."
        ),
    )
    carrier_code = models.CharField(_("carrier code"), max_length=32, blank=True)
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, blank=True)
    vibes_created_at = models.DateTimeField(_("created in Vibes"), null=True, blank=True)
    vibes_updated_at = models.DateTimeField(_("updated in Vibes"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    sync_state = models.CharField(
        _("sync state"),
        max_length=16,
        choices=SyncState.choices,
        default=SyncState.IN_SYNC,
    )
    sync_error = models.TextField(_("sync problem"), blank=True)
    last_change_source = models.CharField(
        _("source of last change"),
        max_length=32,
        choices=Source.choices,
        blank=True,
    )
    last_change_at = models.DateTimeField(_("last change"), null=True, blank=True)
    link_version = models.PositiveIntegerField(
        _("preference link version"),
        default=1,
        help_text=_("Raising it revokes every preference link sent to this person."),
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [
            models.Index(fields=["sync_state"], name="person_sync_state_idx"),
            models.Index(fields=["last_change_source"], name="person_last_source_idx"),
            models.Index(fields=["-last_change_at", "-id"], name="person_last_change_idx"),
            # Callbacks for a number someone asked to switch to find them by it.
            models.Index(
                fields=["pending_mdn"],
                condition=~Q(pending_mdn=""),
                name="person_pending_mdn_idx",
            ),
            # The admin searches names case-insensitively on these exact expressions.
            models.Index(
                Lower(KeyTextTransform("first_name", "custom_fields")),
                name="person_first_name_idx",
            ),
            models.Index(
                Lower(KeyTextTransform("last_name", "custom_fields")),
                name="person_last_name_idx",
            ),
        ]
        permissions = [
            ("opt_out_person", _("Can opt persons out of lists from the admin")),
            ("export_person", _("Can export persons and proof of consent")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(sync_state__in=["in_sync", "pending", "failed", "attention"]),
                name="person_sync_state_valid",
            ),
            models.CheckConstraint(
                condition=~Q(person_key=""),
                name="person_key_not_empty",
            ),
            models.CheckConstraint(
                condition=~Q(vibes_person_id=""),
                name="person_vibes_id_not_empty",
            ),
            models.CheckConstraint(
                condition=~Q(external_person_id=""),
                name="person_external_id_not_empty",
            ),
        ]

    def __str__(self):
        first = (self.custom_fields or {}).get("first_name")
        last = (self.custom_fields or {}).get("last_name")
        name = " ".join(str(v) for v in (first, last) if isinstance(v, str) and v)
        label = name or self.external_person_id or self.person_key or f"#{self.pk}"
        return f"{label} ({mask(self.mdn)})" if self.mdn else label

    @property
    def masked_mdn(self) -> str:
        return mask(self.mdn)


class SubscriptionList(models.Model):
    list_id = models.CharField(_("Vibes list id"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
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
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("subscription list")
        verbose_name_plural = _("subscription lists")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Subscription(models.Model):
    """The current state of one person on one list."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        ACTIVE = "active", _("Subscribed")
        OPTED_OUT = "opted_out", _("Opted out")
        REJECTED = "rejected", _("Rejected")

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
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

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
        ]

    def __str__(self):
        return f"{self.person} on {self.subscription_list}: {self.get_status_display()}"


class SubscriptionEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Subscription history is append-only.")

    def delete(self):
        raise TypeError("Subscription history is append-only.")


class SubscriptionEvent(models.Model):
    """One row of the append-only opt-in history. Never updated, never deleted."""

    class Kind(models.TextChoices):
        OPTIN_REQUESTED = "optin_requested", _("Opt-in requested")
        OPTIN_CONFIRMED = "optin_confirmed", _("Opt-in confirmed")
        OPTED_IN = "opted_in", _("Opted in")
        OPTIN_REJECTED = "optin_rejected", _("Opt-in rejected")
        OPTED_OUT = "opted_out", _("Opted out")
        DETAILS_CHANGED = "details_changed", _("Details changed")
        LINK_REVOKED = "link_revoked", _("Preference links revoked")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="events")
    subscription_list = models.ForeignKey(
        SubscriptionList,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    kind = models.CharField(_("what happened"), max_length=32, choices=Kind.choices)
    source = models.CharField(_("source"), max_length=32, choices=Source.choices)
    occurred_at = models.DateTimeField(_("happened at the source"))
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    staff_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    opt_out_reason = models.CharField(_("opt-out reason"), max_length=64, blank=True)
    acquisition_campaign_id = models.CharField(_("acquisition campaign"), max_length=64, blank=True)
    superseded = models.BooleanField(
        _("superseded"),
        default=False,
        help_text=_("Older than a change already applied, so kept for the record only."),
    )
    changes = models.JSONField(
        _("changes"),
        default=dict,
        blank=True,
        help_text=_("For details changed: {field: [old, new]}."),
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=512, blank=True)
    page = models.CharField(_("page"), max_length=300, blank=True)
    wording = models.TextField(_("wording shown"), blank=True)
    note = models.TextField(_("note"), blank=True)
    callback = models.ForeignKey(
        "callbacks.CallbackEvent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subscription_events",
    )

    objects = SubscriptionEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("opt-in history")
        indexes = [
            models.Index(fields=["person", "-occurred_at", "-id"], name="event_person_time_idx"),
            models.Index(
                fields=["subscription_list", "kind", "occurred_at"],
                name="event_list_kind_time_idx",
            ),
            # The list page's daily chart: counted from this index alone (no table reads).
            models.Index(
                fields=["subscription_list", "occurred_at", "kind"],
                condition=Q(superseded=False, kind__in=["opted_in", "opted_out"]),
                name="event_list_daily_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "optin_requested",
                        "optin_confirmed",
                        "opted_in",
                        "optin_rejected",
                        "opted_out",
                        "details_changed",
                        "link_revoked",
                    ]
                ),
                name="event_kind_valid",
            ),
        ]

    def __str__(self):
        when = f"{self.occurred_at:%Y-%m-%d %H:%M}"
        return f"{self.get_kind_display()} ({self.get_source_display()}) at {when}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise TypeError("Subscription history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Subscription history is append-only.")


class CustomField(models.Model):
    """A custom field defined in Vibes (they must exist there before use)."""

    class Type(models.TextChoices):
        TEXT = "text", _("Text")
        DATE = "date", _("Date")
        SINGLE_SELECT = "single_select", _("Single select")
        MULTI_SELECT = "multi_select", _("Multi select")

    key = models.SlugField(_("Vibes key"), max_length=100, unique=True)
    label = models.CharField(_("label"), max_length=100)
    field_type = models.CharField(_("type"), max_length=16, choices=Type.choices, default=Type.TEXT)
    options = models.JSONField(
        _("options"),
        default=list,
        blank=True,
        help_text=_('For select types: [{"key": "…", "label": "…"}, …].'),
    )
    subscriber_editable = models.BooleanField(_("subscribers may edit"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        ordering = ["position", "key"]
        constraints = [
            models.CheckConstraint(
                condition=Q(field_type__in=["text", "date", "single_select", "multi_select"]),
                name="custom_field_type_valid",
            ),
        ]

    def __str__(self):
        return self.label

    def option_keys(self) -> list[str]:
        return [str(o.get("key")) for o in self.options or [] if isinstance(o, dict)]


# The outbox lives in its own module; importing it here registers its models.
from .outbox_models import Push, PushAttempt  # noqa: E402, F401
