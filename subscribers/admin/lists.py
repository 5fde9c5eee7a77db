"""Lists with their subscriber counts, and each list's opt-in / opt-out chart.

The counts and the chart are cached briefly and dropped on change (``list_stats``).
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from ..models import Subscription, SubscriptionList
from .base import FastActionForm, ObjectOncePerRequestMixin
from .charts import DAYS, daily_chart_svg
from .filters import LIST_PARAM, STATUS_PARAM
from .list_stats import cached_daily_counts, cached_status_counts
from .overview import overview

#: Lists shown at a glance on the admin index; the lists page has them all.
INDEX_LISTS = 20

STATUSES = list(Subscription.Status)


def status_counts(list_ids) -> dict[int, dict[str, int]]:
    """``{list pk: {status: n}}`` for ``list_ids``, in one grouped query."""
    counts: dict[int, dict[str, int]] = {
        pk: dict.fromkeys(Subscription.Status.values, 0) for pk in list_ids
    }
    rows = (
        Subscription.objects.filter(subscription_list_id__in=list_ids)
        .values("subscription_list_id", "status")
        .annotate(n=Count("*"))  # COUNT(*): answered from the (list, status) index alone
        .order_by()
    )
    for row in rows:
        counts[row["subscription_list_id"]][row["status"]] = row["n"]
    return counts


def lists_at_a_glance(request) -> dict:
    """``lists_at_a_glance``: ``(list, Overview, change url)`` for the admin index, from
    the cached figures, for staff who may see the lists."""
    if not request.user.has_perm("subscribers.view_subscriptionlist"):
        return {}
    lists = list(SubscriptionList.objects.order_by("name", "pk")[:INDEX_LISTS])
    counts = cached_status_counts([x.pk for x in lists], status_counts)
    glance = [
        (
            sub_list,
            overview(counts[sub_list.pk], cached_daily_counts(sub_list)),
            reverse("admin:subscribers_subscriptionlist_change", args=[sub_list.pk]),
        )
        for sub_list in lists
    ]
    return {"lists_at_a_glance": glance}


class ListChangeList(ChangeList):
    """Counts the subscribers of the page's lists with one grouped query, not one per list."""

    def get_results(self, request):
        super().get_results(request)
        self.result_list = list(self.result_list)
        counts = cached_status_counts([obj.pk for obj in self.result_list], status_counts)
        for obj in self.result_list:
            obj.status_counts = counts.get(obj.pk, {})


def _count_column(status: Subscription.Status):
    def column(modeladmin, obj):
        n = getattr(obj, "status_counts", {}).get(status.value, 0)
        if not n:
            return "0"
        url = (
            reverse("admin:subscribers_person_changelist")
            + "?"
            + urlencode({LIST_PARAM: obj.pk, STATUS_PARAM: status.value})
        )
        return format_html('<a href="{}">{}</a>', url, f"{n:,}")

    column.short_description = status.label
    column.__name__ = f"count_{status.value}"
    return column


class SubscriptionListAdmin(ObjectOncePerRequestMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "list_id",
        "acquisition_campaign_id",
        "is_public",
        *(f"count_{s.value}" for s in STATUSES),
    )
    search_fields = ("name", "=list_id")

    class Media:
        css = {"all": ["subscribers/staff.css"]}

    show_full_result_count = False
    action_form = FastActionForm

    count_pending = _count_column(Subscription.Status.PENDING)
    count_active = _count_column(Subscription.Status.ACTIVE)
    count_opted_out = _count_column(Subscription.Status.OPTED_OUT)
    count_rejected = _count_column(Subscription.Status.REJECTED)

    def get_changelist(self, request, **kwargs):
        return ListChangeList

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        if obj is not None:
            counts = cached_daily_counts(obj)
            by_status = cached_status_counts([obj.pk], status_counts)[obj.pk]
            persons_url = reverse("admin:subscribers_person_changelist")
            extra_context.update(
                {
                    "overview": overview(by_status, counts),
                    "chart_days": DAYS,
                    "chart_counts": counts,
                    "chart_svg": daily_chart_svg(
                        counts,
                        title=_("Opt-ins and opt-outs per day, last %(days)d days")
                        % {"days": DAYS},
                    ),
                    "list_status_counts": [
                        (
                            status.label,
                            by_status.get(status.value, 0),
                            persons_url
                            + "?"
                            + urlencode({LIST_PARAM: obj.pk, STATUS_PARAM: status.value}),
                        )
                        for status in STATUSES
                    ],
                }
            )
        return super().change_view(request, object_id, form_url, extra_context)
