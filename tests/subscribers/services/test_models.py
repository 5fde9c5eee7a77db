import pytest
from django.db import IntegrityError, transaction

from subscribers.models import Person, Subscription, SubscriptionEvent, SubscriptionList

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return Person.objects.create(mdn="+14155550132", person_key="PK1")


@pytest.fixture
def sub_list():
    return SubscriptionList.objects.create(list_id="1234", name="Deals")


def test_database_refuses_two_subscriptions_for_one_person_and_list(person, sub_list):
    Subscription.objects.create(person=person, subscription_list=sub_list, status="active")
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscription.objects.create(person=person, subscription_list=sub_list, status="pending")


def test_database_refuses_an_unknown_subscription_status(person, sub_list):
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscription.objects.create(person=person, subscription_list=sub_list, status="maybe")


def test_database_refuses_an_unknown_history_kind(person):
    with pytest.raises(IntegrityError), transaction.atomic():
        SubscriptionEvent.objects.create(
            person=person,
            kind="teleported",
            source="admin",
            occurred_at="2024-01-01T00:00Z",
        )


def test_person_key_and_external_id_are_unique_when_set(person):
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(person_key="PK1")
    Person.objects.create(external_person_id="ex1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(external_person_id="ex1")


def test_many_persons_may_lack_person_key_and_external_id():
    Person.objects.create(mdn="+14155550101")
    Person.objects.create(mdn="+14155550102")
    assert Person.objects.filter(person_key=None, external_person_id=None).count() == 2


def test_empty_string_identifiers_are_refused_so_uniqueness_holds(person):
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(person_key="")


def test_list_id_is_unique(sub_list):
    with pytest.raises(IntegrityError), transaction.atomic():
        SubscriptionList.objects.create(list_id="1234", name="Other")


def test_history_rows_cannot_be_changed_or_deleted(person):
    event = SubscriptionEvent.objects.create(
        person=person,
        kind="details_changed",
        source="admin",
        occurred_at="2024-01-01T00:00Z",
    )
    event.note = "rewritten"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        SubscriptionEvent.objects.filter(pk=event.pk).update(note="x")
    with pytest.raises(TypeError):
        SubscriptionEvent.objects.all().delete()
    assert SubscriptionEvent.objects.get(pk=event.pk).note == ""


def test_person_str_shows_name_and_masked_number(person):
    person.custom_fields = {"first_name": "John", "last_name": "Doe"}
    assert str(person) == "John Doe (+1 ••• ••• 0132)"
