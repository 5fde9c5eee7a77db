"""One line of Needs attention (the admin index) and of the monitoring figures.

A figure is measured by one of the functions listed in ``config.stalls.FIGURE_SOURCES``;
to add a line, add a function there that returns figures. Each figure that can be a
problem says what it means for subscribers (``meaning``) and what staff do about it
(``fix``), with ``url`` the page where they do it.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince


@dataclass(frozen=True)
class Figure:
    key: str  # stable, machine-readable: the JSON key and the metric's name
    label: str  # what staff read
    value: float | None  # None: nothing to measure (no backlog, no callback yet)
    problem: bool
    url: str = ""  # the admin page that shows the rows behind it, where the fix is done
    unit: str = ""  # "seconds" for ages
    permission: str = ""  # who may open that page (and so sees the figure in the admin)
    meaning: str = ""  # what it means for subscribers, in words
    fix: str = ""  # what staff do about it

    @property
    def shown(self) -> str:
        """The value as staff read it: a count, or an age in words ("12 minutes")."""
        if self.value is None:
            return "—"
        if self.unit == "seconds":
            now = timezone.now()
            return timesince(now - timedelta(seconds=self.value), now)
        return f"{self.value:,}"


def age(since: datetime | None, now: datetime) -> float | None:
    return max(0.0, (now - since).total_seconds()) if since else None


def changelist(name: str, **query) -> str:
    params = "&".join(f"{k}={v}" for k, v in query.items())
    return f"{reverse(f'admin:{name}_changelist')}?{params}"
