"""Benchmark of the marketing admin at 100k and 1M persons (PostgreSQL only).

    make bench-admin                       # or: .venv/bin/python -m benchmarks.bench_admin
    BENCH_SIZES=100000 make bench-admin    # one size only

Creates its own database (``vibes_admin_bench`` by default, BENCH_DB to change it) on the
server of DATABASE_URL, fills it in SQL (INSERT … SELECT generate_series), then times the
person changelist (plain, searched, filtered), the change page of a person with 10,000
history rows, and the list pages, each next to the admin login page measured in the same
run. The lists' counts and chart are cached briefly (subscribers.admin.list_stats): they
are timed both as staff usually get them and with the cache emptied before each request
("cache cold"). Two reference rows, the admin index and an empty changelist, show what
any page costs a signed-in staff user (session, user and permission queries, the admin's
frame) against the anonymous login page. Two more reference rows, served by views of this
file only, show the floor under any data page: "signed-in frame" checks the person view
permission and renders the admin's frame around nothing; "floor: 50 persons, raw SQL" adds
the first page of persons read in one hand-written query (their lists aggregated in it) and
written out as bare table rows, with no filters, search, actions, sorting or pagination.
"heavy person, templated" is the same person page with its history rendered by a template
loop (benchmarks/templates/, the same markup) instead of the hand-built entries. At 1M persons each page's time is also given as a multiple of its time at 100k (scale
column). Django runs with DEBUG off, as deployed (the first line of each table says so).
Drops the database at the end (BENCH_KEEP=1 keeps it). Not collected by pytest.
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
HEAVY_HISTORY = 10_000
FIRST = ["Ana", "Ben", "Chloé", "Dev", "Eli", "Fatima", "Gus", "Hana", "Ivan", "José", "Kim"]
LAST = ["Garcia", "Smith", "Nguyen", "Okafor", "Müller", "Rossi", "Kowalski", "Tanaka", "Diaz"]
TIMELINE_TEMPLATE = ROOT / "benchmarks/templates/timeline_template.html"


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
from django.contrib import admin  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.exceptions import PermissionDenied  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.template import engines  # noqa: E402
from django.template.loaders.locmem import Loader  # noqa: E402
from django.template.response import TemplateResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import clear_url_caches, path  # noqa: E402
from django.utils.html import escape  # noqa: E402
from django.utils.safestring import mark_safe  # noqa: E402

import config.urls  # noqa: E402
from subscribers import services  # noqa: E402
from subscribers.admin import timeline  # noqa: E402
from subscribers.models import Person, Source  # noqa: E402


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


def sql_array(values) -> str:
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def execute(sql: str, params=None) -> None:

    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def insert_persons(first: int, last: int) -> None:
    """Persons ``first``..``last``, their subscriptions and one history row each."""
    execute("SET synchronous_commit = off")
    execute(
        f"""
        INSERT INTO subscribers_person (person_key, vibes_person_id, external_person_id, mdn,
            pending_mdn, carrier_code, custom_fields, timezone, created_at, updated_at,
            sync_state, sync_error, last_change_source, last_change_at, link_version)
        SELECT 'bench-' || i, (5000000 + i)::text, 'crm-' || i,
            '+1299' || lpad(i::text, 7, '0'), '', '',
            jsonb_build_object(
                'first_name', ({sql_array(FIRST)})[1 + i %% {len(FIRST)}],
                'last_name', ({sql_array(LAST)})[1 + i %% {len(LAST)}] || (i %% 20000)),
            '', now(), now(),
            CASE WHEN i %% 97 = 0 THEN 'failed' WHEN i %% 13 = 0 THEN 'pending' ELSE 'in_sync' END,
            '',
            (ARRAY['vibes_callback','import','preference_page','admin','reconcile'])[1 + i %% 5],
            now() - make_interval(secs => i * 7), 1
        FROM generate_series(%s, %s) AS i
        """,  # noqa: S608 - only constants of this file are formatted in
        [first, last],
    )

    ids = [Person.objects.get(person_key=f"bench-{n}").pk for n in (first, last)]
    # Each person on one to four lists; one subscription in seven opted out.
    execute(
        """
        INSERT INTO subscribers_subscription (person_id, subscription_list_id, status,
            opt_in_date, opt_out_date, opt_out_reason, acquisition_campaign_id, last_event_at,
            created_at, updated_at)
        SELECT p.id, l.id,
            CASE WHEN (p.id + l.id) %% 7 = 0 THEN 'opted_out'
                 WHEN (p.id + l.id) %% 31 = 0 THEN 'pending' ELSE 'active' END,
            now() - make_interval(days => ((p.id * 7 + l.id) %% 1095)::int),
            CASE WHEN (p.id + l.id) %% 7 = 0
                 THEN now() - make_interval(days => ((p.id * 3 + l.id) %% 365)::int) END,
            CASE WHEN (p.id + l.id) %% 7 = 0 THEN 'user_opt_out' ELSE '' END,
            l.acquisition_campaign_id, now(), now(), now()
        FROM subscribers_person p
        JOIN subscribers_subscriptionlist l
          ON l.list_id = '1234' OR (l.list_id = '1235' AND p.id %% 2 = 0)
             OR (l.list_id = '1236' AND p.id %% 3 = 0) OR (l.list_id = '1237' AND p.id %% 10 = 0)
        WHERE p.id BETWEEN %s AND %s
        """,
        ids,
    )
    execute(
        """
        INSERT INTO subscribers_subscriptionevent (person_id, subscription_list_id, kind,
            source, occurred_at, recorded_at, opt_out_reason, acquisition_campaign_id,
            superseded, changes, user_agent, page, wording, note)
        SELECT s.person_id, s.subscription_list_id,
            CASE WHEN s.status = 'opted_out' THEN 'opted_out' ELSE 'opted_in' END,
            'vibes_callback', coalesce(s.opt_out_date, s.opt_in_date), now(), s.opt_out_reason,
            s.acquisition_campaign_id, false, '{}'::jsonb, '', '', '', ''
        FROM subscribers_subscription s
        WHERE s.person_id BETWEEN %s AND %s
        """,
        ids,
    )
    vacuum_analyze()


def vacuum_analyze() -> None:
    """What autovacuum does on a live database: statistics, and a visibility map that
    lets PostgreSQL answer counts from indexes alone."""
    with admin_connect(DB) as conn:
        conn.execute("VACUUM ANALYZE")


def make_heavy_person(lists) -> int:
    """The person with 10,000 history rows, a tenth of them caused by stored callbacks."""

    person = services.person_create(
        source=Source.ADMIN,
        mdn="+14155550132",
        external_person_id="heavy-1",
        custom_fields={"first_name": "Hilda", "last_name": "Heavy"},
    )
    execute(
        """
        INSERT INTO callbacks_callbackevent (received_at, method, body, headers, remote_addr,
            callback_type, event_id, callback_id, payload, dedupe_key, status, error, attempts,
            person_id, mdn, processed_at, event_date)
        SELECT now() - make_interval(hours => i), 'POST',
            '{"event_id": "H' || i || '", "callback_type": "subscription_added"}',
            '{}'::jsonb, '35.155.139.143', 'subscription_added', 'H' || i, '', '{}'::jsonb,
            'subscription_added:H' || i, 'applied', '', 1, %s, '+14155550132', now(), now()
        FROM generate_series(1, %s) AS i
        """,
        [person.pk, HEAVY_HISTORY // 10],
    )
    execute(
        """
        INSERT INTO subscribers_subscriptionevent (person_id, subscription_list_id, kind,
            source, occurred_at, recorded_at, opt_out_reason, acquisition_campaign_id,
            superseded, changes, ip_address, user_agent, page, wording, note, callback_id)
        SELECT %s, %s,
            CASE WHEN i %% 2 = 0 THEN 'opted_in' ELSE 'opted_out' END,
            CASE WHEN i %% 10 = 0 THEN 'vibes_callback' ELSE 'preference_page' END,
            now() - make_interval(mins => i * 13), now(), '', '2342312', i %% 17 = 0, '{}'::jsonb,
            '203.0.113.9', 'Mozilla/5.0 (iPhone)', '/preferences/x/', 'Yes, text me.', '',
            CASE WHEN i %% 10 = 0 THEN
                (SELECT id FROM callbacks_callbackevent WHERE event_id = 'H' || (i / 10)) END
        FROM generate_series(1, %s) AS i
        """,
        [person.pk, lists[0].pk, HEAVY_HISTORY - 1],
    )
    connection.close()
    return person.pk


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


@contextlib.contextmanager
def timeline_from_template():
    """The person page with its opt-in history rendered by a template loop (the same
    markup as ``timeline_entries.entry_html``): what the hand-built entries save."""
    cached = engines["django"].engine.template_loaders[0]
    loader = Loader(
        cached.engine,
        {"admin/subscribers/person/timeline.html": TIMELINE_TEMPLATE.read_text()},
    )
    built = timeline.entry_html
    cached.loaders.insert(0, loader)
    timeline.entry_html = lambda entry, labels: ""
    cached.reset()
    try:
        yield
    finally:
        cached.loaders.remove(loader)
        timeline.entry_html = built
        cached.reset()


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


def signed_in_frame(request):
    """Reference: the permission check and the admin's frame, no data."""

    if not admin.site._registry[Person].has_view_permission(request):
        raise PermissionDenied
    return TemplateResponse(
        request, "admin/base_site.html", {**admin.site.each_context(request), "title": "Floor"}
    )


def raw_sql_persons(request):
    """Reference: the first 50 persons in one hand-written query, as bare rows."""

    response = signed_in_frame(request)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT p.id, p.mdn, p.custom_fields->>'first_name', p.custom_fields->>'last_name',
                p.last_change_at, p.sync_state,
                (SELECT string_agg(s.status || ' ' || l.name, ', ' ORDER BY l.name)
                 FROM subscribers_subscription s
                 JOIN subscribers_subscriptionlist l ON l.id = s.subscription_list_id
                 WHERE s.person_id = p.id)
            FROM subscribers_person p ORDER BY p.last_change_at DESC, p.id DESC LIMIT 50
            """
        )
        rows = "".join(
            f'<tr><td><input type="checkbox" name="_selected_action" value="{pk}"></td>'
            f'<th><a href="/admin/subscribers/person/{pk}/change/">…{escape(mdn[-4:])}</a></th>'
            f"<td>{escape(first)} {escape(last)}</td><td>{escape(lists or '')}</td>"
            f"<td>{changed:%Y-%m-%d %H:%M}</td><td>{escape(sync)}</td></tr>"
            for pk, mdn, first, last, changed, sync, lists in cursor.fetchall()
        )
    response.context_data["content"] = mark_safe(f'<table id="result_list">{rows}</table>')  # noqa: S308
    response.template_name = "bench_floor.html"
    return response


def install_reference_views() -> None:
    """Mount the two reference views (and their one-line template) for this run only."""

    engine = engines["django"].engine
    template = '{% extends "admin/base_site.html" %}{% block content %}{{ content }}{% endblock %}'
    engine.template_loaders.append(Loader(engine, {"bench_floor.html": template}))
    config.urls.urlpatterns[:0] = [
        path("bench/frame/", admin.site.admin_view(signed_in_frame)),
        path("bench/raw-sql-persons/", admin.site.admin_view(raw_sql_persons)),
    ]
    clear_url_caches()


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
