"""Whether anything is stuck: the figures an operator's monitor and staff both watch.

Each figure is one indexed query (counts of small sets, the oldest row of a backlog, the
newest callback), so the admin index and a monitor scraping every few seconds can ask for
them on every request. ``STALL_*`` settings say when a figure is a problem.
"""

from datetime import datetime

from django.conf import settings
from django.db.models import Count, Max, Min
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from callbacks.models import CallbackEvent
from callbacks.registering import uncovered_list_ids
from subscribers.deadlines import past_target
from subscribers.models import SubscriptionList, SuppressionHit
from subscribers.outbox.models import Push, VibesAccess
from webhooks.models import WebhookEndpoint

from .figures import Figure
from .figures import age as _age
from .figures import changelist as _changelist
from .stalls_people import people_figures
from .stalls_workers import worker_figures


def stall_figures(now: datetime | None = None) -> list[Figure]:
    now = now or timezone.now()
    return [figure for source in FIGURE_SOURCES for figure in source(now)]


def _sync_figures(now: datetime) -> list[Figure]:
    received = CallbackEvent.objects.filter(status=CallbackEvent.Status.RECEIVED).aggregate(
        n=Count("pk"), oldest=Min("received_at")
    )
    failed_callbacks = CallbackEvent.objects.filter(status=CallbackEvent.Status.FAILED).count()
    last_callback = CallbackEvent.objects.aggregate(last=Max("received_at"))["last"]
    pushes = {
        row["state"]: row
        for row in Push.objects.filter(
            state__in=[Push.State.PENDING, Push.State.FAILED, Push.State.STOPPED]
        )
        .values("state")
        .annotate(n=Count("pk"), oldest=Min("created_at"))
        .order_by()
    }
    backlog_age = _age(received["oldest"], now)
    pending = pushes.get(Push.State.PENDING, {})
    pending_age = _age(pending.get("oldest"), now)
    silence = _age(last_callback, now)
    failed_pushes = pushes.get(Push.State.FAILED, {}).get("n", 0)
    stopped_pushes = pushes.get(Push.State.STOPPED, {}).get("n", 0)
    callbacks = "callbacks_callbackevent"
    outbox = "subscribers_push"
    refused = VibesAccess.objects.filter(refused_since__isnull=False).first()
    return [
        Figure(
            "vibes_credentials_refused_age",
            _(
                "Vibes has refused our API credentials for this long: pushes wait, and go "
                "out by themselves once VIBES_USERNAME, VIBES_PASSWORD and "
                "VIBES_COMPANY_KEY work again"
            ),
            _age(refused.refused_since, now) if refused else None,
            refused is not None,
            _changelist(outbox, state__exact="pending"),
            "seconds",
            permission="subscribers.view_push",
            meaning=_(
                "Nothing changed here reaches Vibes: opt-outs made here wait, and Vibes keeps "
                "texting people by what it had."
            ),
            fix=_(
                "Correct VIBES_USERNAME, VIBES_PASSWORD and VIBES_COMPANY_KEY and restart; the "
                "waiting pushes then go out by themselves."
            ),
        ),
        Figure(
            "callbacks_failed",
            _("callbacks failed (replay them once the cause is fixed)"),
            failed_callbacks,
            failed_callbacks > 0,
            _changelist(callbacks, status__exact="failed"),
            permission="callbacks.view_callbackevent",
            meaning=_(
                "What Vibes reported about these people (joins, opt-outs) is missing from our "
                "records."
            ),
            fix=_("Open each, read its error, fix the cause, then replay it (the Replay action)."),
        ),
        Figure(
            "callbacks_waiting",
            _("callbacks waiting to be applied"),
            received["n"],
            bool(backlog_age and backlog_age > settings.STALL_BACKLOG_SECONDS),
            _changelist(callbacks, status__exact="received"),
            permission="callbacks.view_callbackevent",
            meaning=_("What Vibes reported is not applied yet: our records lag behind Vibes."),
            fix=_("The worker applies them: check that it runs (the worker line)."),
        ),
        Figure(
            "callbacks_oldest_waiting_age",
            _("the oldest waiting callback arrived this long ago"),
            backlog_age,
            bool(backlog_age and backlog_age > settings.STALL_BACKLOG_SECONDS),
            _changelist(callbacks, status__exact="received", o="1"),
            "seconds",
            permission="callbacks.view_callbackevent",
            meaning=_("What Vibes reported is not applied yet: our records lag behind Vibes."),
            fix=_("The worker applies them: check that it runs (the worker line)."),
        ),
        Figure(
            "callbacks_last_received_age",
            _("no callback from Vibes for this long"),
            silence,
            bool(
                settings.STALL_CALLBACK_SILENCE_SECONDS
                and silence
                and silence > settings.STALL_CALLBACK_SILENCE_SECONDS
            ),
            _changelist(callbacks),
            "seconds",
            permission="callbacks.view_callbackevent",
            meaning=_(
                "If Vibes stopped calling us, opt-outs people text to Vibes never reach our "
                "records."
            ),
            fix=_(
                "Check the callback registrations (manage.py vibes_register_callbacks) and that "
                "Vibes can reach /callbacks/."
            ),
        ),
        Figure(
            "pushes_stopped",
            _("pushes to Vibes stopped: they need staff"),
            stopped_pushes,
            stopped_pushes > 0,
            _changelist(outbox, state__exact="stopped"),
            permission="subscribers.view_push",
            meaning=_(
                "Changes made here (joins, opt-outs, details) did not reach Vibes: Vibes texts "
                "these people by what it had."
            ),
            fix=_("Open each and read its error; fix the cause and Retry it, or Discard it."),
        ),
        Figure(
            "pushes_failed",
            _("pushes to Vibes failed after every retry (retried hourly)"),
            failed_pushes,
            failed_pushes > 0,
            _changelist(outbox, state__exact="failed"),
            permission="subscribers.view_push",
            meaning=_("Changes made here have not reached Vibes yet; they are retried every hour."),
            fix=_("Read the last error of each: most often Vibes was down or refused the data."),
        ),
        Figure(
            "pushes_pending",
            _("pushes to Vibes waiting"),
            pending.get("n", 0),
            bool(pending_age and pending_age > settings.STALL_PUSH_SECONDS),
            _changelist(outbox, state__exact="pending"),
            permission="subscribers.view_push",
            meaning=_("Changes made here wait to be sent to Vibes."),
            fix=_("Check that the worker runs and that Vibes answers."),
        ),
        Figure(
            "pushes_oldest_pending_age",
            _("the oldest waiting push was recorded this long ago"),
            pending_age,
            bool(pending_age and pending_age > settings.STALL_PUSH_SECONDS),
            _changelist(outbox, state__exact="pending"),
            "seconds",
            permission="subscribers.view_push",
            meaning=_("Changes made here wait to be sent to Vibes."),
            fix=_("Check that the worker runs and that Vibes answers."),
        ),
    ]


def _erasures(now: datetime) -> tuple[int, bool]:
    """Erasure pushes Vibes has not completed, and whether that is a problem: one stopped or
    failed is, at once; one waiting is, past STALL_PUSH_SECONDS (services/erasure.py)."""
    rows = (
        Push.objects.filter(
            state__in=[Push.State.PENDING, Push.State.FAILED, Push.State.STOPPED],
            kind=Push.Kind.ERASURE,
        )
        .values("state")
        .annotate(n=Count("pk"), oldest=Min("created_at"))
        .order_by()
    )
    count, problem = 0, False
    for row in rows:
        count += row["n"]
        age = _age(row["oldest"], now) or 0
        problem |= row["state"] != Push.State.PENDING or age > settings.STALL_PUSH_SECONDS
    return count, problem


def _compliance_figures(now: datetime) -> list[Figure]:
    """Opt-outs past the internal target (subscribers/deadlines.py), erasures Vibes has not
    completed, and erased numbers named again (subscribers/suppression.py): each a count
    on a small set. A number named again where nothing was done for it (a refused sign-up:
    anyone may type any number) is counted for staff but is not a problem; one Vibes
    already had (a callback, an import) is."""
    late = past_target(now).count()
    hits = dict(
        SuppressionHit.objects.filter(reviewed_at__isnull=True)
        .values_list("refused")
        .annotate(n=Count("pk"))
        .order_by()
    )
    erasures, erasures_stuck = _erasures(now)
    return [
        Figure(
            "erasures_unfinished",
            _("erasures Vibes has not completed: the person is erased here, not yet there"),
            erasures,
            erasures_stuck,
            _changelist(
                "subscribers_push", kind__exact="erasure", state__in="pending,failed,stopped"
            ),
            permission="subscribers.view_push",
        ),
        Figure(
            "optouts_past_target",
            _("opt-outs Vibes has not confirmed within the target (OPTOUT_CONFIRM_TARGET_SECONDS)"),
            late,
            late > 0,
            _changelist("subscribers_optoutdeadline", state="open"),
            permission="subscribers.view_optoutdeadline",
            meaning=_(
                "People left a list but Vibes has not confirmed it in time: they may still get "
                "texts."
            ),
            fix=_(
                "Open each deadline and its person's pushes; opt the person out in Vibes by hand "
                "if needed."
            ),
        ),
        Figure(
            "suppressed_numbers_named_again",
            _("erased numbers named again by a callback, import or staff edit: review them"),
            hits.get(False, 0),
            hits.get(False, 0) > 0,
            _changelist("subscribers_suppressionhit", reviewed_at__isempty="1", refused__exact="0"),
            permission="subscribers.view_suppressionhit",
        ),
        Figure(
            "suppressed_numbers_refused",
            _("sign-ups refused for an erased number (nothing was sent), one row per number"),
            hits.get(True, 0),
            False,
            _changelist("subscribers_suppressionhit", reviewed_at__isempty="1", refused__exact="1"),
            permission="subscribers.view_suppressionhit",
            meaning=_(
                "An erased number came back through a sign-up, callback or import; we do not text "
                "it."
            ),
            fix=_("Review each one and decide whether it is a new consent."),
        ),
    ]


#: Lists named in the banner at most; the link shows them all.
NAMED_LISTS = 10


def _registration_figures(now: datetime) -> list[Figure]:
    """The lists whose opt-outs reach us by no callback: the last registration plan left
    their ``subscription_removed`` out, or Vibes refused it (callbacks/registering.py).
    Named, because each is kept in step only by the uncovered-lists sweep."""
    ids = uncovered_list_ids()
    names = dict(SubscriptionList.objects.filter(list_id__in=ids).values_list("list_id", "name"))
    shown = [names.get(list_id, list_id) for list_id in ids[:NAMED_LISTS]]
    if len(ids) > NAMED_LISTS:
        shown.append(gettext("and %(n)d more") % {"n": len(ids) - NAMED_LISTS})
    label = gettext(
        "lists whose opt-outs reach us by no Vibes callback (over the registration limit; "
        "a sweep re-reads their subscribers instead): %(lists)s"
    ) % {"lists": ", ".join(shown)}
    return [
        Figure(
            "lists_without_optout_callback",
            label if ids else gettext("lists whose opt-outs reach us by no Vibes callback"),
            len(ids),
            bool(ids),
            _changelist("subscribers_subscriptionlist", list_id__in=",".join(ids)),
            permission="subscribers.view_subscriptionlist",
            meaning=_(
                "Opt-outs on these lists are heard only when the sweep re-reads their "
                "subscribers, not within seconds."
            ),
            fix=_(
                "Archive lists no longer used in Vibes, or raise VIBES_CALLBACK_LIMIT if "
                "the account allows more registrations, then run vibes_register_callbacks."
            ),
        )
    ]


def _webhook_figures(now: datetime) -> list[Figure]:
    """Webhook endpoints disabled after a day of failed deliveries (webhooks/deliver.py):
    their events wait until staff enable them again."""
    disabled = WebhookEndpoint.objects.filter(disabled_at__isnull=False).count()
    return [
        Figure(
            "webhook_endpoints_disabled",
            _("webhook endpoints disabled after failing for a day: fix the receiver, enable them"),
            disabled,
            disabled > 0,
            _changelist("webhooks_webhookendpoint", disabled_at__isnull="False"),
            permission="webhooks.view_webhookendpoint",
            meaning=_("The company's other systems hear of no consent change meanwhile."),
            fix=_("Fix the receiver, then enable the endpoint again; waiting events follow."),
        ),
    ]


#: Every function that measures figures, in the order Needs attention lists them: what
#: leaves subscribers unheard first. To add a line, add a function (now -> [Figure]).
FIGURE_SOURCES = [
    people_figures,
    worker_figures,
    _sync_figures,
    _compliance_figures,
    _registration_figures,
    _webhook_figures,
]
