"""Custom field definitions: the same ones Vibes holds."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CustomField(models.Model):
    """A custom field defined in Vibes (they must exist there before use)."""

    class Type(models.TextChoices):
        TEXT = "text", _("Text")
        DATE = "date", _("Date")
        SINGLE_SELECT = "single_select", _("Single select")
        MULTI_SELECT = "multi_select", _("Multi select")

    key = models.SlugField(_("Vibes key"), max_length=100, unique=True)
    label = models.CharField(_("label"), max_length=100)
    label_es = models.CharField(
        _("label in Spanish"),
        max_length=100,
        blank=True,
        help_text=_("Shown on the Spanish preference page; the label above when empty."),
    )
    field_type = models.CharField(_("type"), max_length=16, choices=Type.choices, default=Type.TEXT)
    options = models.JSONField(
        _("options"),
        default=list,
        blank=True,
        help_text=_('For select types: [{"key": "…", "label": "…", "label_es": "…"}, …].'),
    )
    subscriber_editable = models.BooleanField(_("subscribers may edit"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # Vibes answered 422 naming this key (it does not exist there): left out of every push
    # until staff say it exists now (outbox/kinds/person.py), so the other fields still go.
    refused_at = models.DateTimeField(_("refused by Vibes"), null=True, blank=True)
    refused_reason = models.CharField(_("Vibes' answer"), max_length=500, blank=True)

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
