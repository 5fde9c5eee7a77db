# ruff: noqa: F811  (fixtures imported from push_fixtures)
"""A custom field staff created here before it exists in Vibes: Vibes answers 422 to any
update naming it. The push marks the field refused and sends the person's other details;
later pushes leave it out until staff say Vibes knows it now."""

import pytest

from subscribers import services, tasks
from subscribers.models import CustomField, Person, Source
from subscribers.outbox.models import Push
from tests.subscribers.outbox.push_fixtures import add_person, calls, published, vibes  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

MDN = "+12995551234"


@pytest.fixture
def shoe_size_here_only(text_fields):
    """``shoe_size`` is defined here, and not at Vibes (the simulator refuses it)."""
    return CustomField.objects.create(key="shoe_size", label="Shoe size")


def pending(person) -> Push:
    return Push.objects.get(person=person, state=Push.State.PENDING)


def test_a_field_vibes_does_not_know_is_marked_refused_and_the_other_fields_still_go(
    vibes, published, shoe_size_here_only
):
    add_person(vibes, person_key="pk1", mdn=MDN)
    person = services.person_create(source=Source.IMPORT, person_key="pk1", mdn=MDN)
    services.person_update(
        person=person,
        source=Source.ADMIN,
        custom_fields={"first_name": "Ada", "shoe_size": "44"},
    )
    outcome = tasks.push_send(pending(person).pk)
    assert "shoe_size" in outcome
    assert vibes.state.persons["pk1"].custom_fields == {"first_name": "Ada"}
    person.refresh_from_db()
    assert person.sync_state == Person.SyncState.IN_SYNC
    assert person.custom_fields["shoe_size"] == "44"  # kept here, not sent
    shoe_size_here_only.refresh_from_db()
    assert shoe_size_here_only.refused_at is not None and shoe_size_here_only.refused_reason

    # The next change sends no request naming the refused field at all.
    before = len(calls(vibes, "PUT"))
    services.person_update(person=person, source=Source.ADMIN, custom_fields={"first_name": "Bo"})
    tasks.push_send(pending(person).pk)
    puts = calls(vibes, "PUT")[before:]
    assert len(puts) == 1 and "shoe_size" not in puts[0].body.get("custom_fields", {})
    assert vibes.state.persons["pk1"].custom_fields == {"first_name": "Bo"}


def test_once_staff_say_vibes_knows_the_field_it_is_sent_again(
    vibes, published, shoe_size_here_only, admin_client
):
    add_person(vibes, person_key="pk1", mdn=MDN)
    person = services.person_create(source=Source.IMPORT, person_key="pk1", mdn=MDN)
    services.person_update(person=person, source=Source.ADMIN, custom_fields={"shoe_size": "44"})
    tasks.push_send(pending(person).pk)
    shoe_size_here_only.refresh_from_db()
    assert shoe_size_here_only.refused_at

    listing = admin_client.get("/admin/subscribers/customfield/")
    assert "refused: unknown to Vibes" in listing.content.decode()
    vibes.state.custom_fields.add("shoe_size")  # staff created it in Vibes' UI
    response = admin_client.post(
        "/admin/subscribers/customfield/",
        {"action": "vibes_knows_them_now", "_selected_action": [shoe_size_here_only.pk]},
    )
    assert response.status_code == 302
    shoe_size_here_only.refresh_from_db()
    assert shoe_size_here_only.refused_at is None
    services.person_update(person=person, source=Source.ADMIN, custom_fields={"shoe_size": "45"})
    tasks.push_send(pending(person).pk)
    assert vibes.state.persons["pk1"].custom_fields["shoe_size"] == "45"
