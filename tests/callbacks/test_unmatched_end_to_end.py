"""Texts from phones end to end: Vibes' documented body at the endpoint, a real worker on
PostgreSQL and Redis applying it, the opt-outs pushed to the simulator; and, after a
change of number, the simulator's own texts from the old phone, a stranger and the new
phone, each judged by the number that sent it."""

from datetime import UTC, datetime

import pytest
from django.test import Client

from callbacks.models import CallbackEvent
from subscribers import services
from subscribers.models import Person, RevocationReview, Source, Subscription, SubscriptionEvent
from tests.conftest import subprocess_env
from tests.subscribers.outbox.worker_helpers import wait_for

from .conftest import reference_unmatched

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

TOKEN = "tok-" + "u" * 40
URL = f"/callbacks/vibes/{TOKEN}/"
JOINED = datetime(2026, 12, 1, tzinfo=UTC)  # before the reference body's receipt_date


@pytest.fixture
def kicks():
    """The endpoint asks the real worker for a run (this package's conftest records it)."""


@pytest.fixture
def product(settings, vibes_simulator, celery_worker_process):
    """The endpoint open to the test's posts, and a worker talking to the simulator."""
    settings.CALLBACK_TOKENS = [TOKEN]
    settings.CALLBACK_ALLOWED_IPS = []
    settings.PUSH_DEBOUNCE_SECONDS = 0.1
    celery_worker_process.env.update(
        subprocess_env(**vibes_simulator.env(), PUSH_DEBOUNCE_SECONDS="0.1")
    )
    return celery_worker_process


def subscriber(state, mdn: str, list_id: str = "1234", campaign: str = "2342312", **fields):
    """A person on one list, the same at Vibes (the simulator) and here."""
    _status, vibes_person = state.person_add({"mobile_phone": {"mdn": mdn}, **fields})
    state.subscribe(vibes_person, list_id, campaign_id=campaign)
    person = services.person_create(
        source=Source.IMPORT,
        person_key=vibes_person.person_key,
        vibes_person_id=vibes_person.person_id,
        mdn=mdn,
        **fields,
    )
    sub_list = services.subscription_list_upsert(
        list_id=list_id, name=f"List {list_id}", acquisition_campaign_id=campaign
    )[0]
    services.subscription_activate(
        person=person, subscription_list=sub_list, source=Source.VIBES_CALLBACK, occurred_at=JOINED
    )
    return person, vibes_person


def status_of(person) -> str:
    return Subscription.objects.get(person=person).status


def applied(event_id: str) -> CallbackEvent | None:
    return CallbackEvent.objects.filter(event_id=event_id).exclude(status="received").first()


def test_vibes_reference_body_revokes_in_english_and_spanish_and_a_question_does_not(
    vibes_simulator, product
):
    state = vibes_simulator.state
    texts = {
        "+13125550101": "REVOKE",
        "+13125550102": "opt out please",
        "+13125550103": "darme de baja",
        "+13125550104": "What time do you open on Sunday?",
    }
    people = {mdn: subscriber(state, mdn) for mdn in texts}
    product.start()

    for n, (mdn, words) in enumerate(texts.items()):
        body = reference_unmatched(
            words, mdn=mdn, event_id=f"5d1c7a2e-0b4f-4e9a-8c31-00000000000{n}"
        )
        response = Client().post(URL, data=body, content_type="application/json")
        assert response.status_code == 200, response.content

    events = [
        wait_for(lambda n=n: applied(f"5d1c7a2e-0b4f-4e9a-8c31-00000000000{n}"), 30, "the text")
        for n in range(len(texts))
    ]
    assert [e.status for e in events] == ["applied"] * 4
    assert [e.mdn for e in events] == list(texts)
    revoked = list(texts)[:3]
    for mdn in revoked:
        person, vibes_person = people[mdn]
        assert status_of(person) == Subscription.Status.OPTED_OUT
        # The opt-out reached Vibes: the worker pushed it to the simulator.
        wait_for(
            lambda vp=vibes_person: not state.subscriptions_of(vp.person_key),
            30,
            f"{mdn}'s list to be unsubscribed at Vibes",
        )
    question, vibes_question = people["+13125550104"]
    assert events[3].error == "Not an opt-out: nothing to do."
    assert status_of(question) == Subscription.Status.ACTIVE
    assert state.subscriptions_of(vibes_question.person_key)


def test_vibes_reference_body_with_its_broken_line_is_a_400_kept_for_staff(product):
    body = reference_unmatched(invalid=True)
    response = Client().post(URL, data=body, content_type="application/json")
    assert response.status_code == 400
    event = CallbackEvent.objects.get()
    assert (event.status, event.body) == ("rejected", body)
    assert "not valid JSON" in event.error


OLD, NEW, STRANGER = "+12995551234", "+14155550132", "+13125550999"


def test_after_a_number_change_only_the_current_holder_of_a_number_is_opted_out(
    vibes_simulator, product, live_server
):
    state = vibes_simulator.state
    ana, old_record = subscriber(state, OLD, external_person_id="crm-ana")
    vibes_simulator.register_callbacks(f"{live_server.url}{URL}")
    product.start()

    # Vibes is slow to retire the old record: it keeps our external id a while longer.
    old_path = f"/mobiledb/persons/{old_record.person_key}"
    vibes_simulator.add_fault("status", method="PUT", path=old_path, count=3, status=503)

    # Ana switches to NEW the way the page does it: asked, texted, confirmed with "Y".
    services.person_request_number(person=ana, mdn=NEW, source=Source.PREFERENCE_PAGE)
    wait_for(lambda: state.pending(mdn=NEW), 30, "the confirmation text to the new number")
    vibes_simulator.reply(mdn=NEW, text="Y")
    wait_for(
        lambda: Person.objects.filter(pk=ana.pk, mdn=NEW, pending_mdn="").exists(),
        30,
        "the new number to be confirmed",
    )

    def text_from(mdn: str, words: str) -> CallbackEvent:
        [sent] = vibes_simulator.reply(mdn=mdn, text=words)
        return wait_for(lambda: applied(sent["event_id"]), 30, f"the text from {mdn}")

    # The old phone texts while Vibes' old record still carries Ana's external id: the
    # number is nobody's here now, so nobody is opted out and staff see the text.
    assert state.person(old_record.person_key).external_person_id == "crm-ana"
    early = text_from(OLD, "REVOKE")
    assert early.person is None and "Nobody here has this number" in early.error
    assert status_of(ana) == Subscription.Status.ACTIVE

    # The old record is retired at Vibes, and its callbacks make it a person of its own.
    old_holder = wait_for(
        lambda: Person.objects.filter(mdn=OLD).exclude(pk=ana.pk).first(),
        60,
        "Vibes' callback about the old record",
    )
    assert old_holder.person_key == old_record.person_key
    assert vibes_simulator.wait_idle(10)

    # The old phone speaks for whoever Vibes holds that number on now, never for Ana.
    from_old = text_from(OLD, "REVOKE")
    assert from_old.status == "applied" and from_old.person == old_holder, from_old.error
    assert status_of(ana) == Subscription.Status.ACTIVE
    assert not SubscriptionEvent.objects.filter(person=ana, source=Source.TEXT_MESSAGE).exists()

    # A number nobody has: recorded for staff, nobody opted out.
    from_stranger = text_from(STRANGER, "Opt out please")
    assert from_stranger.person is None and "Nobody here has this number" in from_stranger.error
    review = RevocationReview.objects.get(callback=from_stranger)
    assert (review.mdn, review.reason, review.person) == (STRANGER, "unknown_number", None)
    assert status_of(ana) == Subscription.Status.ACTIVE

    # Ana's own phone now is the new one.
    from_new = text_from(NEW, "No más mensajes")
    assert from_new.person == ana, from_new.error
    assert status_of(ana) == Subscription.Status.OPTED_OUT
