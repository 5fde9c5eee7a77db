"""What marketing reads first about a list: its size, the net change over 7 and 30 days,
the opt-ins and opt-outs behind it and the opt-out rate.

Worked out from figures the list page already has (the cached status counts and the
cached daily chart, subscribers/admin/list_stats.py): no query of its own. The rate is
the period's opt-outs over the subscribers the list had when the period began (now,
less the period's net change); with none then, there is no rate.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from ..models import Subscription
from .charts import DailyCounts

PERIODS = (7, 30)


@dataclass(frozen=True)
class Period:
    days: int
    opt_ins: int
    opt_outs: int
    net: int
    rate: float | None  # opt-outs per subscriber at the start, 0..1

    @property
    def label(self) -> str:
        return _("last %(days)d days") % {"days": self.days}

    @property
    def net_shown(self) -> str:
        return f"{self.net:+,}" if self.net else "0"

    @property
    def rate_shown(self) -> str:
        return "—" if self.rate is None else f"{self.rate:.1%}"


@dataclass(frozen=True)
class Overview:
    subscribed: int
    waiting: int
    periods: list[Period]


def overview(status_counts: dict[str, int], daily: DailyCounts) -> Overview:
    subscribed = status_counts.get(Subscription.Status.ACTIVE, 0)
    periods = []
    for days in PERIODS:
        ins, outs = sum(daily.opt_ins[-days:]), sum(daily.opt_outs[-days:])
        net = ins - outs
        start = subscribed - net
        periods.append(Period(days, ins, outs, net, outs / start if start > 0 else None))
    return Overview(subscribed, status_counts.get(Subscription.Status.PENDING, 0), periods)
