"""Benchmark of the marketing admin at 100k and 1M persons (PostgreSQL only).

    make bench-admin                       # or: .venv/bin/python -m benchmarks.bench_admin
    BENCH_SIZES=100000 make bench-admin    # one size only

Creates its own database (``vibes_admin_bench`` by default, BENCH_DB to change it) on
the server of DATABASE_URL, fills it in SQL (INSERT … SELECT generate_series), then
times the person changelist (plain, searched, filtered), the change page of a person
with 10,000 history rows, and the list pages, each next to the admin login page measured
in the same run. The lists' counts and chart are cached briefly
(subscribers.admin.list_stats): they are timed both as staff usually get them and with
the cache emptied before each request ("cache cold"). Two reference rows, the admin
index and an empty changelist, show what any page costs a signed-in staff user (session,
user and permission queries, the admin's frame) against the anonymous login page. Two
more reference rows, served by views of benchmarks/admin_reference.py, show the floor under any data
page: "signed-in frame" checks the person view permission and renders the admin's frame
around nothing; "floor: 50 persons, raw SQL" adds the first page of persons read in one
hand-written query (their lists aggregated in it) and written out as bare table rows,
with no filters, search, actions, sorting or pagination. "heavy person, templated" is
the same person page with its history rendered by a template loop
(benchmarks/templates/, the same markup) instead of the hand-built entries. At 1M
persons each page's time is also given as a multiple of its time at 100k (scale column).
Django runs with DEBUG off, as deployed (the first line of each table says so). Drops
the database at the end (BENCH_KEEP=1 keeps it). Not collected by pytest.
"""

import contextlib
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "100000,1000000").split(",")]
RUNS = int(os.environ.get("BENCH_RUNS", "15"))
DB = os.environ.get("BENCH_DB", "vibes_admin_bench")
SERVER = os.environ.get("DATABASE_URL", "postgres://root@127.0.0.1:5432/postgres")


def server_url(dbname: str) -> str:
    parts = urlsplit(SERVER)
    if not parts.scheme.startswith("postgres"):
        sys.exit("bench-admin needs DATABASE_URL to point at a PostgreSQL server")
    return urlunsplit(parts._replace(path=f"/{dbname}"))


# Django reads its settings once, at setup: the throwaway database and the settings of a
# deployment (DEBUG off) are in the environment before anything of Django is imported.
os.environ.update(
    {
        "DATABASE_URL": server_url(DB),
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-not-for-production-use-0123456789",
        "HTTPS_ONLY": "0",
        "ALLOWED_HOSTS": "testserver",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.template import engines  # noqa: E402
from django.test import Client  # noqa: E402

from benchmarks.admin_data import insert_persons, make_heavy_person  # noqa: E402
from benchmarks.admin_reference import install_reference_views, timeline_from_template  # noqa: E402
from subscribers import services  # noqa: E402


def admin_connect(dbname="postgres"):
    return psycopg.connect(
        server_url(dbname).replace("postgres://", "postgresql://"), autocommit=True
    )


def create_database():
    with admin_connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}"')
        conn.execute(f'CREATE DATABASE "{DB}"')


def drop_database():
    connections.close_all()
    with admin_connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')


class SqlTimer:
    """Time spent waiting on PostgreSQL during one request, and how many queries."""

    def __init__(self):
        self.seconds, self.queries = 0.0, 0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start
            self.queries += 1


def timed(client, url: str) -> tuple[float, SqlTimer]:

    sql = SqlTimer()
    with connection.execute_wrapper(sql):
        start = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - start
    assert response.status_code == 200, (url, response.status_code)
    return elapsed * 1000, sql


def compare(anonymous, staff, url: str, *, cold: bool = False, templated: bool = False) -> dict:
    """Page and login page requested in turns, so both see the same machine load.

    ``cold`` empties the cache (not timed) before each page request: the lists' counts
    and chart as computed when not cached. ``templated`` renders the history timeline
    from a template instead (``timeline_from_template``).
    """
    with timeline_from_template() if templated else contextlib.nullcontext():
        return _compare(anonymous, staff, url, cold=cold)


def _compare(anonymous, staff, url: str, *, cold: bool) -> dict:
    for _ in range(2):
        timed(staff, url)
        timed(anonymous, "/admin/login/")
    pages, logins, sql_ms, queries = [], [], [], set()
    for _ in range(RUNS):
        login_ms, _ = timed(anonymous, "/admin/login/")
        if cold:
            cache.clear()
        page_ms, sql = timed(staff, url)
        logins.append(login_ms)
        pages.append(page_ms)
        sql_ms.append(sql.seconds * 1000)
        queries.add(sql.queries)
    return {
        "ms": statistics.median(pages),
        "login": statistics.median(logins),
        "ratio": statistics.median(p / b for p, b in zip(pages, logins, strict=True)),
        "best_ratio": min(pages) / min(logins),
        "sql": statistics.median(sql_ms),
        "queries": "/".join(str(q) for q in sorted(queries)),
    }


def settings_line() -> str:
    """The settings the figures depend on, so that a run under DEBUG cannot pass for one
    with production settings: both the pages and the login page are served with these."""

    loaders = engines["django"].engine.loaders
    cached = any(
        "cached" in (loader[0] if isinstance(loader, tuple) else loader) for loader in loaders
    )
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    return (
        f"settings: DEBUG={settings.DEBUG}, cached template loader={cached}, cache={cache}, "
        f"sessions={settings.SESSION_ENGINE.rsplit('.', 1)[-1]}"
    )


def measure(size: int, heavy_pk: int, lists, earlier: dict | None = None) -> dict:

    anonymous = Client()
    staff = Client()
    staff.force_login(get_user_model().objects.get(username="bench-marketing"))
    number = f"+1299{size // 2:07d}"
    typed = f"({number[2:5]}) {number[5:8]}-{number[8:]}"
    heavy = f"/admin/subscribers/person/{heavy_pk}/change/"
    list_page = f"/admin/subscribers/subscriptionlist/{lists[0].pk}/change/"
    pages = [
        ("admin index (reference)", "/admin/"),
        ("empty changelist (reference)", "/admin/subscribers/customfield/"),
        ("signed-in frame (reference)", "/bench/frame/"),
        ("floor: 50 persons, raw SQL", "/bench/raw-sql-persons/"),
        ("persons", "/admin/subscribers/person/"),
        ("persons, page 200", "/admin/subscribers/person/?p=200"),
        ("persons, search number", f"/admin/subscribers/person/?q={typed}"),
        ("persons, search name", "/admin/subscribers/person/?q=Garcia9"),
        ("persons, list+status", f"/admin/subscribers/person/?list={lists[1].pk}&status=opted_out"),
        ("persons, sync failed", "/admin/subscribers/person/?sync_state__exact=failed"),
        ("heavy person page", heavy),
        ("heavy person, templated", heavy, "templated"),
        ("heavy person, history p.150", f"{heavy}?history_page=150"),
        ("lists", "/admin/subscribers/subscriptionlist/"),
        ("lists, cache cold", "/admin/subscribers/subscriptionlist/", "cold"),
        ("list page + chart", list_page),
        ("list page + chart, cache cold", list_page, "cold"),
    ]
    print(f"\n== {size:,} persons (medians of {RUNS} requests, each paired with a login page)")
    print(settings_line())
    print(
        f"{'page':30} {'page ms':>8} {'login ms':>8} {'× login':>8} {'best ×':>7} "
        f"{'sql ms':>7} {'queries':>7} {'scale':>6}"
    )
    results = {}
    for label, url, *how in pages:
        r = results[label] = compare(
            anonymous, staff, url, cold="cold" in how, templated="templated" in how
        )
        scale = f"{r['ms'] / earlier[label]['ms']:6.2f}" if earlier else f"{'':6}"
        print(
            f"{label:30} {r['ms']:8.1f} {r['login']:8.1f} {r['ratio']:8.2f} "
            f"{r['best_ratio']:7.2f} {r['sql']:7.1f} {r['queries']:>7} {scale}",
            flush=True,
        )
    return results


def main() -> None:
    started = time.perf_counter()
    create_database()
    try:
        call_command("migrate", verbosity=0)

        lists = [
            services.subscription_list_upsert(
                list_id=list_id, name=name, acquisition_campaign_id=campaign
            )[0]
            for list_id, name, campaign in (
                ("1234", "Weekly deals", "2342312"),
                ("1235", "Store events", "2342313"),
                ("1236", "Order updates", "2342314"),
                ("1237", "Staff alerts", ""),
            )
        ]
        user = get_user_model().objects.create_user(username="bench-marketing", is_staff=True)
        user.groups.add(Group.objects.get(name="Marketing"))
        heavy_pk = make_heavy_person(lists)
        install_reference_views()
        done, earlier = 0, None
        for size in sorted(SIZES):
            t = time.perf_counter()
            insert_persons(done + 1, size)
            done = size
            print(f"generated {size:,} persons in {time.perf_counter() - t:.0f} s", flush=True)
            earlier = measure(size, heavy_pk, lists, earlier)
    finally:
        if os.environ.get("BENCH_KEEP") != "1":
            drop_database()
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
