"""Confirmations nobody answers expire: a join or a new number waiting for the phone's
"Y" ends past its deadline, with history, and the page offers to send the text again."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from subscribers import services, tasks
from subscribers.models import Person, Source, Subscription, SubscriptionEvent
from subscribers.outbox.models import Push
from subscribers.reasons import reason_text
from subscribers.repair import expiry
from tests import texts
from tests.browser import axe_check, axe_findings, screenshot

from .prefs_helpers import ask_and_prove
from .test_preferences_views import lists_post

pytestmark = pytest.mark.django_db

LATER = timedelta(hours=settings.PENDING_CONFIRMATION_HOURS, minutes=1)


@pytest.fixture(autouse=True)
def served_number(world):
    """A number in a country we text (the limits refuse the world's made-up one)."""
    Person.objects.filter(pk=world.person.pk).update_unpushed(mdn="+14155550132")
    world.person.refresh_from_db()


def join_events(client, url, world):
    response = lists_post(client, url, shown=[(world.events, False)], checked=[world.events])
    assert response.status_code == 302
    return Subscription.objects.get(person=world.person, subscription_list=world.events)


def test_a_join_nobody_confirms_expires_with_history_and_no_push(client, url, world):
    sub = join_events(client, url, world)
    assert sub.status == Subscription.Status.PENDING
    wait = timedelta(hours=settings.PENDING_CONFIRMATION_HOURS)
    assert abs(sub.confirm_by - (timezone.now() + wait)) < timedelta(minutes=1)
    pushes = Push.objects.count()

    assert expiry.pending_expire(now=timezone.now()).joins == 0  # not due yet
    done = expiry.pending_expire(now=timezone.now() + LATER)
    assert (done.joins, done.numbers, done.more) == (1, 0, False)

    sub.refresh_from_db()
    assert (sub.status, sub.opt_out_reason, sub.confirm_by) == ("rejected", "expired", None)
    event = SubscriptionEvent.objects.filter(person=world.person).latest("id")
    assert (event.kind, event.opt_out_reason, event.source) == (
        SubscriptionEvent.Kind.OPTIN_REJECTED,
        "expired",
        Source.SYSTEM,
    )
    assert event.subscription_list == world.events
    assert reason_text(event.opt_out_reason) == (
        "The confirmation text was not answered in time (expired)"
    )
    assert Push.objects.count() == pushes  # Vibes let it lapse itself: nothing to send
    assert expiry.pending_expire(now=timezone.now() + LATER).joins == 0  # once only

    page = client.get(url).content.decode()
    assert "Confirmation expired" in page
    assert "no “Y” came back in time" in page
    assert f'name="resend" value="{world.events.pk}"' in page
    assert "Send the text for Store events again" in page
    assert "The confirmation for Store events expired" in page  # in the recent changes


def test_send_again_starts_the_same_join_and_renews_the_deadline(client, url, world):
    join_events(client, url, world)
    expiry.pending_expire(now=timezone.now() + LATER)
    response = client.post(
        f"{url}lists/", {"shown": [f"{world.events.pk}:0"], "resend": str(world.events.pk)}
    )
    assert response.status_code == 302
    sub = Subscription.objects.get(person=world.person, subscription_list=world.events)
    assert sub.status == Subscription.Status.PENDING
    assert sub.confirm_by > timezone.now() + timedelta(hours=23)
    event = SubscriptionEvent.objects.filter(person=world.person).latest("id")
    assert (event.kind, event.source) == (
        SubscriptionEvent.Kind.OPTIN_REQUESTED,
        Source.PREFERENCE_PAGE,
    )
    assert Push.objects.filter(
        person=world.person,
        subscription_list=world.events,
        kind=Push.Kind.SUBSCRIPTION,
        state=Push.State.PENDING,
    ).exists()
    page = client.get(url).content.decode()
    assert "reply Y to confirm Store events" in page


def test_send_again_counts_against_the_text_limits(client, url, world, settings):
    join_events(client, url, world)
    expiry.pending_expire(now=timezone.now() + LATER)
    settings.TEXT_LIMIT_PER_PERSON = 0
    response = client.post(
        f"{url}lists/",
        {"shown": [f"{world.events.pk}:0"], "resend": str(world.events.pk)},
        follow=True,
    )
    assert "We can&#x27;t send another confirmation text today." in response.content.decode()
    sub = Subscription.objects.get(person=world.person, subscription_list=world.events)
    assert (sub.status, sub.opt_out_reason) == ("rejected", "expired")


def test_a_yes_vibes_reports_after_the_expiry_still_subscribes(client, url, world):
    join_events(client, url, world)
    expiry.pending_expire(now=timezone.now() + LATER)
    services.subscription_activate(
        person=world.person,
        subscription_list=world.events,
        source=Source.VIBES_CALLBACK,
        kind=SubscriptionEvent.Kind.OPTIN_CONFIRMED,
        occurred_at=timezone.now(),  # the phone's reply, in time; its callback came late
    )
    sub = Subscription.objects.get(person=world.person, subscription_list=world.events)
    assert sub.status == Subscription.Status.ACTIVE


def test_a_new_number_nobody_confirms_expires_and_can_be_sent_again(client, url, world):
    ask_and_prove(client, url, "+14155550188")
    person = Person.objects.get(pk=world.person.pk)
    assert person.pending_mdn == "+14155550188"
    assert person.pending_mdn_until > timezone.now() + timedelta(hours=23)

    done = expiry.pending_expire(now=timezone.now() + LATER)
    assert (done.joins, done.numbers) == (0, 1)
    person.refresh_from_db()
    assert (person.pending_mdn, person.pending_mdn_until) == ("", None)
    event = SubscriptionEvent.objects.filter(person=person).latest("id")
    assert event.changes == {"pending_mdn": ["+14155550188", ""]}
    assert (event.opt_out_reason, event.source) == ("expired", Source.SYSTEM)

    page = client.get(url).content.decode()
    assert "Nobody replied “Y” to our confirmation text in time." in page
    assert "Send the confirmation text again" in page
    assert "+14155550188" not in page  # masked, and not in a hidden field either

    codes = len(texts.CODES)
    with TestCase.captureOnCommitCallbacks(execute=True):  # the code goes out on commit
        response = client.post(f"{url}number/", {"resend": "1"})
    assert response.status_code == 302 and response.url.endswith("#number-code")
    assert len(texts.CODES) == codes + 1
    assert texts.CODES[-1][1] == "+14155550188"  # the same path: a code to the same number


def test_a_request_renewed_meanwhile_is_not_expired(client, url, world):
    ask_and_prove(client, url, "+14155550188")
    due = timezone.now() + LATER
    ids = expiry.numbers_due(due, 10)
    Person.objects.filter(pk=world.person.pk).update(pending_mdn_until=due + LATER)  # renewed
    person_id, mdn = ids[0]
    assert not services.person_withdraw_number(
        person=Person.objects.get(pk=person_id),
        mdn=mdn,
        reason="expired",
        source=Source.SYSTEM,
        due_by=due,
    )
    assert Person.objects.get(pk=world.person.pk).pending_mdn == "+14155550188"


def test_the_sweep_ends_a_bounded_batch_in_a_fixed_number_of_queries(world):
    now = timezone.now()
    for n in range(6):
        person = services.person_create(source=Source.ADMIN, mdn=f"+1415555{n:04d}")
        services.subscription_request(
            person=person,
            subscription_list=world.events,
            source=Source.PREFERENCE_PAGE,
            occurred_at=now - timedelta(hours=30 + n),
        )
    with CaptureQueriesContext(connection) as two:
        first = expiry.pending_expire(now=now, limit=2)
    assert (first.joins, first.more) == (2, True)
    with CaptureQueriesContext(connection) as four:
        second = expiry.pending_expire(now=now, limit=4)
    assert (second.joins, second.more) == (4, True)
    per_join = (len(four) - len(two)) / 2
    assert per_join <= 8  # each join: its lock, its rows, its history; never the table
    assert tasks.pending_expire() == "0 join(s) and 0 new number(s) expired"
    assert settings.CELERY_BEAT_SCHEDULE["pending-expire"]["task"] == (
        "subscribers.tasks.pending_expire"
    )


def test_the_page_says_it_in_spanish(client, url, world):
    join_events(client, url, world)
    expiry.pending_expire(now=timezone.now() + LATER)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Confirmación vencida" in page
    assert "Enviar de nuevo el mensaje de Store events" in page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_expired_join_is_sent_again_from_a_phone(live_server, phone_page, world, url):
    join_events(Client(), url, world)
    expiry.pending_expire(now=timezone.now() + LATER)
    page = phone_page
    page.goto(f"{live_server.url}{url}")
    state = page.locator(f"#list-{world.events.pk}-state")
    assert state.inner_text().endswith("Confirmation expired")
    button = page.get_by_role("button", name="Send the text for Store events again")
    assert button.is_visible()
    button.scroll_into_view_if_needed()
    path = screenshot(page, "preferences-join-expired-phone")
    assert path.stat().st_size > 10_000
    axe_check({"expired join": axe_findings(page)})
    button.click()
    page.wait_for_url("**/preferences/*/")
    assert "reply Y to confirm Store events" in page.locator(".messages").inner_text()
    assert state.inner_text().endswith("Waiting for your confirmation text")
    sub = Subscription.objects.get(person=world.person, subscription_list=world.events)
    assert sub.status == Subscription.Status.PENDING


def test_the_sweep_reads_through_its_partial_indexes_on_postgresql(world):
    if connection.vendor != "postgresql":
        pytest.skip("the partial indexes' plans are PostgreSQL's")
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # what a million rows would pick
        joins_plan = expiry.joins_past_deadline(now).values_list("pk")[:500].explain()
        numbers_plan = expiry.numbers_past_deadline(now).values_list("pk")[:500].explain()
    assert "subscription_confirm_by_idx" in joins_plan
    assert "person_pending_until_idx" in numbers_plan
