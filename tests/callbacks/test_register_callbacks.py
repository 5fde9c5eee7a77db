"""``vibes_register_callbacks`` against the simulator: every type the product handles,
idempotent, pruning rotated-out tokens, test events Vibes accepts, clear refusals."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from subscribers import services

pytestmark = pytest.mark.django_db

TOKEN = "t" * 32
OLD_TOKEN = "o" * 32
BASE = "https://prefs.example.com"


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("vibes_register_callbacks", "--base-url", BASE, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def product(settings, vibes_simulator):
    """Two lists, one fed by a campaign, and the token the URL carries."""
    settings.CALLBACK_TOKENS = [TOKEN]
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


URL = f"{BASE}/callbacks/vibes/{TOKEN}/"
EXPECTED = {
    ("person_added", (), URL),
    ("person_updated", (), URL),
    ("subscription_list_added", (), URL),
    ("subscription_list_updated", (), URL),
    ("unmatched_message_received", (), URL),
    ("subscription_added", (("list_id", "1234"),), URL),
    ("subscription_removed", (("list_id", "1234"),), URL),
    ("subscription_added", (("list_id", "1237"),), URL),
    ("subscription_removed", (("list_id", "1237"),), URL),
    ("ack_participant_added", (("campaign_id", "2342312"),), URL),
    ("ack_participant_changed", (("campaign_id", "2342312"),), URL),
}


def test_registers_every_type_the_product_handles_including_unmatched_messages(product):
    out, err = run()
    assert _registered(product) == EXPECTED
    assert "registered: 11, already there: 0, errors: 0" in out
    assert TOKEN not in out and "<token>" in out
    assert err == ""


def test_a_second_run_changes_nothing_and_says_so(product):
    run()
    before = {c.callback_id for c in product.state.callbacks.values()}
    out, _ = run()
    assert "Nothing to change: all 11 registrations are there already." in out
    assert "registered: 0, already there: 11" in out
    assert {c.callback_id for c in product.state.callbacks.values()} == before
    assert not product.requests(method="POST", path_contains="/config/callbacks")[11:]


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
    out, _ = run()  # without --prune nothing is ended
    assert "pruned" not in out
    assert len(product.state.callbacks) == 11 + 3

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


def test_test_fires_every_event_with_bodies_the_simulator_accepts(product):
    out, err = run("--test")
    assert "tests fired: 11" in out, err
    assert err == ""
    assert product.wait_idle(timeout=30)
    events = {e["callback_type"] for e in product.state.events}
    assert {kind for kind, _, _ in EXPECTED} <= events
    records = product.deliveries()
    assert {r.callback_type for r in records} == {kind for kind, _, _ in EXPECTED}
    for line in (
        "test      subscription_added 1234: fired (event ",
        "test      subscription_removed 1237: fired (event ",
        "test      ack_participant_changed 2342312: fired (event ",
        "test      unmatched_message_received: fired (event ",
    ):
        assert line in out


def test_a_refused_test_event_is_reported_and_fails_the_command(product):
    run()
    product.add_fault("status", path="/callback_events/test", status=400, count=1)
    with pytest.raises(CommandError, match="1 call"):
        out, err = run("--test")
    assert len(product.state.callbacks) == 11


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
