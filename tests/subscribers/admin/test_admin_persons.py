"""The person changelist (search, filters, columns) and change page (timeline)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import TestCase

from subscribers import services
from subscribers.admin.paging import EstimatedCountPaginator
from subscribers.models import Person, Source, SubscriptionEvent
from subscribers.outbox.models import Push
from tests import texts

from .admin_helpers import T0, add_history, change_url, edit, person_with_story, query_count

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/subscribers/person/"


def found(response) -> set[int]:
    return {p.pk for p in response.context["cl"].result_list}


@pytest.fixture
def ana(lists):
    return person_with_story(lists, n=1, first="Ana", last="Garcia")


@pytest.fixture
def ben(lists):
    return person_with_story(lists, n=2, first="Ben", last="Okafor")


@pytest.mark.parametrize(
    "typed",
    ["(415) 555-0001", "415.555.0001", "+1 415 555 0001", "14155550001", "+14155550001"],
)
def test_search_finds_a_number_in_any_format_staff_type(marketing_client, ana, ben, typed):
    response = marketing_client.get(CHANGELIST, {"q": typed})
    assert found(response) == {ana.pk}


@pytest.mark.parametrize("typed", ["crm-0002", "pk-0002", "9002", "ben", "OKAFOR", "Ben Okafor"])
def test_search_finds_ids_and_names(marketing_client, ana, ben, typed):
    assert found(marketing_client.get(CHANGELIST, {"q": typed})) == {ben.pk}


def test_search_for_a_full_name_needs_both_parts_to_match(marketing_client, ana, ben):
    assert found(marketing_client.get(CHANGELIST, {"q": "Ana Okafor"})) == set()
    assert found(marketing_client.get(CHANGELIST, {"q": "nobody"})) == set()


def test_filters_by_list_and_status_apply_to_the_same_subscription(
    marketing_client, lists, ana, ben
):
    weekly, events, orders = lists
    services.subscription_activate(person=ben, subscription_list=weekly, source=Source.ADMIN)
    base = {"list": weekly.pk}
    assert found(marketing_client.get(CHANGELIST, base)) == {ana.pk, ben.pk}
    assert found(marketing_client.get(CHANGELIST, {**base, "status": "opted_out"})) == {ana.pk}
    assert found(marketing_client.get(CHANGELIST, {**base, "status": "active"})) == {ben.pk}
    # Ana is active on "Store events" but opted out of "Weekly deals": not listed here.
    assert found(marketing_client.get(CHANGELIST, {"list": orders.pk})) == set()
    assert found(marketing_client.get(CHANGELIST, {"status": "active"})) == {ana.pk, ben.pk}


def test_filters_by_sync_state_and_source_of_last_change(marketing_client, ana, ben):
    services.person_set_sync_state(person=ben, state=Person.SyncState.FAILED, error="HTTP 500")
    services.person_update(person=ana, source=Source.ADMIN, carrier_code="104")
    assert found(marketing_client.get(CHANGELIST, {"sync_state__exact": "failed"})) == {ben.pk}
    assert found(marketing_client.get(CHANGELIST, {"last_change_source__exact": "admin"})) == {
        ana.pk
    }


def test_changelist_shows_masked_number_name_lists_and_state_never_the_whole_number(
    marketing_client, ana
):
    response = marketing_client.get(CHANGELIST)
    html = response.content.decode()
    assert ">+1\u00a0•••\u00a0•••\u00a00001</a>" in html
    assert "+14155550001" not in html
    assert "Ana Garcia" in html
    assert "✗ Weekly deals" in html and "✓ Store events" in html
    assert "In sync" in html and "2026-09-03 15:42 · Vibes callback" in html


def test_changelist_query_count_does_not_grow_with_the_number_of_persons(marketing_client, lists):
    for n in range(3):
        person_with_story(lists, n=n)
    small, _ = query_count(marketing_client, CHANGELIST)
    filtered_small, _ = query_count(marketing_client, f"{CHANGELIST}?list={lists[0].pk}&q=ana")
    for n in range(3, 60):
        person_with_story(lists, n=n)
    large, response = query_count(marketing_client, CHANGELIST)
    filtered_large, _ = query_count(marketing_client, f"{CHANGELIST}?list={lists[0].pk}&q=ana")
    assert len(response.context["cl"].result_list) == 50  # a page, not all 60
    # session, user, 2 × permissions, list filter choices, (EXPLAIN on PostgreSQL,) count,
    # one page of persons, their subscriptions
    assert small == large <= 9
    assert filtered_small == filtered_large <= 9


def test_change_page_shows_the_timeline_newest_first_with_evidence_and_callback_links(
    marketing_client, ana, marketing_user
):
    services.person_update(
        person=ana, source=Source.ADMIN, staff_user=marketing_user, timezone="America/Chicago"
    )
    response = marketing_client.get(change_url(ana))
    html = response.content.decode()
    entries = response.context["history_entries"]
    kinds = [e.event.kind for e in entries]
    assert kinds[:2] == ["details_changed", "opted_out"]
    assert kinds[-1] == "details_changed"  # created by the import, the oldest
    occurred = [e.event.occurred_at for e in entries]
    assert occurred == sorted(occurred, reverse=True)
    assert "Staff: mara" in html
    assert "Reason: Texted a list&#x27;s opt-out keyword (<code>keyword_opt_out</code>)" in html
    assert "Campaign: 2342312" in html
    assert "203.0.113.9" in html and "iPhone" in html and "/preferences/abc/" in html
    assert "Msg&amp;data rates may apply" in html
    removed = SubscriptionEvent.objects.get(person=ana, kind="opted_out")
    assert f'href="/admin/callbacks/callbackevent/{removed.callback_id}/change/"' in html
    assert "subscription_removed AB234SDFD0001" in html
    assert "America/Chicago" in html  # the change's before/after


def test_superseded_history_rows_are_flagged(marketing_client, lists, ana):
    services.subscription_activate(
        person=ana,
        subscription_list=lists[0],
        source=Source.VIBES_CALLBACK,
        occurred_at=T0 + timedelta(days=1),  # older than the opt-out already applied
    )
    html = marketing_client.get(change_url(ana)).content.decode()
    assert 'class="badge superseded"' in html


def test_history_is_paged_past_50_entries_with_the_same_number_of_queries(
    marketing_client, lists, ana
):
    add_history(ana, lists[0], 10)
    small, first = query_count(marketing_client, change_url(ana))
    add_history(ana, lists[0], 200)
    large, response = query_count(marketing_client, change_url(ana))
    # A fixed count whatever the history's length: session, user, person, the history's
    # count and page, permissions, custom field definitions, subscriptions, the number's
    # status (dead or not), and the change form's own reads.
    assert small == large <= 11
    assert len(response.context["history_entries"]) == 50
    total = SubscriptionEvent.objects.filter(person=ana).count()
    assert response.context["history_page"].paginator.count == total
    assert "?history_page=2#opt-in-history" in response.content.decode()

    last_page = (total + 49) // 50
    deep, response = query_count(marketing_client, f"{change_url(ana)}?history_page={last_page}")
    assert deep == large
    oldest = SubscriptionEvent.objects.filter(person=ana).order_by("occurred_at", "id").first()
    assert response.context["history_entries"][-1].event.pk == oldest.pk
    # A page number out of range or junk shows a page rather than failing.
    assert marketing_client.get(f"{change_url(ana)}?history_page=999").status_code == 200
    assert marketing_client.get(f"{change_url(ana)}?history_page=x").status_code == 200


@pytest.mark.usefixtures("text_fields")
def test_person_edit_by_marketing_goes_through_services_with_the_staff_user(
    marketing_client, marketing_user, ana
):
    response = edit(
        marketing_client,
        ana,
        external_person_id="crm-9001",
        cf_first_name="Anna",
        cf_last_name="Garcia",
    )
    assert response.status_code == 200 and response.redirect_chain, response.content[:3000]
    ana.refresh_from_db()
    assert ana.external_person_id == "crm-9001"
    assert ana.custom_fields["first_name"] == "Anna"
    event = SubscriptionEvent.objects.filter(person=ana).latest("id")
    assert event.staff_user == marketing_user and event.source == Source.ADMIN
    assert set(event.changes) == {"external_person_id", "custom_fields"}


def start_number_change(client, person, typed: str):
    """Staff's "Start a number change" (the number field itself is read-only)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            f"/admin/subscribers/person/{person.pk}/number/", {"mdn": typed}, follow=True
        )


def test_a_new_number_typed_by_staff_waits_for_the_code_the_person_types_back(
    marketing_client, ana
):
    old = ana.mdn
    response = start_number_change(marketing_client, ana, "(415) 555-0199")
    assert response.redirect_chain, response.content[:3000]
    assert "We texted a one-time code to +1 ••• ••• 0199." in response.text
    ana.refresh_from_db()
    # Staff cannot prove the phone is Ana's: nothing reaches Vibes until she types the code.
    assert (ana.mdn, ana.pending_mdn) == (old, "")
    assert not Push.objects.filter(person=ana, kind=Push.Kind.NUMBER).exists()
    [(person_id, mdn, code)] = texts.CODES
    assert (person_id, mdn) == (ana.pk, "+14155550199")
    services.person_prove_number(person=ana, code=code, source=Source.PREFERENCE_PAGE)
    ana.refresh_from_db()
    assert (ana.mdn, ana.pending_mdn) == (old, "+14155550199")
    event = SubscriptionEvent.objects.filter(person=ana).latest("id")
    assert event.changes == {"pending_mdn": ["", "+14155550199"]}
    assert "proved by the code" in event.note
    assert Push.objects.filter(person=ana, kind=Push.Kind.NUMBER).exists()


def test_the_current_number_typed_in_another_format_changes_nothing(marketing_client, ana):
    before = SubscriptionEvent.objects.filter(person=ana).count()
    typed = f"({ana.mdn[2:5]}) {ana.mdn[5:8]}-{ana.mdn[8:]}"
    response = start_number_change(marketing_client, ana, typed)
    assert "That is already the person&#x27;s number" in response.text
    ana.refresh_from_db()
    assert ana.pending_mdn == "" and texts.CODES == []
    assert SubscriptionEvent.objects.filter(person=ana).count() == before


@pytest.mark.parametrize("typed", ["not a number", "12", "+1 415 555"])
def test_a_number_that_is_not_a_mobile_number_is_an_error_on_the_field(
    marketing_client, ana, typed
):
    before = SubscriptionEvent.objects.filter(person=ana).count()
    response = start_number_change(marketing_client, ana, typed)
    assert response.status_code == 200 and not response.redirect_chain
    assert "Enter a valid mobile phone number" in response.text
    ana.refresh_from_db()
    assert ana.pending_mdn == "" and texts.CODES == []
    assert SubscriptionEvent.objects.filter(person=ana).count() == before


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the planner estimate is PostgreSQL's"
)
def test_paginator_uses_the_planner_estimate_for_large_results_on_postgresql(lists):
    for n in range(12):
        person_with_story(lists, n=n)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE subscribers_person")
    queryset = Person.objects.order_by("-last_change_at", "-id")

    exact = EstimatedCountPaginator(queryset, 5)
    assert exact.count == 12 and not exact.estimated

    class Low(EstimatedCountPaginator):
        exact_below = 5

    estimated = Low(queryset, 5)
    assert estimated.count > 0 and estimated.estimated
    assert len(estimated.page(1).object_list) == 5


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the planner estimate is PostgreSQL's"
)
def test_changelist_says_about_when_the_count_is_an_estimate(marketing_client, lists, monkeypatch):
    for n in range(3):
        person_with_story(lists, n=n)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE subscribers_person")
    monkeypatch.setattr(EstimatedCountPaginator, "exact_below", 1)
    response = marketing_client.get(CHANGELIST)
    assert response.context["cl"].paginator.estimated
    assert "about " in response.content.decode()
