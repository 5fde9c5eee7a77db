"""Lists whose opt-outs reach us by no callback: named to staff under "Needs attention",
and their subscribers re-read from Vibes by a sweep within its budget."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from callbacks import tasks
from subscribers import services
from subscribers.models import Person, Source, Subscription
from subscribers.repair.uncovered import uncovered_sweep
from subscribers.vibes import VibesClient
from tests.browser import axe_check, axe_findings, screenshot
from tests.subscribers.admin.admin_helpers import marketing_client, marketing_user  # noqa: F401
from tests.subscribers.admin.test_admin_browser import log_in

pytestmark = pytest.mark.django_db

TOKEN = "t" * 32
BASE = "https://prefs.example.com"


@pytest.fixture
def crowded(settings, vibes_simulator):
    """Vibes' demo lists 1234-1237, three registrations of another system and a limit of
    six: the plan fits three lists' opt-outs and leaves 1237's out."""
    settings.CALLBACK_TOKENS = [TOKEN]
    settings.VIBES_CALLBACK_BASE_URL = BASE
    settings.VIBES_CALLBACK_LIMIT = 6
    for list_id, name in (("1234", "Weekly deals"), ("1237", "Alerts")):
        services.subscription_list_upsert(list_id=list_id, name=name)
    for n in range(3):
        vibes_simulator.state.callback_register(
            {"callback_type": "person_added", "destination": {"url": f"https://crm{n}.example/"}}
        )
    call_command("vibes_register_callbacks", stdout=io.StringIO())
    return vibes_simulator


def _subscriber(sim, mdn: str, list_id: str) -> Person:
    """A person subscribed to ``list_id`` both at the simulator and here."""
    _status, remote = sim.state.person_add({"mobile_phone": {"mdn": mdn}})
    sim.state.subscribe(remote, list_id)
    person = services.person_create(
        source=Source.IMPORT,
        person_key=remote.person_key,
        vibes_person_id=remote.person_id,
        mdn=mdn,
    )
    services.subscription_activate(
        person=person,
        subscription_list=services.subscription_list_upsert(list_id=list_id, name=list_id)[0],
        source=Source.VIBES_CALLBACK,
        # As Vibes dated it: its dates have whole seconds, so an opt-out made a moment
        # later must not read as older than this.
        occurred_at=timezone.now() - timedelta(minutes=1),
    )
    return person


def _status(person: Person, list_id: str) -> str:
    return Subscription.objects.get(person=person, subscription_list__list_id=list_id).status


def test_the_admin_banner_names_the_lists_whose_opt_outs_reach_no_callback(
    crowded,
    marketing_client,  # noqa: F811
):
    html = marketing_client.get("/admin/").content.decode()
    assert "Needs attention" in html
    assert "Lists whose opt-outs reach us by no Vibes callback" in html
    assert "Alerts" in html and "Weekly deals" not in html.split("Needs attention")[1][:600]
    link = "/admin/subscribers/subscriptionlist/?list_id__in=1237"
    assert f'href="{link}"' in html
    page = marketing_client.get(link)
    assert page.status_code == 200
    assert [sl.list_id for sl in page.context["cl"].result_list] == ["1237"]


def test_no_banner_when_every_lists_opt_outs_are_registered(
    settings,
    vibes_simulator,
    marketing_client,  # noqa: F811
):
    settings.CALLBACK_TOKENS = [TOKEN]
    settings.VIBES_CALLBACK_BASE_URL = BASE
    call_command("vibes_register_callbacks", stdout=io.StringIO())
    assert "no Vibes callback" not in marketing_client.get("/admin/").content.decode()


def test_the_sweep_applies_an_opt_out_made_at_vibes_on_a_list_without_callback(crowded):
    blind = _subscriber(crowded, "+13125550181", "1237")
    covered = _subscriber(crowded, "+13125550182", "1234")
    for person in (blind, covered):
        crowded.reply(mdn=person.mdn, text="STOP")  # at Vibes; no callback reaches us

    summary = tasks.uncovered_lists_sweep()

    assert summary.startswith("1 person(s) re-read")
    assert _status(blind, "1237") == "opted_out"
    assert _status(covered, "1234") == "active"  # its callback's business, not this sweep's


def test_the_sweep_keeps_within_its_budget_and_goes_on_where_it_stopped(crowded):
    people = [_subscriber(crowded, f"+1312555019{n}", "1237") for n in range(3)]
    crowded.reply(mdn=people[2].mdn, text="STOP")
    client = VibesClient.from_settings()
    read = []
    for _ in range(3):
        result = uncovered_sweep(list_ids=["1237"], client=client, budget=20, seconds=0.1)
        assert result.requests <= 4  # two allowed; a person's reads may end a little past
        read.append(result.persons)
    assert read == [1, 1, 1]
    assert _status(people[2], "1237") == "opted_out"


def test_the_sweep_does_nothing_when_every_list_has_its_opt_out_callback(settings, vibes_simulator):
    settings.CALLBACK_TOKENS = [TOKEN]
    settings.VIBES_CALLBACK_BASE_URL = BASE
    call_command("vibes_register_callbacks", stdout=io.StringIO())
    before = len(vibes_simulator.requests())
    assert tasks.uncovered_lists_sweep() == "every list's opt-outs have a callback"
    assert len(vibes_simulator.requests()) == before


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_banner_in_a_browser(crowded, live_server, desktop_page, marketing_user):  # noqa: F811
    log_in(desktop_page, live_server.url, marketing_user.username)
    banner = desktop_page.locator(".stalls")
    assert "by no Vibes callback" in banner.inner_text() and "Alerts" in banner.inner_text()
    screenshot(desktop_page, "admin-index-lists-without-optout-callback")
    axe_check({"admin index": axe_findings(desktop_page)})
    banner.get_by_role("link", name="Lists whose opt-outs reach us by no Vibes callback").click()
    assert "list_id__in=1237" in desktop_page.url
    assert "Alerts" in desktop_page.locator("#result_list").inner_text()
