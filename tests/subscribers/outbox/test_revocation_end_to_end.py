"""A texted revocation end to end: the callback at the endpoint, a real worker applying it
and pushing the opt-outs to the simulator, and Vibes' echo applied without undoing the
reason or pushing again."""

import json

import pytest
from django.test import Client
from django.utils import timezone

from subscribers import services
from subscribers.models import Person, Source, Subscription
from subscribers.outbox.models import Push
from tests.callbacks.conftest import unmatched_event
from tests.conftest import subprocess_env
from tests.subscribers.outbox.worker_helpers import wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ANA = "+13125550123"
TOKEN = "tok-" + "e" * 40


def test_a_texted_revocation_reaches_vibes_through_a_real_worker(
    celery_worker_process, vibes_simulator, live_server, settings
):
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
    for list_id, campaign in (("1234", "2342312"), ("1235", "2342313")):
        state.subscribe(vibes_person, list_id, campaign_id=campaign)
        sub_list = services.subscription_list_upsert(
            list_id=list_id, name=f"List {list_id}", acquisition_campaign_id=campaign
        )[0]
        services.subscription_activate(
            person=person, subscription_list=sub_list, source=Source.VIBES_CALLBACK
        )
    vibes_simulator.register_callbacks(f"{live_server.url}/callbacks/vibes/{TOKEN}/")
    celery_worker_process.env.update(
        subprocess_env(**vibes_simulator.env(), PUSH_DEBOUNCE_SECONDS="0.1")
    )
    celery_worker_process.start()

    # The phone's text, just now, in Vibes' documented body; the number in national form.
    sent = timezone.now()
    body = unmatched_event(
        "Opt out please",
        event_id="0b7e2f7c-5d1a-4a51-8f0e-8c7f4b1d2e90",
        mdn="3125550123",
        receipt_date=sent.replace(microsecond=0).isoformat(),
        event_date=sent.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    response = Client().post(
        f"/callbacks/vibes/{TOKEN}/", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 200

    wait_for(
        lambda: not state.subscriptions_of(vibes_person.person_key),
        30,
        "both lists to be unsubscribed at Vibes",
    )
    assert vibes_simulator.wait_idle(10)

    def echoes_applied():
        return (
            Person.objects.get(pk=person.pk)
            .callbacks.filter(callback_type="subscription_removed", status="applied")
            .count()
            == 2
        )

    wait_for(echoes_applied, 30, "Vibes' two subscription_removed echoes to be applied")
    subs = Subscription.objects.filter(person=person)
    assert {(s.status, s.opt_out_reason) for s in subs} == {("opted_out", "text_revocation")}
    pushes = Push.objects.filter(person=person)
    assert {(p.kind, p.state) for p in pushes} == {(Push.Kind.SUBSCRIPTION, Push.State.DONE)}
    assert pushes.count() == 2  # the echoes pushed nothing back
    wait_for(
        lambda: Person.objects.get(pk=person.pk).sync_state == Person.SyncState.IN_SYNC,
        10,
        "the person to be in sync",
    )
