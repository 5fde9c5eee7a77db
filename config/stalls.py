"""Whether anything is stuck: the figures an operator's monitor and staff both watch.

Each figure is one indexed query (counts of small sets, the oldest row of a backlog, the
newest callback), so the admin index and a monitor scraping every few seconds can ask for
them on every request. ``STALL_*`` settings say when a figure is a problem.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Max, Min
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from callbacks.models import CallbackEvent
from callbacks.registering import uncovered_list_ids
from subscribers.deadlines import past_target
from subscribers.models import SubscriptionList, SuppressionHit
from subscribers.outbox.models import Push, VibesAccess
from webhooks.models import WebhookEndpoint


@dataclass(frozen=True)
class Figure:
    key: str  # stable, machine-readable: the JSON key and the metric's name
    label: str  # what staff read
    value: float | None  # None: nothing to measure (no backlog, no callback yet)
    problem: bool
    url: str = ""  # the admin list that shows the rows behind it
    unit: str = ""  # "seconds" for ages
    permission: str = ""  # who may open that list (and so sees the figure in the admin)

    @property
    def shown(self) -> str:
        """The value as staff read it: a count, or an age in words ("12 minutes")."""
        if self.value is None:
            return "—"
        if self.unit == "seconds":
            now = timezone.now()
            return timesince(now - timedelta(seconds=self.value), now)
        return f"{self.value:,}"


def _age(since: datetime | None, now: datetime) -> float | None:
    return max(0.0, (now - since).total_seconds()) if since else None


def _changelist(name: str, **query) -> str:
    params = "&".join(f"{k}={v}" for k, v in query.items())
    return f"{reverse(f'admin:{name}_changelist')}?{params}"


def stall_figures(now: datetime | None = None) -> list[Figure]:
    now = now or timezone.now()
    return (
        _sync_figures(now) + _compliance_figures(now) + _registration_figures() + _webhook_figures()
    )


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
        ),
        Figure(
            "callbacks_failed",
            _("callbacks failed (replay them once the cause is fixed)"),
            failed_callbacks,
            failed_callbacks > 0,
            _changelist(callbacks, status__exact="failed"),
            permission="callbacks.view_callbackevent",
        ),
        Figure(
            "callbacks_waiting",
            _("callbacks waiting to be applied"),
            received["n"],
            bool(backlog_age and backlog_age > settings.STALL_BACKLOG_SECONDS),
            _changelist(callbacks, status__exact="received"),
            permission="callbacks.view_callbackevent",
        ),
        Figure(
            "callbacks_oldest_waiting_age",
            _("the oldest waiting callback arrived this long ago"),
            backlog_age,
            bool(backlog_age and backlog_age > settings.STALL_BACKLOG_SECONDS),
            _changelist(callbacks, status__exact="received", o="1"),
            "seconds",
            permission="callbacks.view_callbackevent",
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
        ),
        Figure(
            "pushes_stopped",
            _("pushes to Vibes stopped: they need staff"),
            stopped_pushes,
            stopped_pushes > 0,
            _changelist(outbox, state__exact="stopped"),
            permission="subscribers.view_push",
        ),
        Figure(
            "pushes_failed",
            _("pushes to Vibes failed after every retry (retried hourly)"),
            failed_pushes,
            failed_pushes > 0,
            _changelist(outbox, state__exact="failed"),
            permission="subscribers.view_push",
        ),
        Figure(
            "pushes_pending",
            _("pushes to Vibes waiting"),
            pending.get("n", 0),
            bool(pending_age and pending_age > settings.STALL_PUSH_SECONDS),
            _changelist(outbox, state__exact="pending"),
            permission="subscribers.view_push",
        ),
        Figure(
            "pushes_oldest_pending_age",
            _("the oldest waiting push was recorded this long ago"),
            pending_age,
            bool(pending_age and pending_age > settings.STALL_PUSH_SECONDS),
            _changelist(outbox, state__exact="pending"),
            "seconds",
            permission="subscribers.view_push",
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
        ),
    ]


#: Lists named in the banner at most; the link shows them all.
NAMED_LISTS = 10


def _registration_figures() -> list[Figure]:
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
        )
    ]


def _webhook_figures() -> list[Figure]:
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
        ),
    ]
