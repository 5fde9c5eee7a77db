"""Pagination that never counts a million rows exactly.

Django's changelist asks its paginator for ``count``, which is ``SELECT COUNT(*)`` over the
filtered queryset: on PostgreSQL that reads every matching row (or index entry), seconds on
a large table. Here PostgreSQL is first asked for the planner's estimate (``EXPLAIN``, one
cheap query that reads no rows); only when the estimate is small is the exact count taken.
On other databases (SQLite in development) the count is exact.
"""

import json

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property


class EstimatedCountPaginator(Paginator):
    """A paginator whose ``count`` is the planner's estimate for large PostgreSQL results.

    ``estimated`` tells templates whether ``count`` is approximate.
    """

    #: Below this many estimated rows the exact count is cheap, so it is taken.
    exact_below = 1_000

    @cached_property
    def count(self) -> int:
        self.estimated = False
        queryset = self.object_list
        connection = connections[getattr(queryset, "db", "default")]
        if connection.vendor != "postgresql" or not hasattr(queryset, "query"):
            return super().count
        estimate = planner_estimate(queryset)
        if estimate is None or estimate < self.exact_below:
            return super().count
        self.estimated = True
        return estimate

    estimated = False


def planner_estimate(queryset) -> int | None:
    """PostgreSQL's estimate of how many rows ``queryset`` returns, or None."""
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    connection = connections[queryset.db]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str | bytes):
        plan = json.loads(plan)
    try:
        return int(plan[0]["Plan"]["Plan Rows"])
    except (KeyError, IndexError, TypeError, ValueError):
        return None
