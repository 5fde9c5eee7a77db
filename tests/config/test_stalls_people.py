"""Needs attention is complete and says what to do: texts waiting for an opt-out review,
opt-outs from Vibes not yet applied, a worker or beat that stopped."""

from datetime import timedelta

import pytest
from celery.signals import before_task_publish
from django.conf import settings
from django.utils import timezone

from callbacks.models import CallbackEvent
from config.stalls import stall_figures
from subscribers import tasks
from subscribers.heartbeat import HEARTBEAT_TASK, last_seen, seen
from subscribers.models import Heartbeat, RevocationReview
from tests.browser import DESKTOP, PHONE, axe_check, axe_findings, open_page
from tests.screens import document
from tests.subscribers.admin.admin_helpers import log_in_as_superuser

pytestmark = pytest.mark.django_db


def problems() -> dict:
    return {f.key: f for f in stall_figures() if f.problem}


def banner(client) -> str:
    html = client.get("/admin/").content.decode()
    return (
        html.split('id="stalls-heading"')[1].split("</div>")[0] if "stalls-heading" in html else ""
    )


def test_texts_waiting_for_an_opt_out_review_are_a_line_that_says_what_to_do(admin_client):
    RevocationReview.objects.create(
        mdn="+12995550100",
        text="please stop texting me",
        sent_at=timezone.now(),
        reason=RevocationReview.Reason.NEAR_MISS,
    )
    assert problems()["revocation_reviews_open"].value == 1
    html = banner(admin_client)
    assert "Texts waiting for an opt-out review: <strong>1</strong>" in html
    assert "may still get texts" in html
    assert "What to do:</strong> Read each text, then confirm it as an opt-out" in html
    assert 'href="/admin/subscribers/revocationreview/?state=open"' in html


def test_waiting_callbacks_that_are_opt_outs_say_they_are_not_yet_honoured(admin_client):
    for n, kind in enumerate(["subscription_removed"] * 5 + ["subscription_added"]):
        event = CallbackEvent.objects.create(
            method="POST", body="{}", callback_type=kind, event_id=f"E{n}", status="received"
        )
        CallbackEvent.objects.filter(pk=event.pk).update(
            received_at=timezone.now() - timedelta(hours=1)
        )
    figure = problems()["callbacks_waiting_opt_outs"]
    assert figure.value == 5
    html = banner(admin_client)
    assert "Opt-outs from Vibes not yet honoured here (callbacks waiting): <strong>5</strong>" in (
        html
    )
    assert "our records still show them subscribed" in html
    assert "Callbacks waiting to be applied: <strong>6</strong>" in html


def test_a_stopped_worker_or_beat_is_a_line_that_says_how_to_start_it(admin_client):
    long_ago = timezone.now() - timedelta(seconds=settings.STALL_HEARTBEAT_SECONDS + 60)
    seen(Heartbeat.Process.WORKER, long_ago)
    seen(Heartbeat.Process.BEAT, long_ago)
    found = problems()
    assert {"worker_last_seen_age", "beat_last_seen_age"} <= set(found)
    html = banner(admin_client)
    assert "A Celery worker was last seen this long ago" in html
    assert "Start a worker: celery -A config worker" in html
    assert "Start beat: celery -A config beat" in html

    seen(Heartbeat.Process.WORKER)
    seen(Heartbeat.Process.BEAT)
    assert not {"worker_last_seen_age", "beat_last_seen_age"} & set(problems())


def test_a_worker_never_seen_is_not_flagged():
    assert Heartbeat.objects.count() == 0
    assert not {"worker_last_seen_age", "beat_last_seen_age"} & set(problems())


def test_beat_publishing_the_heartbeat_and_a_worker_running_it_record_each(settings):
    assert settings.CELERY_BEAT_SCHEDULE["heartbeat"]["task"] == HEARTBEAT_TASK
    before_task_publish.send(sender="subscribers.tasks.push_send", body=None)
    assert last_seen() == {}  # the web publishing pushes is not beat
    before_task_publish.send(sender=HEARTBEAT_TASK, body=None)
    assert set(last_seen()) == {Heartbeat.Process.BEAT}
    tasks.worker_heartbeat()
    assert set(last_seen()) == {Heartbeat.Process.BEAT, Heartbeat.Process.WORKER}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_the_needs_attention_list_in_a_browser(live_server, browser, django_user_model, width):
    RevocationReview.objects.create(
        mdn="+12995550100",
        text="please stop texting me",
        sent_at=timezone.now(),
        reason=RevocationReview.Reason.NEAR_MISS,
    )
    event = CallbackEvent.objects.create(
        method="POST", body="{}", callback_type="subscription_removed", event_id="E1"
    )
    CallbackEvent.objects.filter(pk=event.pk).update(
        received_at=timezone.now() - timedelta(hours=1)
    )
    seen(Heartbeat.Process.WORKER, timezone.now() - timedelta(hours=1))
    seen(Heartbeat.Process.BEAT)
    with open_page(browser, PHONE if width == "phone" else DESKTOP) as page:
        log_in_as_superuser(page, live_server.url, "ops")
        items = page.locator(".stalls li").all_inner_texts()
        assert any(i.startswith("Texts waiting for an opt-out review: 1") for i in items)
        assert any(i.startswith("A Celery worker was last seen") for i in items)
        assert all("What to do:" in i for i in items), items
        document(page, f"admin-needs-attention-{width}")
        axe_check({"index": axe_findings(page)})
