"""Persons as this company knows them, and where each change came from."""

from django.db import models
from django.db.models import Q
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from ..phone import mask


class Source(models.TextChoices):
    """Where a change came from. Changes from Vibes itself are never pushed back."""

    VIBES_CALLBACK = "vibes_callback", _("Vibes callback")
    PREFERENCE_PAGE = "preference_page", _("Preference page")
    ADMIN = "admin", _("Admin")
    IMPORT = "import", _("Subscription extract import")
    RECONCILE = "reconcile", _("Reconcile with Vibes")
    PUSH = "push", _("Push to Vibes")
    SYSTEM = "system", _("System")
    # A text the phone sent (Vibes forwards it as unmatched_message_received): the person's
    # own request, so unlike Vibes' changes it is pushed to Vibes.
    TEXT_MESSAGE = "text_message", _("Text message from the phone")
    # The company's other systems through /api/v1/ (api/): local changes, pushed to Vibes;
    # the history row's note names the API client.
    API = "api", _("Company API")

    @classmethod
    def from_vibes(cls) -> frozenset[str]:
        return frozenset({cls.VIBES_CALLBACK, cls.IMPORT, cls.RECONCILE, cls.PUSH})


#: The person fields the outbox sends to Vibes. A local change to any of them is pushed,
#: and the same change is what a late echo from Vibes never undoes (``Person.local_edits``).
PUSHED_FIELDS = ("mdn", "external_person_id", "custom_fields")


class PushedFieldWrite(Exception):
    """A queryset write to a pushed field, which no signal would push."""


class PersonQuerySet(models.QuerySet):
    """``update()`` and ``bulk_update()`` fire no model signal, so a pushed field written
    through them would never reach Vibes: they refuse pushed fields. A write that is not to
    be pushed (a change from Vibes, or one a push kind of its own sends) says so with
    ``update_unpushed``; ``services.bulk`` writes Vibes' changes with its own statement."""

    def update(self, **kwargs):
        _refuse_pushed(kwargs)
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, batch_size=None):
        _refuse_pushed(fields)
        return super().bulk_update(objs, fields, batch_size=batch_size)

    def update_unpushed(self, **kwargs):
        """``update()`` for a change that must not be pushed by the signals."""
        return super().update(**kwargs)


def _refuse_pushed(fields) -> None:
    pushed = sorted(set(fields) & set(PUSHED_FIELDS))
    if pushed:
        raise PushedFieldWrite(
            f"{', '.join(pushed)}: a queryset write fires no push; save the instance "
            "(or call update_unpushed for a change that is not to be pushed)."
        )


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
    pending_mdn_until = models.DateTimeField(
        _("new number expires"),
        null=True,
        blank=True,
        help_text=_("When the new number's confirmation request ends unanswered."),
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
    erased_at = models.DateTimeField(
        _("erased"),
        null=True,
        blank=True,
        help_text=_(
            "When the person's data was erased at their request. From then on nothing "
            "Vibes says is written to this record (subscribers/services/erasure.py)."
        ),
    )
    link_version = models.PositiveIntegerField(
        _("preference link version"),
        default=1,
        help_text=_("Raising it revokes every preference link sent to this person."),
    )
    # When each pushed field (a custom field as "custom_fields.<key>") last changed here,
    # as ISO timestamps: written by the receiver that pushes the change
    # (outbox/signals.py), read by the rule that keeps it from a late echo
    # (rules/echo.py). One record for both directions, however the change was saved.
    local_edits = models.JSONField(_("local edits"), default=dict, blank=True, editable=False)

    objects = PersonQuerySet.as_manager()

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
            # The expiry sweep (subscribers/repair/expiry.py): waiting numbers by deadline.
            models.Index(
                fields=["pending_mdn_until"],
                condition=~Q(pending_mdn=""),
                name="person_pending_until_idx",
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
            ("view_full_number", _("Can see full mobile numbers")),
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
