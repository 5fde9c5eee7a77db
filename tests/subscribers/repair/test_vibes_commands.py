# ruff: noqa: F811  (fixtures imported from push_fixtures)
"""The Vibes management commands, against the Vibes simulator."""

import io
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command

from simulator import demo
from simulator.records import SimSubscription
from subscribers import services, tasks
from subscribers.models import Person, Source, Subscription, SubscriptionEvent, SubscriptionList
from subscribers.outbox import publish
from subscribers.outbox.models import Push
from subscribers.vibes.dates import parse_vibes_datetime
from tests.subscribers.outbox.push_fixtures import add_person, calls, published, vibes  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = (
    "person_id\texternal_person_id\tmdn\tcarrier_code\tsubscription_list_id\t"
    "subscription_list_name\topt_in_date\topt_out_date\tsubscription_event\topt_out_reason\n"
)


def run(*args, check: bool = True) -> tuple[str, str]:
    """What a command printed; ``check=False`` also when it ended with an error."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except CommandError:
        if check:
            raise
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2017-04-05 14:30:00 -0600", datetime(2017, 4, 5, 20, 30, tzinfo=UTC)),
        ("2017-02-15T15:42:23Z", datetime(2017, 2, 15, 15, 42, 23, tzinfo=UTC)),
        ("2017-02-18T15:34:52+0000", datetime(2017, 2, 18, 15, 34, 52, tzinfo=UTC)),
        ("2018-07-09T23:55:00.000Z", datetime(2018, 7, 9, 23, 55, tzinfo=UTC)),
        ("2017-01-15T14:30Z", datetime(2017, 1, 15, 14, 30, tzinfo=UTC)),
        ("2017-01-15T14:30:00+00:00", datetime(2017, 1, 15, 14, 30, tzinfo=UTC)),
        ("2017-01-15T14:30:00z", datetime(2017, 1, 15, 14, 30, tzinfo=UTC)),
        ("", None),
    ],
)
def test_vibes_dates_in_every_documented_form(text, expected):
    assert parse_vibes_datetime(text) == expected


def test_import_extract_loads_good_rows_reports_bad_ones_and_keeps_newer_optouts(tmp_path):
    sub_list = services.subscription_list_upsert(list_id="1234", name="Deals")[0]
    known = services.person_create(source=Source.IMPORT, person_key="pkOUT", mdn="+12995550001")
    services.subscription_cancel(
        person=known,
        subscription_list=sub_list,
        source=Source.VIBES_CALLBACK,
        occurred_at=datetime(2017, 5, 1, tzinfo=UTC),
    )
    path = tmp_path / "extract.tsv"
    path.write_text(
        HEADER
        + "pkA\tcrm-1\t+12995551234\t104\t1234\tDeals\t2017-04-05 14:30:00 -0600\t\topt_in\t\n"
        + "pkB\t\t+12995551235\t\t1234\tDeals\t2017-04-05 14:30:00 -0600\t"
        "2017-04-06 10:00:00 -0600\tOPT_OUT\tUSER_OPT_OUT\n"
        + "pkOUT\t\t+12995550001\t\t1234\tDeals\t2017-04-05 14:30:00 -0600\t\tOPT_IN\t\n"
        + "pkC\t\t+12995551236\t\t1234\tDeals\tnot a date\t\tOPT_IN\t\n"
        + "pkD\t\t+12995551237\t\t\tDeals\t2017-04-05 14:30:00 -0600\t\tOPT_IN\t\n"
        + "pkE\t\t+12995551238\t\t1235\tNews\t2017-04-05 14:30:00 -0600\t\tMAYBE\t\n"
    )
    with pytest.raises(CommandError, match="3 rows refused") as refused:
        run("vibes_import_extract", str(path), "--dry-run")
    assert refused.value.returncode == 2  # rows refused, the others checked
    out, err = run("vibes_import_extract", str(path), "--dry-run", check=False)
    assert (
        "dry run" in out
        and "opted in: 1" in out
        and not Person.objects.filter(person_key="pkA").exists()
    )
    out, err = run("vibes_import_extract", str(path), check=False)
    assert "bad rows: 3" in out and "opted in: 1" in out and "opted out: 1" in out
    assert "skipped: a newer event is known: 1" in out
    assert "line 5:" in err and "line 6:" in err and "line 7:" in err
    a = Subscription.objects.get(person__person_key="pkA")
    assert a.status == "active" and a.opt_in_date == datetime(2017, 4, 5, 20, 30, tzinfo=UTC)
    b = Subscription.objects.get(person__person_key="pkB")
    assert b.status == "opted_out" and b.opt_out_reason == "user_opt_out"
    assert Subscription.objects.get(person=known).status == "opted_out"
    assert not Push.objects.exists()  # an import from Vibes is never pushed back


def test_sync_lists_adds_lists_and_their_campaigns(vibes, published):
    out, _ = run("vibes_sync_lists")
    assert f"created: {len(demo.LISTS)}" in out
    campaigns = dict(SubscriptionList.objects.values_list("list_id", "acquisition_campaign_id"))
    assert campaigns == {list_id: campaign for list_id, _, campaign, *_ in demo.LISTS}
    assert campaigns["1234"] == "2342312" and campaigns["1237"] == ""  # a list without one
    out, _ = run("vibes_sync_lists")
    assert f"unchanged: {len(demo.LISTS)}" in out


def test_reconcile_applies_vibes_optout_and_pushes_a_local_one(vibes, published):
    deals = services.subscription_list_upsert(list_id="1234", name="Deals")[0]
    news = services.subscription_list_upsert(list_id="1235", name="News")[0]
    person = services.person_create(source=Source.IMPORT, person_key="pk1", mdn="+12995551234")
    services.subscription_activate(
        person=person,
        subscription_list=deals,
        source="vibes_callback",
        occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    services.subscription_activate(
        person=person,
        subscription_list=news,
        source="vibes_callback",
        occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    services.subscription_cancel(
        person=person,
        subscription_list=news,
        source="preference_page",
        occurred_at=datetime(2026, 3, 1, tzinfo=UTC),
    )
    Push.objects.all().delete()
    add_person(vibes, person_key="pk1", mdn="+12995551234", custom_fields={"first_name": "Ada"})
    vibes.state.subscriptions += [
        SimSubscription(
            person_key="pk1",
            list_id="1234",
            opt_in_date=datetime(2026, 1, 1, tzinfo=UTC),
            opt_out_date=datetime(2026, 2, 1, tzinfo=UTC),
            opt_out_reason="keyword_opt_out",
        ),
        SimSubscription(
            person_key="pk1", list_id="1235", opt_in_date=datetime(2026, 1, 1, tzinfo=UTC)
        ),
    ]
    out, _ = run("vibes_reconcile")
    assert "changed: 1" in out
    assert Subscription.objects.get(subscription_list=deals).status == "opted_out"
    assert Subscription.objects.get(subscription_list=news).status == "opted_out"  # not undone
    assert Push.objects.filter(
        kind="subscription", subscription_list=news, state="pending"
    ).exists()
    assert SubscriptionEvent.objects.filter(source=Source.RECONCILE, kind="opted_out").count() == 1
    person.refresh_from_db()
    assert person.custom_fields == {"first_name": "Ada"}


def test_admin_actions_queue_work_without_calling_vibes(vibes, published, admin_client):
    person = services.person_create(source=Source.IMPORT, person_key="pk1", mdn="+12995551234")
    response = admin_client.post(
        "/admin/subscribers/person/",
        {"action": "push_now", "_selected_action": [person.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert Push.objects.filter(person=person, state="pending").exists()
    assert [pid for pid, _ in published] == [Push.objects.get(person=person).pk]
    assert not calls(vibes)
    assert admin_client.get("/admin/subscribers/push/").status_code == 200
    push = Push.objects.get(person=person)
    assert admin_client.get(f"/admin/subscribers/push/{push.pk}/change/").status_code == 200


def test_reread_action_queues_a_task_and_survives_a_dead_broker(
    vibes, published, admin_client, monkeypatch
):
    person = services.person_create(source=Source.IMPORT, person_key="pk1", mdn="+12995551234")
    queued = []
    monkeypatch.setattr(
        publish, "_send", lambda task, calls, countdown: queued.append((task, calls)) or 1
    )
    admin_client.post(
        "/admin/subscribers/person/",
        {"action": "reread_from_vibes", "_selected_action": [person.pk]},
    )
    assert queued == [("subscribers.tasks.person_reread", [(person.pk,)])]
    assert not calls(vibes)

    def dead(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(publish, "_send", dead)
    response = admin_client.post(
        "/admin/subscribers/person/",
        {"action": "reread_from_vibes", "_selected_action": [person.pk]},
    )
    assert response.status_code == 302
    publish.broker_reset()
    add_person(vibes, person_key="pk1", mdn="+12995551234", custom_fields={"city": "Austin"})
    assert "details: custom_fields" in tasks.person_reread(person.pk)
