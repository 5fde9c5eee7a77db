"""When the worker and beat were last seen running (subscribers/heartbeat.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    class Process(models.TextChoices):
        WORKER = "worker", _("worker")
        BEAT = "beat", _("beat (the scheduler)")

    process = models.CharField(_("process"), max_length=16, primary_key=True)
    seen_at = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self):
        return f"{self.process}: {self.seen_at:%Y-%m-%d %H:%M:%S}"
