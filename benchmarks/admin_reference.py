"""What the admin benchmark compares the pages with, served for its run only.

Two reference views show the floor under any data page ("signed-in frame", "floor: 50
persons, raw SQL"), and ``timeline_from_template`` renders the person page's history with a
template loop (benchmarks/templates/timeline_template.html, the same markup) instead of
the hand-built entries. Imported by bench_admin.py once Django is set up.
"""

import contextlib
from pathlib import Path

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.template import engines
from django.template.loaders.locmem import Loader
from django.template.response import TemplateResponse
from django.urls import clear_url_caches, path
from django.utils.html import escape
from django.utils.safestring import mark_safe

import config.urls
from subscribers.admin import timeline
from subscribers.models import Person

TIMELINE_TEMPLATE = Path(__file__).resolve().parent / "templates/timeline_template.html"


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
