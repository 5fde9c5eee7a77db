"""A one-time code texted to a number someone asked to make theirs."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..phone import mask
from .persons import Person


class NumberProof(models.Model):
    """Proof that whoever asks for a new number holds that phone: the code texted to it
    (``services.proofs``). Only its keyed hash is kept. Until the code is entered nothing
    about the number goes to Vibes, so nobody can claim, or subscribe, someone else's."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="number_proofs")
    mdn = models.CharField(_("number to prove"), max_length=32)
    code_hash = models.CharField(_("code (keyed hash)"), max_length=64)
    created_at = models.DateTimeField(_("code sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("code expires"))
    attempts = models.PositiveSmallIntegerField(_("wrong codes entered"), default=0)
    closed_at = models.DateTimeField(_("proved or given up"), null=True, blank=True)
    proved = models.BooleanField(_("proved"), default=False)

    class Meta:
        verbose_name = _("number proof")
        verbose_name_plural = _("number proofs")
        indexes = [models.Index(fields=["person", "-created_at"], name="proof_person_time_idx")]

    def __str__(self):
        return f"proof of a new number for person #{self.person_id}"

    def shown(self) -> str:
        """The number as the page shows it: masked (a proof for an erased number keeps only
        the masked form, services/proofs.py)."""
        masked = self.mdn if "•" in self.mdn else mask(self.mdn)
        return masked.replace(" ", "\u00a0")
