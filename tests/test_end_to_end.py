"""The whole loop on the real topology: PostgreSQL, Redis, a real Celery worker, the Vibes
simulator over HTTP, the callback endpoint on a live server, and a real browser.

A subscriber joins two lists on the preference page; the worker asks the simulator to add
the participant to each list's acquisition campaign; the simulator's "reply Y" sends the
confirmation callbacks, which the endpoint stores and the worker applies, so the person's
history reads requested → confirmed → opted in. A staff opt-out in the admin reaches the
simulator as a DELETE; a simulated STOP shows on the person's admin page within seconds.
"""

import time

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from subscribers import services
from subscribers.models import Person, Source, Subscription, SubscriptionEvent, SubscriptionList
from subscribers.preferences import links
from tests.browser import DESKTOP, PHONE, open_page, screenshot

pytestmark = [pytest.mark.services, pytest.mark.browser]

CALLBACK_TOKEN = "e2e-callback-token-3f9a8c1d7b2e4f60a5"
MDN = "+14155550132"
STAFF_PASSWORD = "e2e-staff-password-7c1f"  # noqa: S105


def wait_until(predicate, *, what: str, timeout: float = 40.0):
    """Poll ``predicate`` until it returns something truthy; fail with ``what`` after
    ``timeout`` seconds (generous: the worker and the simulator share two cores)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.2)


def subscription(person, list_id):
    return Subscription.objects.filter(person=person, subscription_list__list_id=list_id).first()


def status_of(person, list_id):
    sub = subscription(person, list_id)
    return sub.status if sub else None


def history(person, list_id):
    return list(
        SubscriptionEvent.objects.filter(person=person, subscription_list__list_id=list_id)
        .order_by("occurred_at", "id")
        .values_list("kind", "source")
    )


@pytest.fixture
def loop(live_server, vibes_simulator, celery_worker_process, settings):
    """The product and the simulator, wired to each other as `make run` wires them."""
    settings.CALLBACK_TOKENS = [CALLBACK_TOKEN]
    call_command("demo_data", persons=0, verbosity=0)  # lists, campaigns, custom fields
    vibes_simulator.register_callbacks(f"{live_server.url}/callbacks/vibes/{CALLBACK_TOKEN}/")
    celery_worker_process.env.update(vibes_simulator.env())
    celery_worker_process.start()
    return vibes_simulator


def test_join_confirm_staff_opt_out_and_stop_travel_the_whole_loop(loop, live_server, browser):
    sim = loop
    person = services.person_create(
        source=Source.ADMIN,
        mdn=MDN,
        external_person_id="crm-e2e-1",
        custom_fields={"first_name": "Ana", "last_name": "Garcia"},
    )
    # The new person is pushed: Vibes learns them and we learn their person_key.
    wait_until(
        lambda: Person.objects.filter(pk=person.pk, person_key__isnull=False).exists(),
        what="the person's first push to return a person_key",
    )
    person.refresh_from_db()
    assert sim.state.person(person.person_key) is not None

    # 1. The subscriber joins two lists on their preference page, on a phone.
    with open_page(browser, PHONE) as page:
        page.goto(f"{live_server.url}{links.preference_path(person)}")
        page.get_by_text("Weekly deals", exact=True).click()  # double opt-in campaign
        page.get_by_text("Order updates", exact=True).click()  # single opt-in campaign
        page.get_by_role("button", name="Save my lists").click()
        page.wait_for_url("**/preferences/*/")
        assert "reply Y to confirm" in page.locator(".messages").inner_text()
        screenshot(page, "e2e-1-joined-phone")
        assert status_of(person, "1234") == Subscription.Status.PENDING

        # 2. The worker asks Vibes to text a confirmation; the single opt-in list is active.
        wait_until(lambda: sim.state.pending(mdn=MDN), what="the simulator's pending participant")
        wait_until(
            lambda: status_of(person, "1236") == Subscription.Status.ACTIVE,
            what="the single opt-in list to become active",
        )

        # 3. The person replies Y; the callbacks arrive and are applied.
        sim.reply(mdn=MDN, text="Y")
        assert sim.wait_idle(timeout=30)
        wait_until(
            lambda: status_of(person, "1234") == Subscription.Status.ACTIVE,
            what="the confirmation callbacks to make list 1234 active",
        )
        wait_until(
            lambda: (
                [kind for kind, _ in history(person, "1234")]
                == ["optin_requested", "optin_confirmed", "opted_in"]
            ),
            what="history requested → confirmed → opted in",
        )
        assert history(person, "1234") == [
            ("optin_requested", "preference_page"),
            ("optin_confirmed", "vibes_callback"),
            ("opted_in", "vibes_callback"),
        ]
        page.reload()
        weekly_pk = subscription(person, "1234").subscription_list.pk
        assert "Subscribed" in page.locator(f"#list-{weekly_pk}-state").inner_text()
        screenshot(page, "e2e-2-confirmed-phone")

    # 4. Staff opt the person out of Weekly deals in the admin; the DELETE reaches Vibes.
    get_user_model().objects.create_superuser("staff", "staff@example.com", STAFF_PASSWORD)
    with open_page(browser, DESKTOP) as admin:
        admin.goto(f"{live_server.url}/admin/login/")
        admin.get_by_label("Username").fill("staff")
        admin.get_by_label("Password").fill(STAFF_PASSWORD)
        admin.get_by_role("button", name="Log in").click()
        weekly = SubscriptionList.objects.get(list_id="1234")
        admin.goto(f"{live_server.url}/admin/subscribers/person/{person.pk}/opt-out/")
        admin.get_by_label("Opt out of").select_option(str(weekly.pk))
        admin.get_by_label("Reason").select_option("user_request")
        screenshot(admin, "e2e-3-staff-opt-out")
        admin.locator("input[type=submit], button[type=submit]").last.click()
        assert status_of(person, "1234") == Subscription.Status.OPTED_OUT
        request = sim.wait_for_request(
            method="DELETE", path_contains=f"/subscriptions/{weekly.list_id}", timeout=40
        )
        assert request, "the staff opt-out never reached Vibes"
        assert sim.state.active_subscription(person.person_key, "1234") is None

        # 5. The person texts STOP; it shows on their admin page within seconds.
        sim.reply(mdn=MDN, text="STOP")
        wait_until(
            lambda: status_of(person, "1236") == Subscription.Status.OPTED_OUT,
            what="the STOP callback to opt the person out of Order updates",
        )
        admin.goto(f"{live_server.url}/admin/subscribers/person/{person.pk}/change/")
        timeline = admin.locator("body").inner_text()
        assert "Opted out" in timeline and "Vibes callback" in timeline
        screenshot(admin, "e2e-4-person-timeline")
    stop = SubscriptionEvent.objects.filter(
        person=person, subscription_list__list_id="1236", kind="opted_out"
    ).get()
    assert (stop.source, stop.opt_out_reason) == ("vibes_callback", "user_opt_out")
