"""The person rows and timeline entries built in Python give the markup Django's own
templates give, for the same data (so the look, the scripts and the tests that read the
HTML all stay as they were)."""

import re

import pytest
from django.contrib.admin.templatetags.admin_list import result_list
from django.template import engines
from django.template.loader import render_to_string

from subscribers import services
from subscribers.admin.persons import PersonAdmin
from subscribers.models import Source

from .admin_helpers import person_with_story

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/subscribers/person/"

# The per-entry template the timeline used before entry_html (a copy, as the reference).
ENTRY_TEMPLATE = """{% load i18n %}{% for entry in history_entries %}{% with e=entry.event %}
<li class="tone-{{ entry.tone }}{% if e.superseded %} superseded{% endif %}">
  <div class="when">
    <time datetime="{{ e.occurred_at|date:'c' }}">{{ e.occurred_at|date:"Y-m-d H:i:s" }} UTC</time>
    {% if e.recorded_at|date:"YmdHi" != e.occurred_at|date:"YmdHi" %}
      · {% translate "recorded" %} {{ e.recorded_at|date:"Y-m-d H:i:s" }}
    {% endif %}
  </div>
  <div class="what">
    {{ e.get_kind_display }}{% if e.subscription_list %} — {{ e.subscription_list.name }} <span class="badge">{% translate "list" %} {{ e.subscription_list.list_id }}</span>{% endif %}
    {% if e.superseded %}<span class="badge superseded" title="{% translate 'Older than a change already applied, so kept for the record only.' %}">{% translate "superseded" %}</span>{% endif %}
  </div>
  <div class="meta">
    <span>{% translate "Source" %}: {{ e.get_source_display }}</span>
    {% if e.staff_user %}<span>{% translate "Staff" %}: {{ e.staff_user.get_username }}</span>{% endif %}
    {% if e.opt_out_reason %}<span>{% translate "Reason" %}: {% if entry.reason_words %}{{ entry.reason_words }} (<code>{{ e.opt_out_reason }}</code>){% else %}<code>{{ e.opt_out_reason }}</code>{% endif %}</span>{% endif %}
    {% if e.acquisition_campaign_id %}<span>{% translate "Campaign" %}: {{ e.acquisition_campaign_id }}</span>{% endif %}
    {% if e.callback_id %}<span>{% if entry.callback_url %}<a href="{{ entry.callback_url }}">{% endif %}{% translate "Callback" %} #{{ e.callback_id }}{% if e.callback %} {{ e.callback.callback_type }} {{ e.callback.event_id }}{% endif %}{% if entry.callback_url %}</a>{% endif %}</span>{% endif %}
  </div>
  {% if e.note %}<div class="meta">{% translate "Note" %}: {{ e.note }}</div>{% endif %}
  {% if entry.has_evidence %}
  <dl class="evidence">
    {% if e.ip_address %}<dt>{% translate "IP address" %}</dt><dd>{{ e.ip_address }}</dd>{% endif %}
    {% if e.page %}<dt>{% translate "Page" %}</dt><dd>{{ e.page }}</dd>{% endif %}
    {% if e.user_agent %}<dt>{% translate "Browser" %}</dt><dd>{{ e.user_agent }}</dd>{% endif %}
    {% if e.wording %}<dt>{% translate "Wording shown" %}</dt><dd class="wording">“{{ e.wording }}”</dd>{% endif %}
  </dl>
  {% endif %}
  {% if entry.changes %}
  <table class="changes">
    <thead><tr><th>{% translate "Field" %}</th><th>{% translate "Before" %}</th><th>{% translate "After" %}</th></tr></thead>
    <tbody>{% for field, old, new in entry.changes %}
      <tr><td>{{ field }}</td><td>{{ old|default_if_none:"—" }}</td><td>{{ new|default_if_none:"—" }}</td></tr>
    {% endfor %}</tbody>
  </table>
  {% endif %}
</li>
{% endwith %}{% endfor %}"""  # noqa: E501


def squeeze(html: str) -> str:
    """Whitespace between tags and runs of spaces do not show."""
    html = re.sub(r"\s+", " ", html)
    return re.sub(r"\s*(<[^>]+>)\s*", r"\1", html)


def test_person_rows_match_djangos_result_list(marketing_client, lists, marketing_user):
    ana = person_with_story(lists, n=1)
    person_with_story(lists, n=2, first='Zoë "<b>"', last="O'Brien & Co")
    services.person_update(person=ana, source=Source.ADMIN, staff_user=marketing_user)
    pages = []
    for url in (CHANGELIST, f"{CHANGELIST}?list={lists[0].pk}&o=-1", f"{CHANGELIST}?q=ana"):
        cl = marketing_client.get(url).context["cl"]
        django_html = render_to_string("admin/change_list_results.html", result_list(cl))
        ours = render_to_string("admin/change_list_results.html", cl.result_list_context())
        assert ours == django_html
        pages.append(ours)
    assert "Zoë &quot;&lt;b&gt;&quot; O&#x27;Brien &amp; Co" in pages[0]
    assert "_changelist_filters=list%3D" in pages[1]  # the filters kept in the row links


def test_timeline_entries_match_the_per_entry_template(marketing_client, lists, marketing_user):
    ana = person_with_story(lists, n=1)
    services.person_update(
        person=ana, source=Source.ADMIN, staff_user=marketing_user, timezone="America/Chicago"
    )
    # A value of no type of ours, as Vibes may send one (staff could not type it).
    services.person_update(person=ana, source=Source.RECONCILE, custom_fields={"n": 2.5})
    response = marketing_client.get(f"{CHANGELIST}{ana.pk}/change/")
    entries = response.context["history_entries"]
    reference = engines["django"].from_string(ENTRY_TEMPLATE).render({"history_entries": entries})
    ours = "".join(entry.html for entry in entries)
    assert squeeze(ours) == squeeze(reference)
    assert "Staff: mara" in ours and "America/Chicago" in ours and "superseded" not in ours


def test_a_column_added_later_falls_back_to_djangos_rows(marketing_client, lists, monkeypatch):
    person_with_story(lists, n=1)
    monkeypatch.setattr(PersonAdmin, "list_display", (*PersonAdmin.list_display, "carrier_code"))
    html = marketing_client.get(CHANGELIST).content.decode()
    assert '<td class="field-carrier_code">' in html and '<td class="field-lists">' in html
