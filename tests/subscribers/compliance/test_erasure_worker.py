"""An erasure end to end with real processes: the admin's erasure, a Celery worker on
Redis sending the erasure push to the simulator, Vibes' echo callbacks to a live server,
and the worker applying them without learning the number back."""

import pytest
from django.contrib.auth.models import Permission

from callbacks.models import CallbackEvent
from subscribers import services, suppression
from subscribers.models import Person, Push, Source
from tests.conftest import subprocess_env
from tests.subscribers.admin.admin_helpers import PASSWORD, ensure_marketing_group
from tests.subscribers.outbox.worker_helpers import wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

MDN = "+14155550170"
TOKEN = "tok-" + "e" * 40


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
    vibes_simulator.register_callbacks(f"{live_server.url}/callbacks/vibes/{TOKEN}/")
    celery_worker_process.env.update(
        subprocess_env(**vibes_simulator.env(), PUSH_DEBOUNCE_SECONDS="0.1")
    )
    celery_worker_process.start()

    staff = django_user_model.objects.create_user(username="cora", password=PASSWORD, is_staff=True)
    staff.groups.add(ensure_marketing_group())
    staff.user_permissions.add(Permission.objects.get(codename="erase_person"))
    client.force_login(staff)
    answer = client.post(
        f"/admin/subscribers/person/{person.pk}/erase/",
        {"apply": "1", "note": "asked by phone", "confirm": "ERASE"},
    )
    assert answer.status_code == 302

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
