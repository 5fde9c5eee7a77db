"""How each of a person's lists answered their new number."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .lists import SubscriptionList
from .persons import Person


class NumberMove(models.Model):
    """One list's answer to the person's latest new number.

    The number push asks the campaign of every list the person is on (one list's answer
    says nothing about another's: a single opt-in campaign subscribes the number at once,
    a double opt-in one texts it for a "Y"), so the page can say what happens to each
    list, and name a list that cannot move. Replaced by the next number change, dropped
    with a withdrawn one. No number is kept here: the person's row holds it.
    """

    class Outcome(models.TextChoices):
        MOVED = "moved", _("Moved at once")
        WAITING = "waiting", _("Waits for the reply Y")
        CANNOT = "cannot", _("Cannot move")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="number_moves")
    subscription_list = models.ForeignKey(
        SubscriptionList, on_delete=models.CASCADE, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    reason = models.CharField(
        _("why it cannot move"),
        max_length=32,
        blank=True,
        help_text=_("A key of services.NUMBER_REASONS, or no_campaign."),
    )
    asked_at = models.DateTimeField(_("asked"))

    class Meta:
        verbose_name = _("list's answer to a new number")
        verbose_name_plural = _("lists' answers to a new number")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "subscription_list"], name="number_move_one_per_list"
            ),
        ]

    def __str__(self):
        return f"{self.subscription_list} for person #{self.person_id}: {self.outcome}"
