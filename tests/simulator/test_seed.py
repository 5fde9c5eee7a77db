"""The simulator's demo account and ``demo_data`` agree: one source of truth."""

import pytest
from django.core.management import call_command

from simulator import SimulatorServer
from simulator.demo import demo_people
from subscribers import limits
from subscribers.models import Person, Subscription, SubscriptionList
from subscribers.preferences.forms import NumberForm


@pytest.mark.django_db
def test_simulator_seed_matches_demo_data():
    call_command("demo_data", persons=25, stdout=None)
    with SimulatorServer() as sim:
        sim.seed_demo(persons=25)
        state = sim.state
        local_lists = {sl.list_id: sl for sl in SubscriptionList.objects.all()}
        assert set(local_lists) == set(state.lists) == {"1234", "1235", "1236", "1237"}
        for list_id, sub_list in local_lists.items():
            assert state.lists[list_id].name == sub_list.name
            campaigns = [c.id for c in state.campaigns.values() if c.list_id == list_id]
            assert campaigns == (
                [sub_list.acquisition_campaign_id] if sub_list.acquisition_campaign_id else []
            )
        persons = Person.objects.filter(person_key__startswith="demo-")
        assert persons.count() == 25
        for person in persons:
            remote = state.person(person.person_key)
            assert remote.person_id == person.vibes_person_id
            assert remote.external_person_id == person.external_person_id
            assert remote.mdn == person.mdn
            assert remote.custom_fields == person.custom_fields
            local_active = set(
                Subscription.objects.filter(
                    person=person, status=Subscription.Status.ACTIVE
                ).values_list("subscription_list__list_id", flat=True)
            )
            remote_active = {s.list_id for s in state.subscriptions_of(person.person_key)}
            assert local_active == remote_active, person.person_key


@pytest.mark.django_db
def test_demo_data_is_idempotent():
    call_command("demo_data", persons=10, stdout=None)
    call_command("demo_data", persons=10, stdout=None)
    assert Person.objects.filter(person_key__startswith="demo-").count() == 10


def test_every_demo_number_is_accepted_by_the_forms_and_the_texting_limits():
    """The demo numbers try every flow (a new number, a new link): each one passes the
    strict validation the forms use and is in the served country."""
    numbers = [person.mdn for person in demo_people(300, 7)]
    assert len(set(numbers)) == 300
    for mdn in numbers:
        assert NumberForm({"n-mdn": mdn}, prefix="n").is_valid(), mdn
        assert limits.region_allowed(mdn), mdn
