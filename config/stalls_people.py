"""Needs attention: what people said that is not honoured yet (texts that may be opt-outs,
opt-outs Vibes reported that wait to be applied). Each is a count on an indexed column."""

from datetime import datetime

from django.conf import settings
from django.db.models import Count, Min
from django.utils.translation import gettext_lazy as _

from callbacks.models import CallbackEvent
from subscribers.models import RevocationReview

from .figures import Figure, age, changelist

#: The callback that says a person left a list in Vibes (docs/vibes.md, Callbacks).
OPT_OUT_CALLBACKS = ("subscription_removed",)


def people_figures(now: datetime) -> list[Figure]:
    reviews = RevocationReview.objects.filter(state=RevocationReview.State.OPEN).count()
    opt_outs = CallbackEvent.objects.filter(
        status=CallbackEvent.Status.RECEIVED, callback_type__in=OPT_OUT_CALLBACKS
    ).aggregate(n=Count("pk"), oldest=Min("received_at"))
    waited = age(opt_outs["oldest"], now)
    return [
        Figure(
            "revocation_reviews_open",
            _("texts waiting for an opt-out review"),
            reviews,
            reviews > 0,
            changelist("subscribers_revocationreview", state="open"),
            permission="subscribers.view_revocationreview",
            meaning=_(
                "Each may be a person asking us to stop texting them. Until someone "
                "decides, they stay on their lists and may still get texts."
            ),
            fix=_("Read each text, then confirm it as an opt-out or dismiss it."),
        ),
        Figure(
            "callbacks_waiting_opt_outs",
            _("opt-outs from Vibes not yet honoured here (callbacks waiting)"),
            opt_outs["n"],
            bool(waited and waited > settings.STALL_BACKLOG_SECONDS),
            changelist("callbacks_callbackevent", status__exact="received"),
            permission="callbacks.view_callbackevent",
            meaning=_(
                "These people left a list in Vibes (a STOP text, or staff there), but our "
                "records still show them subscribed: exports and pages here are wrong "
                "about them until the callbacks are applied."
            ),
            fix=_(
                "The worker applies them: check that it runs (the worker line). If it does, open "
                "the callbacks to see why they wait."
            ),
        ),
    ]
