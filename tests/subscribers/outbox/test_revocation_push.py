# ruff: noqa: F811  (fixtures imported from push_fixtures)
"""A revocation texted to the short code reaches Vibes: the callback through the endpoint,
the opt-outs through the outbox to the simulator, each list unsubscribed there."""

import json

import pytest
from django.test import Client

from callbacks.apply import events_apply_received
from subscribers import services, tasks
from subscribers.models import Push, Source, Subscription
from tests.callbacks.conftest import unmatched_event
from tests.subscribers.outbox.push_fixtures import published  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = "tok-" + "r" * 40
ANA = "+13125550123"
WEEKLY, EVENTS = "2342312", "2342313"


@pytest.fixture
def ana(vibes_simulator, settings):
    settings.CALLBACK_TOKENS = [TOKEN]
    settings.CALLBACK_ALLOWED_IPS = []
    state = vibes_simulator.state
    _status, vibes_person = state.person_add({"mobile_phone": {"mdn": ANA}})
    person = services.person_create(
        source=Source.IMPORT,
        person_key=vibes_person.person_key,
        vibes_person_id=vibes_person.person_id,
        mdn=ANA,
    )
    for list_id, campaign in (("1234", WEEKLY), ("1235", EVENTS)):
        state.subscribe(vibes_person, list_id, campaign_id=campaign)
        sub_list = services.subscription_list_upsert(
            list_id=list_id, name=f"List {list_id}", acquisition_campaign_id=campaign
        )[0]
        services.subscription_activate(
            person=person, subscription_list=sub_list, source=Source.VIBES_CALLBACK
        )
    return person, vibes_person


def test_a_texted_revocation_unsubscribes_every_list_at_vibes(
    vibes_simulator, ana, published, monkeypatch
):
    monkeypatch.setattr("callbacks.views.kick", lambda: None)
    person, vibes_person = ana
    response = Client().post(
        f"/callbacks/vibes/{TOKEN}/",
        data=json.dumps(
            unmatched_event(
                "Revoke",
                mdn=ANA,
                receipt_date="2099-01-01T00:00:00+00:00",
                event_date="2099-01-01T00:00:01Z",
            )
        ),
        content_type="application/json",
    )
    assert response.status_code == 200
    events_apply_received()
    pushes = list(Push.objects.filter(person=person, kind=Push.Kind.SUBSCRIPTION))
    assert len(pushes) == 2 and {pk for pk, _countdown in published} == {p.pk for p in pushes}
    assert {tasks.push_send(p.pk) for p in pushes} == {"unsubscribed"}
    assert vibes_simulator.state.subscriptions_of(vibes_person.person_key) == []
    ended = vibes_simulator.state.subscriptions_of(vibes_person.person_key, active_only=False)
    assert len(ended) == 2
    assert all(Push.objects.get(pk=p.pk).state == Push.State.DONE for p in pushes)
    assert set(Subscription.objects.values_list("status", "opt_out_reason")) == {
        ("opted_out", "text_revocation")
    }
