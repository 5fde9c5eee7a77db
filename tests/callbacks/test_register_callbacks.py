"""``vibes_register_callbacks`` against the simulator: the plan within Vibes' limit (every
list's opt-outs first, the rest named), idempotent, the unmatched registration under the
parent company key, pruning rotated-out tokens, one test event of every type."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from callbacks.models import CallbackRegistration
from simulator import SimulatorServer
from simulator.records import SimList
from subscribers import services

pytestmark = pytest.mark.django_db

TOKEN = "t" * 32
OLD_TOKEN = "o" * 32
BASE = "https://prefs.example.com"
URL = f"{BASE}/callbacks/vibes/{TOKEN}/"
CODE = (("country_code", "1"), ("source_code", "12345"))


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("vibes_register_callbacks", "--base-url", BASE, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def product(settings, vibes_simulator):
    """Vibes' demo lists 1234-1237; the product knows 1234's web campaign and 1237."""
    settings.CALLBACK_TOKENS = [TOKEN]
    settings.VIBES_CALLBACK_BASE_URL = BASE
    services.subscription_list_upsert(
        list_id="1234", name="Deals", acquisition_campaign_id="2342312"
    )
    services.subscription_list_upsert(list_id="1237", name="Alerts")
    return vibes_simulator


def _registered(sim) -> set[tuple]:
    with sim.state.lock:
        return {
            (c.callback_type, tuple(sorted(c.filter.items())), c.url)
            for c in sim.state.callbacks.values()
        }


LISTS = ("1234", "1235", "1236", "1237")
EXPECTED = (
    {(kind, (("list_id", x),), URL) for x in LISTS for kind in ("subscription_added",)}
    | {("subscription_removed", (("list_id", x),), URL) for x in LISTS}
    | {
        ("person_added", (), URL),
        ("person_updated", (), URL),
        ("subscription_list_added", (), URL),
        ("subscription_list_updated", (), URL),
        ("unmatched_message_received", CODE, URL),
        ("event_processed", (("callbacks_to_send", "all"),), URL),
        ("ack_participant_added", (("campaign_id", "2342312"),), URL),
        ("ack_participant_changed", (("campaign_id", "2342312"),), URL),
    }
)


def test_registers_the_plan_for_vibes_lists_with_each_types_filter(product):
    out, err = run()
    assert _registered(product) == EXPECTED
    assert "registered: 16, already there: 0, ended: 0, left out: 0, errors: 0" in out
    assert TOKEN not in out and "<token>" in out
    assert err == ""
    assert CallbackRegistration.objects.filter(state="registered").count() == 16


def test_a_second_run_changes_nothing_and_says_so(product):
    run()
    before = {c.callback_id for c in product.state.callbacks.values()}
    out, _ = run()
    assert "Nothing to change: all 16 registrations are there already." in out
    assert "registered: 0, already there: 16, ended: 0" in out
    assert {c.callback_id for c in product.state.callbacks.values()} == before
    assert not product.requests(method="POST", path_contains="/config/callbacks")[16:]


def test_25_lists_in_a_limit_of_50_register_every_lists_opt_outs_and_name_the_rest(
    product, settings
):
    settings.VIBES_CALLBACK_LIMIT = 50
    with product.state.lock:
        product.state.lists.clear()
        product.state.campaigns.clear()
    ids = [str(5000 + n) for n in range(25)]
    for n, list_id in enumerate(ids):
        product.state.lists[list_id] = SimList(id=list_id, name=f"List {n}")
        services.subscription_list_upsert(
            list_id=list_id, name=f"List {n}", acquisition_campaign_id=str(7000 + n)
        )

    out, err = run()

    assert err == ""
    assert len(product.state.callbacks) == 50
    removed = {c.filter["list_id"] for c in product.state.callbacks.values()
               if c.callback_type == "subscription_removed"}  # fmt: skip
    assert removed == set(ids)
    assert "registered: 50, already there: 0, ended: 0, left out: 56, errors: 0" in out
    assert "Left out: 56 registration(s) do not fit in VIBES_CALLBACK_LIMIT=50" in out
    assert "left out  subscription_added: lists 5021 (List 21), 5022 (List 22)" in out
    assert "left out  ack_participant_changed: campaigns 7000, 7001" in out
    assert "left out  subscription_list_added: the whole account" in out
    assert "left out  subscription_removed" not in out
    left = CallbackRegistration.objects.filter(state="left_out")
    assert left.count() == 56
    assert set(left.filter(callback_type="subscription_added").values_list("scope", flat=True)) == {
        "5021", "5022", "5023", "5024"
    }  # fmt: skip


def test_registrations_that_are_not_ours_take_slots_and_opt_outs_still_come_first(
    product, settings
):
    settings.VIBES_CALLBACK_LIMIT = 6
    for n in range(3):
        product.state.callback_register(
            {"callback_type": "person_added", "destination": {"url": f"https://crm{n}.example/"}}
        )
    out, _ = run()
    ours = [c for c in product.state.callbacks.values() if c.url == URL]
    assert sorted(c.callback_type for c in ours) == ["subscription_removed"] * 3
    assert "3 taken by registrations that are not this URL's, 3 for the plan" in out
    assert "left out  subscription_removed: lists 1237 (Alerts)" in out
    assert list(
        CallbackRegistration.objects.exclude(state="registered")
        .filter(callback_type="subscription_removed")
        .values_list("scope", flat=True)
    ) == ["1237"]


def test_an_archived_list_gives_its_slots_back(product):
    run()
    with product.state.lock:
        del product.state.lists["1236"]
    out, _ = run()
    assert "ended: 2" in out
    scopes = {c.filter.get("list_id") for c in product.state.callbacks.values()}
    assert "1236" not in scopes
    assert not CallbackRegistration.objects.filter(scope="1236").exists()


def test_an_unfiltered_unmatched_registration_of_ours_is_replaced_by_one_per_code(product):
    made = product.state.callback_register(
        {"callback_type": "person_added", "destination": {"url": URL}}
    )
    product.state.callbacks[made.callback_id].callback_type = "unmatched_message_received"
    out, _ = run()
    assert made.callback_id not in product.state.callbacks
    assert "ended: 1" in out
    assert _registered(product) == EXPECTED


def test_the_unmatched_registration_is_made_with_the_parent_company_key(settings, db):
    settings.CALLBACK_TOKENS = [TOKEN]
    settings.VIBES_CALLBACK_BASE_URL = BASE
    sim = SimulatorServer(
        company_key="child-co",
        parent_company_key="parent-co",
        username="api@child.test",
        password="pw-child",
    ).start()
    try:
        sim.seed_demo(persons=0)
        for name, value in sim.env().items():
            setattr(settings, name, value)
        out, err = run()
        assert err == ""
        [unmatched] = [
            c for c in sim.state.callbacks.values()
            if c.callback_type == "unmatched_message_received"
        ]  # fmt: skip
        assert unmatched.company_key == "parent-co"
        posted = sim.requests(method="POST", path_contains="/companies/parent-co/config/callbacks")
        assert len(posted) == 1
        assert CallbackRegistration.objects.get(
            callback_type=unmatched.callback_type
        ).company_key == ("parent-co")
        again, _ = run()
        assert "Nothing to change" in again
    finally:
        sim.stop()


def test_the_id_is_learnt_by_listing_when_the_201_has_no_body(product):
    product.state.registered_with_body = False
    out, _ = run()
    ids = {c.callback_id for c in product.state.callbacks.values()}
    shown = {line.rsplit("(id ", 1)[1].rstrip(")") for line in out.splitlines() if "(id " in line}
    assert shown == ids


def test_prune_ends_only_this_hosts_registrations_with_a_rotated_out_token(product, settings):
    old = f"{BASE}/callbacks/vibes/{OLD_TOKEN}/"
    elsewhere = f"https://other.example.com/callbacks/vibes/{OLD_TOKEN}/"
    other_path = f"{BASE}/hooks/{OLD_TOKEN}/"
    for url in (old, elsewhere, other_path):
        product.state.callback_register(
            {"callback_type": "person_added", "destination": {"url": url}}
        )
    out, _ = run()  # without --prune nothing of another URL is ended
    assert "pruned" not in out
    assert len(product.state.callbacks) == 16 + 3

    out, _ = run("--prune")
    urls = {c.url for c in product.state.callbacks.values()}
    assert old not in urls
    assert {elsewhere, other_path} <= urls
    assert "pruned: 1" in out
    assert OLD_TOKEN not in out

    # A token still listed (second place, mid-rotation) is kept.
    settings.CALLBACK_TOKENS = [TOKEN, OLD_TOKEN]
    product.state.callback_register({"callback_type": "person_added", "destination": {"url": old}})
    out, _ = run("--prune")
    assert old in {c.url for c in product.state.callbacks.values()}
    assert "pruned: 0" in out


def test_test_fires_one_event_of_every_registered_type(product):
    out, err = run("--test")
    assert "tests fired: 9" in out, err
    assert err == ""
    assert product.wait_idle(timeout=30)
    kinds = {kind for kind, _, _ in EXPECTED} - {"unmatched_message_received"}
    assert {e["callback_type"] for e in product.state.events} == kinds
    assert {r.callback_type for r in product.deliveries()} == kinds
    for line in (
        "test      subscription_removed 1234: fired (event ",
        "test      subscription_added 1234: fired (event ",
        "test      ack_participant_changed 2342312: fired (event ",
        "test      event_processed: fired (event ",
        "test      unmatched_message_received 12345:1: Vibes' test API has none",
    ):
        assert line in out


def test_a_refused_test_event_is_reported_and_fails_the_command(product):
    run()
    product.add_fault("status", path="/callback_events/test", status=400, count=1)
    with pytest.raises(CommandError, match="1 call"):
        run("--test")
    assert len(product.state.callbacks) == 16


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_are_a_clear_error(product, status):
    product.add_fault("status", path="/config/callbacks", status=status, count=None)
    with pytest.raises(CommandError, match=f"refused the credentials \\({status}\\)"):
        run()
    assert not product.state.callbacks


def test_wrong_password_is_a_clear_error(product, settings):
    settings.VIBES_PASSWORD = "not-the-password"
    with pytest.raises(CommandError, match="VIBES_PASSWORD"):
        run()


def test_no_token_is_a_clear_error(product, settings):
    settings.CALLBACK_TOKENS = []
    with pytest.raises(CommandError, match="CALLBACK_TOKENS is empty"):
        run()


def test_a_malformed_source_code_is_a_clear_error(product, settings):
    settings.VIBES_SOURCE_CODES = ["52623"]
    with pytest.raises(CommandError, match="VIBES_SOURCE_CODES: '52623' is not code:country_code"):
        run()
    assert not product.state.callbacks


def test_a_base_url_other_than_the_workers_is_pointed_out(product, settings):
    settings.VIBES_CALLBACK_BASE_URL = "https://elsewhere.example.com"
    _, err = run()
    assert "--base-url is not VIBES_CALLBACK_BASE_URL (https://elsewhere.example.com)" in err
