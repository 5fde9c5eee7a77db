"""Opt-ins and opt-outs per day for one list, as server-rendered SVG (no JavaScript).

One grouped query on ``SubscriptionEvent`` (index ``event_list_kind_time_idx``: list, kind,
occurred_at). Superseded rows are left out: they were recorded late, for the record, and
often repeat a change already counted.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from ..models import SubscriptionEvent

DAYS = 90
WIDTH, HEIGHT = 920, 280
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 28, 34
IN_COLOUR, OUT_COLOUR = "#2e7d32", "#c62828"


@dataclass
class DailyCounts:
    days: list[date]
    opt_ins: list[int]
    opt_outs: list[int]

    @property
    def total_in(self) -> int:
        return sum(self.opt_ins)

    @property
    def total_out(self) -> int:
        return sum(self.opt_outs)


def daily_counts(subscription_list, *, today: date | None = None) -> DailyCounts:
    today = today or timezone.now().date()
    first = today - timedelta(days=DAYS - 1)
    since = datetime.combine(first, time.min, tzinfo=timezone.get_current_timezone())
    rows = (
        SubscriptionEvent.objects.filter(
            subscription_list=subscription_list,
            kind__in=[SubscriptionEvent.Kind.OPTED_IN, SubscriptionEvent.Kind.OPTED_OUT],
            occurred_at__gte=since,
            superseded=False,
        )
        .annotate(day=TruncDate("occurred_at"))
        .values("day", "kind")
        .annotate(n=Count("*"))
        .order_by()
    )
    days = [first + timedelta(days=i) for i in range(DAYS)]
    index = {d: i for i, d in enumerate(days)}
    opt_ins, opt_outs = [0] * DAYS, [0] * DAYS
    for row in rows:
        i = index.get(row["day"])
        if i is None:
            continue  # dated in the future at the source
        target = opt_ins if row["kind"] == SubscriptionEvent.Kind.OPTED_IN else opt_outs
        target[i] += row["n"]
    return DailyCounts(days=days, opt_ins=opt_ins, opt_outs=opt_outs)


def _nice_max(value: int) -> int:
    """The smallest of 1, 2, 5 × 10ⁿ at or above ``value``."""
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step >= value:
                return m * step
        step *= 10


def daily_chart_svg(counts: DailyCounts, *, title: str) -> SafeString:
    """Opt-ins as bars above the axis, opt-outs below it, on one shared scale."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    half = plot_h / 2
    axis_y = TOP + half
    top = _nice_max(max([*counts.opt_ins, *counts.opt_outs, 1]))
    slot = plot_w / len(counts.days)
    bar_w = max(slot * 0.7, 1)
    bars = []
    for i, day in enumerate(counts.days):
        x = LEFT + i * slot + (slot - bar_w) / 2
        for n, colour, above, label in (
            (counts.opt_ins[i], IN_COLOUR, True, "opt-ins"),
            (counts.opt_outs[i], OUT_COLOUR, False, "opt-outs"),
        ):
            if not n:
                continue
            h = max(n / top * half, 1)
            y = axis_y - h if above else axis_y
            bars.append(
                (
                    f"{x:.1f}",
                    f"{y:.1f}",
                    f"{bar_w:.1f}",
                    f"{h:.1f}",
                    colour,
                    f"{day:%b %d}: {n} {label}",
                )
            )
    ticks = [
        (LEFT - 6, f"{y + 4:.0f}", f"{value:g}")
        for y, value in (
            (TOP, top),
            (TOP + half / 2, top / 2),
            (axis_y, 0),
            (axis_y + half / 2, top / 2),
            (TOP + plot_h, top),
        )
    ]
    x_labels = [
        (f"{LEFT + i * slot + slot / 2:.1f}", f"{day:%b %d}")
        for i, day in enumerate(counts.days)
        if i % 15 == 0 or i == len(counts.days) - 1
    ]
    grid = [
        f"{TOP:.1f}",
        f"{TOP + half / 2:.1f}",
        f"{axis_y + half / 2:.1f}",
        f"{TOP + plot_h:.1f}",
    ]
    return format_html(
        '<svg class="daily-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" '
        'width="{w}" height="{h}" role="img" aria-label="{title}">'
        "<title>{title}</title>"
        "{grid}"
        '<line x1="{left}" x2="{right}" y1="{axis}" y2="{axis}" class="axis"/>'
        "{bars}{ticks}{xlabels}"
        '<g class="legend" transform="translate({legend_x},14)">'
        '<rect width="10" height="10" y="-9" fill="{in_c}"/><text x="14">{in_label}</text>'
        '<rect x="130" width="10" height="10" y="-9" fill="{out_c}"/>'
        '<text x="144">{out_label}</text></g>'
        "</svg>",
        w=WIDTH,
        h=HEIGHT,
        title=title,
        left=LEFT,
        right=WIDTH - RIGHT,
        axis=f"{axis_y:.1f}",
        grid=format_html_join(
            "",
            '<line x1="{}" x2="{}" y1="{}" y2="{}" class="grid"/>',
            ((LEFT, WIDTH - RIGHT, y, y) for y in grid),
        ),
        bars=format_html_join(
            "",
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>',
            bars,
        ),
        ticks=format_html_join(
            "", '<text x="{}" y="{}" text-anchor="end" class="tick">{}</text>', ticks
        ),
        xlabels=format_html_join(
            "",
            '<text x="{}" y="{}" text-anchor="middle" class="tick">{}</text>',
            ((x, HEIGHT - 12, label) for x, label in x_labels),
        ),
        legend_x=WIDTH - RIGHT - 260,
        in_c=IN_COLOUR,
        out_c=OUT_COLOUR,
        in_label=f"opt-ins ({counts.total_in})",
        out_label=f"opt-outs ({counts.total_out})",
    )
