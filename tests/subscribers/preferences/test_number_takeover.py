"""Number takeover, tried as an attacker would, against the simulator: someone with a
preference link types another person's number. Vibes would answer 409 (already
subscribed) or SUBSCRIBED (a single opt-in campaign), neither of which proves who holds
the phone; the code texted to the victim's phone is what the attacker lacks."""

import pytest

from subscribers import services, tasks
from subscribers.models import Person, Source
from subscribers.outbox.models import Push
from subscribers.preferences import links
from tests import texts
from tests.subscribers.outbox.push_fixtures import published  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

VICTIM = "+14155550911"


@pytest.fixture
def attacker(vibes_simulator, published):  # noqa: F811
    """An attacker on the single opt-in list, and a victim subscribed to it at Vibes."""
    order_updates = services.subscription_list_upsert(
        list_id="1236", name="Order updates", acquisition_campaign_id="2342314", is_public=True
    )[0]
    person = services.person_create(
        source=Source.ADMIN, mdn="+14155550910", external_person_id="crm-attacker"
    )
    services.subscription_activate(
        person=person, subscription_list=order_updates, source=Source.VIBES_CALLBACK
    )
    state = vibes_simulator.state
    victim = state._new_person(mdn=VICTIM)
    state.subscribe(victim, "1236", campaign_id="2342314")
    return person


def send_every_push():
    for push in Push.objects.filter(state=Push.State.PENDING):
        tasks.push_send(push.pk)


def test_typing_someone_elses_number_texts_them_a_code_and_changes_nothing_at_vibes(
    client, attacker, vibes_simulator
):
    url = links.preference_path(attacker)
    texts.post_number(client, url, VICTIM)
    assert [mdn for _pk, mdn, _code in texts.CODES] == [VICTIM]  # the code went to the victim
    victims_code = texts.last_code()
    for guess in ("000000", "123456", "111111", "999999", "424242"):
        if guess != victims_code:
            client.post(f"{url}number/code/", {"c-code": guess})
    send_every_push()
    attacker.refresh_from_db()
    assert (attacker.mdn, attacker.pending_mdn) == ("+14155550910", "")
    assert not Push.objects.filter(kind=Push.Kind.NUMBER).exists()
    assert vibes_simulator.requests(path_contains="/participants") == []
    victim = vibes_simulator.state.person_by_mdn(VICTIM)
    assert victim.external_person_id is None  # our external id never reached them
    assert Person.objects.filter(mdn=VICTIM).count() == 0


def test_the_owner_of_the_phone_proves_it_and_the_single_opt_in_answer_then_confirms(
    client, attacker, vibes_simulator
):
    url = links.preference_path(attacker)
    new = "+14155550912"
    texts.post_number(client, url, new)
    client.post(f"{url}number/code/", {"c-code": texts.last_code()})
    send_every_push()
    attacker.refresh_from_db()
    assert attacker.mdn == new  # SUBSCRIBED confirms a number proved by its code
    posted = vibes_simulator.requests(method="POST", path_contains="/participants")
    assert len(posted) == 1
