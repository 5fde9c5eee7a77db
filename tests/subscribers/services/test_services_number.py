import pytest
from django.core.exceptions import ValidationError

from subscribers import services
from subscribers.models import Source, SubscriptionEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return services.person_create(source=Source.ADMIN, mdn="+14155550132")


def test_a_requested_number_waits_and_does_not_replace_the_current_one(person):
    assert services.person_request_number(
        person=person, mdn="(415) 555-0199", source=Source.PREFERENCE_PAGE
    )
    person.refresh_from_db()
    assert (person.mdn, person.pending_mdn) == ("+14155550132", "+14155550199")
    event = SubscriptionEvent.objects.latest("id")
    assert event.changes == {"pending_mdn": ["", "+14155550199"]}
    assert "waits for the confirmation text" in event.note


def test_asking_twice_records_once(person):
    services.person_request_number(person=person, mdn="+14155550199", source=Source.PREFERENCE_PAGE)
    count = SubscriptionEvent.objects.count()
    assert not services.person_request_number(
        person=person, mdn="+1 415 555 0199", source=Source.PREFERENCE_PAGE
    )
    assert SubscriptionEvent.objects.count() == count


def test_typing_the_current_number_withdraws_a_pending_request(person):
    services.person_request_number(person=person, mdn="+14155550199", source=Source.PREFERENCE_PAGE)
    services.person_request_number(person=person, mdn="4155550132", source=Source.PREFERENCE_PAGE)
    person.refresh_from_db()
    assert person.pending_mdn == ""


def test_a_typed_number_is_validated_strictly(person):
    with pytest.raises(ValidationError):
        services.person_request_number(
            person=person, mdn="+12995551234", source=Source.PREFERENCE_PAGE
        )


def test_confirmation_of_the_requested_number_replaces_it(person):
    services.person_request_number(person=person, mdn="+14155550199", source=Source.PREFERENCE_PAGE)
    assert not services.person_confirm_number(person=person, mdn="+14155550111")
    assert services.person_confirm_number(person=person, mdn="+14155550199")
    person.refresh_from_db()
    assert (person.mdn, person.pending_mdn) == ("+14155550199", "")
    event = SubscriptionEvent.objects.latest("id")
    assert event.source == Source.VIBES_CALLBACK and event.note == "new number confirmed"
    assert not services.person_confirm_number(person=person, mdn="+14155550199")
