"""What is stuck is visible: /healthz/stalls for monitors, /metrics, and the admin index."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from callbacks.models import CallbackEvent
from subscribers import services
from subscribers.models import Person, Push, Source
from subscribers.outbox.origin import unpushed
from tests.browser import screenshot

pytestmark = pytest.mark.django_db


MONITOR = "monitor-" + "m" * 32


@pytest.fixture
def client(settings):
    """A monitor holding the token: outside DEBUG (as pytest runs) the figures need it."""
    settings.MONITORING_TOKEN = MONITOR
    return Client(headers={"Authorization": f"Bearer {MONITOR}"})


def _callback(status: str, *, age: timedelta = timedelta(0), event_id: str = "E1"):
    event = CallbackEvent.objects.create(
        method="POST",
        body="{}",
        callback_type="subscription_removed",
        event_id=event_id,
        status=status,
    )
    CallbackEvent.objects.filter(pk=event.pk).update(received_at=timezone.now() - age)
    return event


def _push(state: str, *, age: timedelta = timedelta(0)) -> Push:
    person = unpushed(Person(mdn=f"+1299555{Person.objects.count():04d}"))
    person.save()
    push = Push.objects.create(person=person, kind=Push.Kind.PERSON, state=state)
    Push.objects.filter(pk=push.pk).update(created_at=timezone.now() - age)
    return push


@pytest.fixture
def stuck(settings):
    settings.STALL_BACKLOG_SECONDS = 300
    settings.STALL_PUSH_SECONDS = 300
    settings.STALL_CALLBACK_SILENCE_SECONDS = 3600
    _callback("failed", age=timedelta(hours=3), event_id="F1")
    _callback("received", age=timedelta(hours=2), event_id="R1")
    _push("stopped")
    _push("failed")
    _push("pending", age=timedelta(minutes=20))


def test_nothing_stuck_reads_ok_and_the_index_shows_no_banner(client, admin_client):
    services.person_create(source=Source.IMPORT, mdn="+12995550001")
    _callback("applied")
    response = client.get("/healthz/stalls")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "ok" and data["problems"] == []
    assert data["callbacks_failed"] == 0 and data["pushes_stopped"] == 0
    assert data["callbacks_oldest_waiting_age"] is None
    assert "Needs attention" not in admin_client.get("/admin/").content.decode()


def test_each_stall_is_a_problem_a_monitor_reads_from_the_status_code(client, stuck):
    response = client.get("/healthz/stalls")
    assert response.status_code == 503
    data = response.json()
    assert set(data["problems"]) == {
        "callbacks_failed",
        "callbacks_waiting",
        "callbacks_waiting_opt_outs",  # the waiting callback is a subscription_removed
        "callbacks_oldest_waiting_age",
        "callbacks_last_received_age",
        "pushes_stopped",
        "pushes_failed",
        "pushes_pending",
        "pushes_oldest_pending_age",
    }
    assert data["callbacks_failed"] == 1 and data["callbacks_waiting"] == 1
    assert 7100 < data["callbacks_oldest_waiting_age"] < 7300
    assert 7100 < data["callbacks_last_received_age"] < 7300  # the newest came 2 h ago
    assert (data["pushes_stopped"], data["pushes_failed"], data["pushes_pending"]) == (1, 1, 1)


def test_a_young_backlog_and_recent_callbacks_are_not_problems(client, settings):
    settings.STALL_CALLBACK_SILENCE_SECONDS = 3600
    _callback("received", age=timedelta(seconds=20))
    _push("pending", age=timedelta(seconds=20))
    assert client.get("/healthz/stalls").json()["problems"] == []


def test_metrics_give_the_same_figures_in_prometheus_text(client, stuck):
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "vibes_callbacks_failed 1.0" in text
    assert "vibes_pushes_stopped 1.0" in text
    assert 'vibes_stall_problems{figure="pushes_stopped"} 1.0' in text
    assert "vibes_callbacks_oldest_waiting_age_seconds 7" in text


def test_the_admin_index_banner_counts_and_links_each_stall(admin_client, stuck):
    html = admin_client.get("/admin/").content.decode()
    assert "Needs attention" in html
    for url in (
        "/admin/callbacks/callbackevent/?status__exact=failed",
        "/admin/callbacks/callbackevent/?status__exact=received",
        "/admin/subscribers/push/?state__exact=stopped",
        "/admin/subscribers/push/?state__exact=failed",
    ):
        assert f'href="{url}"' in html.replace("&amp;", "&")
        page = admin_client.get(url)
        assert page.status_code == 200 and page.context["cl"].result_count == 1
    assert "2\xa0hours" in html  # the oldest waiting callback, in words


def test_a_monitoring_token_guards_the_stall_figures(client, settings):
    settings.MONITORING_TOKEN = "monitor-" + "x" * 32
    assert client.get("/healthz/stalls").status_code == 404
    assert client.get("/metrics").status_code == 404
    auth = {"HTTP_AUTHORIZATION": f"Bearer {settings.MONITORING_TOKEN}"}
    assert client.get("/healthz/stalls", **auth).status_code == 200
    assert client.get("/metrics", **auth).status_code == 200
    assert client.get("/healthz").status_code in (200, 503)  # liveness stays open


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_banner_in_a_browser(live_server, desktop_page, stuck, django_user_model):
    django_user_model.objects.create_superuser("ops", "ops@example.com", "ops-password-2026")
    desktop_page.goto(f"{live_server.url}/admin/login/")
    desktop_page.fill("input[name=username]", "ops")
    desktop_page.fill("input[name=password]", "ops-password-2026")
    desktop_page.click("input[type=submit]")
    desktop_page.wait_for_url(f"{live_server.url}/admin/")
    banner = desktop_page.locator(".stalls")
    assert banner.is_visible()
    assert banner.locator("li").count() == 9
    screenshot(desktop_page, "admin-index-stalls")
    banner.get_by_role("link", name="Pushes to Vibes stopped").click()
    assert "state__exact=stopped" in desktop_page.url


def test_marketing_staff_see_every_stall_and_others_only_what_they_may_open(
    marketing_client, client, django_user_model, stuck
):
    html = marketing_client.get("/admin/").content.decode()
    assert "Pushes to Vibes stopped" in html and "Callbacks failed" in html
    assert marketing_client.get("/admin/subscribers/push/?state__exact=stopped").status_code == 200
    clerk = django_user_model.objects.create_user("clerk", password="x-pass-2026", is_staff=True)
    client.force_login(clerk)
    assert "Needs attention" not in client.get("/admin/").content.decode()


def test_without_a_token_the_figures_are_open_in_debug_only(settings):
    settings.MONITORING_TOKEN = ""
    for path in ("/healthz/stalls", "/metrics"):
        assert Client().get(path).status_code == 404
    settings.DEBUG = True
    for path in ("/healthz/stalls", "/metrics"):
        assert Client().get(path).status_code in (200, 503)
