"""Carrier opt-outs (disconnect, failed_at_carrier, obsolete_carrier) through the endpoint:
the number stops being the person's, every list ends, and whoever Vibes names with that
number next is someone new."""

import io

import pytest

from callbacks.models import CallbackEvent
from subscribers import services
from subscribers.models import DeadNumber, Person, Push, Subscription, SubscriptionEvent
from subscribers.preferences import link_requests
from subscribers.repair.extract import extract_load

from ..conftest import subscription_event

pytestmark = pytest.mark.django_db

NUMBER = "+12995551234"
OLD_OWNER = {
    "id": "ABC123",
    "person_key": "pk-ABC123",
    "external_id": "ex1234",
    "mobile_phone": {"mdn": NUMBER},
}
NEW_OWNER = {"id": "XYZ789", "person_key": "pk-XYZ789", "mobile_phone": {"mdn": NUMBER}}


@pytest.fixture
def old_owner(deliver):
    for n, list_id in enumerate(("1234", "1235", "1236")):
        deliver(subscription_event(event_id=f"ADD-{n}", person=OLD_OWNER, list_id=list_id))
    return Person.objects.get()


def carrier_opt_out(reason="disconnect", *, event_id="RM-1", list_id="1234", person=None):
    return subscription_event(
        "subscription_removed",
        event_id=event_id,
        event_date="2017-03-01T10:00:00Z",
        person=person or OLD_OWNER,
        list_id=list_id,
        opt_out_reason=reason,
        opt_out_date="2017-03-01T10:00:00Z",
    )


@pytest.mark.parametrize("reason", ["disconnect", "failed_at_carrier", "obsolete_carrier"])
def test_a_carrier_opt_out_on_one_list_ends_every_list_and_the_number(deliver, old_owner, reason):
    deliver(carrier_opt_out(reason))
    event = CallbackEvent.objects.get(event_id="RM-1")
    assert event.status == "applied", event.error
    subs = Subscription.objects.filter(person=old_owner)
    assert {(s.status, s.opt_out_reason) for s in subs} == {("opted_out", reason)}
    dead = DeadNumber.objects.get()
    assert (dead.person, dead.mdn, dead.reason, dead.callback) == (old_owner, NUMBER, reason, event)
    assert services.number_is_dead(old_owner) == dead
    marked = SubscriptionEvent.objects.get(person=old_owner, changes__has_key="number_valid")
    assert marked.changes == {"number_valid": [True, False]} and marked.callback == event
    ended = SubscriptionEvent.objects.filter(person=old_owner, kind="opted_out", callback=event)
    assert ended.count() == 3  # one per list, all from this callback
    assert not Push.objects.exists()  # Vibes' own news: nothing pushed back


def test_an_ordinary_opt_out_leaves_the_other_lists_and_the_number_alone(deliver, old_owner):
    deliver(carrier_opt_out("user_opt_out"))
    statuses = sorted(Subscription.objects.values_list("status", flat=True))
    assert statuses == ["active", "active", "opted_out"]
    assert not DeadNumber.objects.exists()


def test_the_other_lists_carrier_opt_outs_are_repeats_and_the_number_is_marked_once(
    deliver, old_owner
):
    for n, list_id in enumerate(("1234", "1235", "1236")):
        deliver(carrier_opt_out(event_id=f"RM-{n}", list_id=list_id))
    assert CallbackEvent.objects.filter(status="applied").count() == 6
    assert DeadNumber.objects.count() == 1
    assert SubscriptionEvent.objects.filter(changes__has_key="number_valid").count() == 1


def test_a_new_vibes_person_with_the_same_number_is_a_new_person(deliver, old_owner):
    deliver(carrier_opt_out())
    deliver(
        subscription_event(
            event_id="NEW-1", event_date="2017-06-01T00:00:00Z", person=NEW_OWNER, list_id="1234"
        )
    )
    new = Person.objects.get(person_key="pk-XYZ789")
    assert new != old_owner and new.mdn == NUMBER
    assert Subscription.objects.get(person=new).status == "active"
    # The old owner keeps every list ended and the number marked.
    assert set(Subscription.objects.filter(person=old_owner).values_list("status", flat=True)) == {
        "opted_out"
    }
    assert services.number_is_dead(old_owner) is not None


def test_an_older_payload_naming_only_the_number_is_someone_new_too(deliver, old_owner):
    deliver(carrier_opt_out())
    deliver(
        subscription_event(
            event_id="NEW-1",
            event_date="2017-06-01T00:00:00Z",
            person={"mobile_phone": {"mdn": NUMBER}},
            list_id="1235",
        )
    )
    assert Person.objects.count() == 2
    assert Subscription.objects.filter(person=old_owner, status="active").count() == 0


def test_before_the_number_died_the_number_still_names_its_person(deliver, old_owner):
    deliver(
        subscription_event(
            event_id="OLDSHAPE",
            event_date="2017-02-20T00:00:00Z",
            person={"mobile_phone": {"mdn": NUMBER}},
            list_id="1237",
        )
    )
    assert Person.objects.count() == 1


def test_an_import_row_for_a_new_person_with_the_dead_number_makes_a_new_person(deliver, old_owner):
    deliver(carrier_opt_out())
    header = (
        "person_id\texternal_person_id\tmdn\tcarrier_code\tsubscription_list_id\t"
        "subscription_list_name\topt_in_date\topt_out_date\tsubscription_event\topt_out_reason\n"
    )
    row = f"pk-XYZ789\t\t{NUMBER}\t104\t1234\tDeals\t2017-06-01 10:00:00 -0600\t\tOPT_IN\t\n"
    counts = extract_load(io.StringIO(header + row))
    assert counts["opted in"] == 1
    new = Person.objects.get(person_key="pk-XYZ789")
    assert new != old_owner
    assert not Subscription.objects.filter(person=old_owner, status="active").exists()


def test_a_fresh_opt_in_of_the_same_vibes_person_makes_the_number_theirs_again(deliver, old_owner):
    deliver(carrier_opt_out())
    deliver(
        subscription_event(
            event_id="BACK", event_date="2017-07-01T00:00:00Z", person=OLD_OWNER, list_id="1234"
        )
    )
    assert services.number_is_dead(old_owner) is None
    assert DeadNumber.objects.get().revived_at is not None
    revived = SubscriptionEvent.objects.filter(changes__number_valid=[False, True])
    assert revived.count() == 1


def test_an_older_opt_in_arriving_late_does_not_revive_the_number(deliver, old_owner):
    deliver(carrier_opt_out(list_id="1235"))
    deliver(
        subscription_event(
            event_id="LATE", event_date="2017-02-01T00:00:00Z", person=OLD_OWNER, list_id="1235"
        )
    )
    assert services.number_is_dead(old_owner) is not None


def test_a_link_asked_for_by_the_dead_number_is_never_the_old_owners(deliver, old_owner, settings):
    settings.PREFERENCE_LINK_SENDER = "tests.callbacks.handlers.test_dead_numbers.record_link"
    RECORDED.clear()
    assert link_requests.request_link(mdn=NUMBER) is True
    deliver(carrier_opt_out())
    assert link_requests.request_link(mdn=NUMBER) is False
    assert [p.pk for p in RECORDED] == [old_owner.pk]  # only the request from before


RECORDED: list = []  # the persons record_link was asked to text


def record_link(*, person, url, reference=""):
    RECORDED.append(person)
