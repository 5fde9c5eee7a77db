"""The append-only opt-in history: every change and the evidence behind it."""

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils.translation import gettext_lazy as _

from .lists import SubscriptionList
from .persons import Person, Source

APPEND_ONLY = "Subscription history is append-only."
#: What an erasure leaves in a history row's personal columns; nothing else may change.
ERASED_COLUMNS = {"ip_address": None, "user_agent": "", "page": "", "changes": {}}


class SubscriptionEventQuerySet(models.QuerySet):
    """Refuses every bulk write. It is the base manager too (``Meta.base_manager_name``),
    which Django uses for related lookups and ``_base_manager``; ``bulk_update`` and
    ``update_or_create`` go through ``update``/``save`` and are refused with them. The
    database refuses raw SQL (subscribers/migrations/0003_history_append_only.py)."""

    def update(self, **kwargs):
        raise TypeError(APPEND_ONLY)

    def delete(self):
        raise TypeError(APPEND_ONLY)

    def _raw_delete(self, using):
        raise TypeError(APPEND_ONLY)

    def erase_personal(self, *, words: bool = False) -> int:
        """Empty the personal columns of these rows (an erasure, or consent records past
        their retention), leaving what happened, when, on which list, from which source.
        ``words`` (an erasure) also empties what may hold the person's own words: the
        wording, and the note of a row their text made (it may quote the text). The one
        update the database allows (subscribers/migrations/0013_erasure_final_and_...)."""
        if not words:
            return super().update(**ERASED_COLUMNS)
        texted = When(source=Source.TEXT_MESSAGE, then=Value(""))
        return super().update(
            **ERASED_COLUMNS,
            wording="",
            note=Case(texted, default=F("note"), output_field=models.TextField()),
        )


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
        ERASURE_REQUESTED = "erasure_requested", _("Erasure requested")

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
        base_manager_name = "objects"
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
                        "erasure_requested",
                    ]
                ),
                name="event_kind_valid",
            ),
        ]

    def __str__(self):
        when = f"{self.occurred_at:%Y-%m-%d %H:%M}"
        return f"{self.get_kind_display()} ({self.get_source_display()}) at {when}"

    def save(self, *args, **kwargs):
        if not self._state.adding or kwargs.get("update_fields") or kwargs.get("force_update"):
            raise TypeError(APPEND_ONLY)
        # A new instance given the pk of an existing row would otherwise be saved as an
        # UPDATE of that row (Django tries UPDATE first when a pk is set).
        if self.pk is not None and type(self).objects.filter(pk=self.pk).exists():
            raise TypeError(APPEND_ONLY)
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(APPEND_ONLY)
