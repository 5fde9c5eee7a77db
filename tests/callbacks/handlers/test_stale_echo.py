# ruff: noqa: F811  (fixtures imported from push_fixtures)
"""A Vibes person event reflecting an older state than a local edit (the echo of our own
earlier push, arriving late) never undoes that edit, and the outbox still sends it; a
genuinely newer change made at Vibes wins."""

from datetime import timedelta

import pytest
from django.utils import timezone

from callbacks.apply import events_apply_received
from callbacks.models import CallbackEvent
from subscribers import services, tasks
from subscribers.models import Person, Source
from subscribers.outbox.models import Push
from tests.subscribers.outbox.push_fixtures import add_person, calls, published, vibes  # noqa: F401

from ..conftest import person_event

pytestmark = pytest.mark.django_db(transaction=True)

MDN = "+12995551234"


@pytest.fixture
def in_sync(vibes, published, text_fields):
    """A person Vibes knows, whose first name staff set to Ada and the push sent."""
    add_person(vibes, person_key="pk-ABC123", person_id="ABC123", mdn=MDN)
    person = services.person_create(
        source=Source.IMPORT, person_key="pk-ABC123", vibes_person_id="ABC123", mdn=MDN
    )
    services.person_update(person=person, source=Source.ADMIN, custom_fields={"first_name": "Ada"})
    tasks.push_send(Push.objects.get(person=person, state=Push.State.PENDING).pk)
    vibes_updated_at = timezone.now()  # when Vibes took Ada: what its echo reflects
    return person, vibes_updated_at


def echo(updated_at, first_name, event_id):
    return person_event(
        event_id=event_id,
        external_person_id=None,
        mobile_phone={"mdn": MDN},
        custom_fields={"first_name": first_name, "last_name": "Doe"},
        updated_at=updated_at.isoformat().replace("+00:00", "Z"),
    )


def put_bodies(vibes):
    return [r.body for r in calls(vibes, "PUT", r"^/mobiledb/persons/pk-ABC123$")]


def test_the_late_echo_of_an_earlier_push_keeps_the_newer_local_edit(in_sync, deliver, vibes):
    person, ada_at = in_sync
    services.person_update(
        person=person, source=Source.ADMIN, custom_fields={"first_name": "Grace"}
    )
    deliver(echo(ada_at, "Ada", "ECHO-1"))  # the echo of "Ada" arrives after "Grace"
    person.refresh_from_db()
    assert person.custom_fields["first_name"] == "Grace"
    assert person.custom_fields["last_name"] == "Doe"  # what the edit did not touch applies
    event = CallbackEvent.objects.get(event_id="ECHO-1")
    assert event.status == "applied" and "custom_fields.first_name" in event.error
    tasks.push_send(Push.objects.get(person=person, state=Push.State.PENDING).pk)
    assert put_bodies(vibes)[-1]["custom_fields"]["first_name"] == "Grace"


def test_a_genuinely_newer_change_at_vibes_wins_over_the_local_edit(in_sync, deliver):
    person, _ada_at = in_sync
    services.person_update(
        person=person, source=Source.ADMIN, custom_fields={"first_name": "Grace"}
    )
    later = timezone.now() + timedelta(seconds=1)  # changed at Vibes after Grace
    deliver(echo(later, "Marie", "NEWER-1"))
    person.refresh_from_db()
    assert person.custom_fields["first_name"] == "Marie"
    assert CallbackEvent.objects.get(event_id="NEWER-1").error == ""
    assert Person.objects.get().last_change_source == Source.VIBES_CALLBACK


@pytest.mark.parametrize("batch", [0, 500], ids=["event by event", "in a batch"])
def test_a_plain_save_is_pushed_and_a_late_echo_does_not_undo_it(in_sync, post, vibes, batch):
    """A change saved with no service at all (a shell, a data fix) is pushed, and the
    same change is what the echo rule protects, on both apply paths."""
    person, ada_at = in_sync
    person.refresh_from_db()
    person.custom_fields = {**person.custom_fields, "first_name": "Grace"}
    person.save()
    push = Push.objects.get(person=person, state=Push.State.PENDING)
    post(echo(ada_at, "Ada", "ECHO-PLAIN"))
    events_apply_received(batch=batch)
    person.refresh_from_db()
    assert person.custom_fields["first_name"] == "Grace"
    assert "custom_fields.first_name" in CallbackEvent.objects.get(event_id="ECHO-PLAIN").error
    tasks.push_send(push.pk)
    assert put_bodies(vibes)[-1]["custom_fields"]["first_name"] == "Grace"
