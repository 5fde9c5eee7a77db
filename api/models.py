"""API clients (the company's other systems) and their keys.

A key is shown once, when it is made (api/keys.py); only its prefix (to find it) and the
SHA-256 of the whole key are kept. A client may hold several keys at once, so a key can
be rotated without a gap: issue the new one, move the client over, revoke the old one.
A revoked key is refused on its next request: nothing caches the answer.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    CONSENT_READ = "consent:read", _("Ask whether a number may be texted")
    SUBSCRIPTIONS_WRITE = "subscriptions:write", _("Record opt-ins and opt-outs")
    PERSONS_READ = "persons:read", _("Read persons")
    PERSONS_WRITE = "persons:write", _("Change persons' details")
    HISTORY_READ = "history:read", _("Read a person's opt-in history")


class ApiClient(models.Model):
    name = models.CharField(
        _("name"),
        max_length=100,
        unique=True,
        help_text=_("Which system this is (the web shop's checkout, …); shown in history."),
    )
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Off: every key of the client is refused.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])


class ApiKeyQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True, client__is_active=True)


class ApiKey(models.Model):
    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="keys")
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    key_hash = models.CharField(_("SHA-256 of the key"), max_length=64)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.CharField(_("created by"), max_length=150, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["client"], condition=Q(revoked_at__isnull=True), name="apikey_live_idx"
            )
        ]

    def __str__(self):
        state = "revoked" if self.revoked_at else "live"
        return f"{self.client} key {self.prefix}… ({state})"
