"""The person changelist's rows, built in one pass of plain string formatting.

Django builds each cell through ``items_for_result`` (``lookup_field``,
``display_for_value``, ``format_html``, a ``reverse()`` per link) and the template then
renders every cell again: with 50 rows of six columns that was most of the page's time.
Here the labels, the change URL pattern and the preserved filters are worked out once per
page and each row is one escaped string. The markup is Django's own
(``admin/change_list_results.html``, same cells and classes); the column methods of
``PersonAdmin`` stay the reference for what each cell shows.
"""

from django.contrib.admin import helpers
from django.contrib.admin.templatetags.admin_list import ResultList, result_headers, result_list
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from ..models import Person, Subscription
from ..phone import mask, readable
from .base import escape

STATUS_MARK = {
    Subscription.Status.ACTIVE: "✓",
    Subscription.Status.PENDING: "…",
    Subscription.Status.OPTED_OUT: "✗",
    Subscription.Status.REJECTED: "✗",
}
_PK_PLACEHOLDER = "999999999"


FULL_NUMBER_PERMISSION = "subscribers.view_full_number"


def number_shown(full: bool):
    """How a number reads in the admin: whole for staff with ``view_full_number`` (to tell
    two people with the same last four apart), else masked to its last four digits."""
    return readable if full else (lambda number: mask(number, unbroken=True))


def person_name(person: Person) -> str:
    fields = person.custom_fields or {}
    parts = [fields.get("first_name"), fields.get("last_name")]
    return " ".join(p for p in parts if isinstance(p, str) and p) or "—"


def status_labels() -> dict[str, str]:
    return {value: str(label) for value, label in Subscription.Status.choices}


def attach_list_statuses(persons) -> None:
    """Sets ``list_statuses``, ``[(status, list name), …]`` by list name, on each person,
    with one query for them all (plain tuples: no model instances to build)."""
    by_person: dict[int, list[tuple[str, str]]] = {p.pk: [] for p in persons}
    if by_person:
        rows = (
            Subscription.objects.filter(person_id__in=by_person)
            .order_by("subscription_list__name", "id")
            .values_list("person_id", "status", "subscription_list__name")
        )
        for person_id, status, name in rows:
            by_person[person_id].append((status, name))
    for person in persons:
        person.list_statuses = by_person[person.pk]


def lists_html(person: Person, labels: dict[str, str]) -> str:
    """The person's lists with a status mark each (``attach_list_statuses`` first)."""
    if not person.list_statuses:
        return "—"
    return ", ".join(
        f'<span class="sub-status sub-{status}" title="{escape(labels[status])}">'
        f"{STATUS_MARK.get(status, '')} {escape(name)}</span>"
        for status, name in person.list_statuses
    )


def last_change_text(person: Person, sources: dict[str, str]) -> str:
    if not person.last_change_at:
        return "—"
    when = f"{timezone.localtime(person.last_change_at):%Y-%m-%d %H:%M}"
    source = sources.get(person.last_change_source, person.last_change_source)
    return f"{when} · {source}" if source else when


#: The columns ``_rows`` builds; any other set (a column added at merge time, a popup)
#: is left to Django's own ``result_list``.
COLUMNS = ("action_checkbox", "number", "name", "lists", "last_change", "sync_state")
LINKS = ("number", "name")


def result_list_context(cl) -> dict:
    """What Django's ``result_list`` tag gives ``admin/change_list_results.html``."""
    if (
        tuple(cl.list_display) != COLUMNS
        or tuple(cl.list_display_links or ()) != LINKS
        or cl.formset is not None
        or cl.is_popup
    ):
        return result_list(cl)
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": [],
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": list(_rows(cl)),
    }


def _rows(cl):
    opts = cl.opts
    change_url = reverse(
        f"admin:{opts.app_label}_{opts.model_name}_change",
        args=[_PK_PLACEHOLDER],
        current_app=cl.model_admin.admin_site.name,
    )
    change_url = add_preserved_filters(
        {"preserved_filters": cl.preserved_filters, "opts": opts}, change_url
    )
    head, _, tail = change_url.partition(_PK_PLACEHOLDER)
    head, tail = escape(head), escape(tail)
    select_label = gettext("Select this object for an action - {}")
    labels = status_labels()
    sources = {
        value: str(label)
        for value, label in Person._meta.get_field("last_change_source").flatchoices
    }
    sync_states = {
        value: str(label) for value, label in Person._meta.get_field("sync_state").flatchoices
    }
    checkbox_name = helpers.ACTION_CHECKBOX_NAME
    shown_number = number_shown(getattr(cl, "full_numbers", False))
    for person in cl.result_list:
        pk = person.pk
        url = f"{head}{pk}{tail}"
        number = shown_number(person.mdn) or "—"
        sync = sync_states.get(person.sync_state, person.sync_state) or "-"
        yield ResultList(
            None,
            [
                mark_safe(  # noqa: S308 - every value below is escaped
                    '<td class="action-checkbox"><input type="checkbox" '
                    f'name="{checkbox_name}" value="{pk}" class="action-select" '
                    f'aria-label="{escape(select_label.format(person))}"></td>'
                    f'<th class="field-number"><a href="{url}">{escape(number)}</a></th>'
                    f'<td class="field-name"><a href="{url}">{escape(person_name(person))}</a>'
                    f'</td><td class="field-lists">{lists_html(person, labels)}</td>'
                    f'<td class="field-last_change">{escape(last_change_text(person, sources))}'
                    f'</td><td class="field-sync_state">{escape(sync)}</td>'
                )
            ],
        )
