"""An erasure end to end with real processes: the admin's erasure, a Celery worker on
Redis sending the erasure push to the simulator, Vibes' echo callbacks to a live server,
and the worker applying them without learning the number back."""

import pytest
import requests
from django.contrib.auth.models import Permission
from django.core.cache import cache

from callbacks.models import CallbackEvent
from subscribers import services, suppression
from subscribers.models import CustomField, Person, Push, PushAttempt, Source
from subscribers.repair.drift import drift_sweep
from subscribers.vibes.client import VibesClient
from tests.conftest import subprocess_env
from tests.subscribers.admin.admin_helpers import PASSWORD, ensure_marketing_group
from tests.subscribers.outbox.worker_helpers import wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

MDN = "+14155550170"
TOKEN = "tok-" + "e" * 40


def start_worker(celery_worker_process, vibes_simulator, live_server) -> None:
    vibes_simulator.register_callbacks(f"{live_server.url}/callbacks/vibes/{TOKEN}/")
    celery_worker_process.env.update(
        subprocess_env(**vibes_simulator.env(), PUSH_DEBOUNCE_SECONDS="0.1")
    )
    celery_worker_process.start()


def erase_in_admin(client, django_user_model, person, *, username: str) -> None:
    """A staff user allowed to erase does it on the person's page."""
    staff = django_user_model.objects.create_user(
        username=username, password=PASSWORD, is_staff=True
    )
    staff.groups.add(ensure_marketing_group())
    staff.user_permissions.add(Permission.objects.get(codename="erase_person"))
    client.force_login(staff)
    answer = client.post(
        f"/admin/subscribers/person/{person.pk}/erase/",
        {"apply": "1", "note": "asked by phone", "confirm": "ERASE"},
    )
    assert answer.status_code == 302


def test_an_erasure_reaches_vibes_through_a_real_worker_and_its_echoes_learn_nothing(
    celery_worker_process, vibes_simulator, live_server, settings, client, django_user_model
):
    settings.CALLBACK_TOKENS = [TOKEN]
    settings.CALLBACK_ALLOWED_IPS = []
    state = vibes_simulator.state
    _status, vibes_person = state.person_add(
        {
            "mobile_phone": {"mdn": MDN},
            "external_person_id": "crm-w1",
            "custom_fields": {"first_name": "Ines"},
        }
    )
    state.subscribe(vibes_person, "1234", campaign_id="2342312")
    weekly = services.subscription_list_upsert(
        list_id="1234", name="Weekly deals", acquisition_campaign_id="2342312"
    )[0]
    person = services.person_create(
        source=Source.IMPORT,
        person_key=vibes_person.person_key,
        external_person_id="crm-w1",
        mdn=MDN,
        custom_fields={"first_name": "Ines"},
    )
    services.subscription_activate(
        person=person, subscription_list=weekly, source=Source.VIBES_CALLBACK
    )
    start_worker(celery_worker_process, vibes_simulator, live_server)
    erase_in_admin(client, django_user_model, person, username="cora")

    def done():
        return Push.objects.filter(
            person=person, kind=Push.Kind.ERASURE, state=Push.State.DONE
        ).exists()

    wait_for(done, 30, "the erasure push")
    record = state.person(vibes_person.person_key)
    assert (record.mdn, record.external_person_id, record.custom_fields) == (None, None, {})
    assert not state.active_subscription(vibes_person.person_key, "1234")
    assert vibes_simulator.wait_idle(10)
    wait_for(
        lambda: (
            CallbackEvent.objects.exists()
            and not CallbackEvent.objects.filter(status=CallbackEvent.Status.RECEIVED).exists()
        ),
        30,
        "the echo callbacks to be applied",
    )
    person.refresh_from_db()
    assert person.mdn == "" and person.custom_fields == {} and person.external_person_id is None
    assert Person.objects.count() == 1
    assert not CallbackEvent.objects.filter(body__contains=MDN.lstrip("+")).exists()
    assert suppression.is_suppressed(MDN)


def test_an_erasure_vibes_first_refuses_with_a_422_completes_and_stays_final(
    celery_worker_process, vibes_simulator, live_server, settings, client, django_user_model
):
    """A custom field staff defined before Vibes had it: the erasure's PUT gets Vibes'
    422 "Unknown custom fields", drops it and completes; a late person callback carrying
    the old record and a drift sweep then leave the person erased."""
    settings.CALLBACK_TOKENS = [TOKEN]
    settings.CALLBACK_ALLOWED_IPS = []
    settings.STALL_PUSH_SECONDS = 0
    settings.MONITORING_TOKEN = "monitor-" + "w" * 32
    state = vibes_simulator.state
    _status, vibes_person = state.person_add(
        {"mobile_phone": {"mdn": MDN}, "external_person_id": "crm-w2"}
    )
    CustomField.objects.create(key="shoe_size", label="Shoe size")
    person = services.person_create(
        source=Source.IMPORT,
        person_key=vibes_person.person_key,
        vibes_person_id=vibes_person.person_id,
        external_person_id="crm-w2",
        mdn=MDN,
    )
    services.person_update(person=person, source=Source.ADMIN, custom_fields={"shoe_size": "38"})
    Push.objects.all().delete()
    start_worker(celery_worker_process, vibes_simulator, live_server)
    erase_in_admin(client, django_user_model, person, username="ida")
    push = Push.objects.get(person=person, kind=Push.Kind.ERASURE)
    wait_for(
        lambda: Push.objects.get(pk=push.pk).state in (Push.State.DONE, Push.State.STOPPED),
        30,
        "the erasure push to end",
    )
    push.refresh_from_db()
    assert push.state == Push.State.DONE, push.last_error
    assert PushAttempt.objects.filter(push=push, method="PUT", http_status=422).exists()
    assert state.person(vibes_person.person_key).mdn is None
    monitor = {"HTTP_AUTHORIZATION": f"Bearer {settings.MONITORING_TOKEN}"}
    assert client.get("/healthz/stalls", **monitor).json()["erasures_unfinished"] == 0

    late = {  # a delivery Vibes retried late, with the record as it was (vibes-api.md §4)
        "event_id": "late-person-update",
        "callback_type": "person_updated",
        "event_date": "2026-12-07T09:00:00Z",
        "person": {
            "person_id": vibes_person.person_id,
            "person_key": vibes_person.person_key,
            "external_person_id": "crm-w2",
            "mobile_phone": {"mdn": MDN, "carrier_code": "104"},
            "custom_fields": {"shoe_size": "38"},
        },
    }
    posted = requests.post(f"{live_server.url}/callbacks/vibes/{TOKEN}/", json=late, timeout=10)
    assert posted.status_code == 200
    wait_for(
        lambda: not CallbackEvent.objects.filter(status=CallbackEvent.Status.RECEIVED).exists(),
        30,
        "the late callback to be applied",
    )
    cache.clear()
    drift_sweep(client=VibesClient.from_settings(), budget=100, seconds=5)

    person.refresh_from_db()
    assert (person.mdn, person.external_person_id, person.custom_fields) == ("", None, {})
    assert person.erased_at is not None
    assert Person.objects.count() == 1
    assert not CallbackEvent.objects.filter(body__contains=MDN.lstrip("+")).exists()
