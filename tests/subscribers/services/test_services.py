import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from subscribers import services
from subscribers.models import Person, Push, Source, Subscription, SubscriptionEvent
from subscribers.services import VibesIdentity

pytestmark = pytest.mark.django_db

T0 = datetime(2017, 2, 15, 15, 42, 23, tzinfo=UTC)


@pytest.fixture
def person():
    return services.person_create(source=Source.ADMIN, mdn="+1 415 555 0132")


@pytest.fixture
def sub_list():
    return services.subscription_list_upsert(list_id="1234", name="Deals")[0]


def history(person):
    return list(
        SubscriptionEvent.objects.filter(person=person).order_by("id").values_list("kind", "source")
    )


def test_person_create_normalises_the_typed_number_and_records_history(person):
    assert person.mdn == "+14155550132"
    assert history(person) == [("details_changed", "admin")]


def test_person_create_refuses_a_typed_number_that_is_not_a_mobile():
    with pytest.raises(ValidationError):
        services.person_create(source=Source.PREFERENCE_PAGE, mdn="555")
    assert not Person.objects.exists()


def test_person_from_vibes_keeps_an_unassigned_number():
    person = services.person_create(source=Source.VIBES_CALLBACK, mdn="2995551234")
    assert person.mdn == "+12995551234"


@pytest.mark.usefixtures("text_fields")
def test_person_update_records_only_what_changed(person):
    changes = services.person_update(
        person=person,
        source=Source.ADMIN,
        custom_fields={"first_name": "John"},
        carrier_code="",
    )
    assert changes == {"custom_fields": [{}, {"first_name": "John"}]}
    event = SubscriptionEvent.objects.filter(person=person).latest("id")
    assert event.changes == changes
    assert person.custom_fields == {"first_name": "John"}
    assert services.person_update(person=person, source=Source.ADMIN, carrier_code="") == {}
    assert len(history(person)) == 2


@pytest.mark.usefixtures("text_fields")
def test_custom_fields_merge_and_null_removes_a_key(person):
    services.person_update(
        person=person,
        source=Source.ADMIN,
        custom_fields={"first_name": "John", "last_name": "Doe"},
    )
    services.person_update(person=person, source=Source.ADMIN, custom_fields={"last_name": None})
    person.refresh_from_db()
    assert person.custom_fields == {"first_name": "John"}


def test_vibes_sourced_changes_are_not_pushed_and_local_ones_are(person, text_fields):
    Push.objects.all().delete()
    services.person_update(
        person=person, source=Source.VIBES_CALLBACK, custom_fields={"first_name": "Ann"}
    )
    assert not Push.objects.filter(person=person).exists()
    services.person_update(person=person, source=Source.ADMIN, custom_fields={"first_name": "Bo"})
    assert Push.objects.filter(person=person, kind=Push.Kind.PERSON).count() == 1


def test_opt_in_then_opt_out_moves_status_and_records_history(person, sub_list):
    services.subscription_activate(
        person=person,
        subscription_list=sub_list,
        source=Source.VIBES_CALLBACK,
        occurred_at=T0,
        opt_in_date=T0,
        acquisition_campaign_id="2342312",
    )
    change = services.subscription_cancel(
        person=person,
        subscription_list=sub_list,
        source=Source.VIBES_CALLBACK,
        occurred_at=T0 + timedelta(days=30),
        opt_out_reason="user_opt_out",
    )
    sub = change.subscription
    assert sub.status == Subscription.Status.OPTED_OUT
    assert sub.opt_in_date == T0
    assert sub.opt_out_reason == "user_opt_out"
    assert history(person)[-2:] == [("opted_in", "vibes_callback"), ("opted_out", "vibes_callback")]


def test_older_optin_does_not_undo_newer_optout(person, sub_list):
    services.subscription_cancel(
        person=person,
        subscription_list=sub_list,
        source=Source.VIBES_CALLBACK,
        occurred_at=T0 + timedelta(days=30),
        opt_out_reason="user_opt_out",
    )
    change = services.subscription_activate(
        person=person,
        subscription_list=sub_list,
        source=Source.VIBES_CALLBACK,
        occurred_at=T0,
    )
    assert change.superseded
    assert change.event.superseded
    sub = Subscription.objects.get(person=person, subscription_list=sub_list)
    assert sub.status == Subscription.Status.OPTED_OUT
    assert sub.last_event_at == T0 + timedelta(days=30)


def test_unknown_opt_out_reason_is_kept_as_given(person, sub_list):
    services.subscription_cancel(
        person=person,
        subscription_list=sub_list,
        source=Source.VIBES_CALLBACK,
        opt_out_reason="carrier_pigeon_opt_out",
    )
    assert Subscription.objects.get().opt_out_reason == "carrier_pigeon_opt_out"


def test_repeating_the_same_state_adds_no_history(person, sub_list):
    for _ in range(3):
        services.subscription_activate(
            person=person,
            subscription_list=sub_list,
            source=Source.VIBES_CALLBACK,
            occurred_at=T0,
            opt_in_date=T0,
        )
    assert history(person).count(("opted_in", "vibes_callback")) == 1


def test_request_is_a_no_op_for_someone_already_subscribed(person, sub_list):
    services.subscription_activate(person=person, subscription_list=sub_list, source=Source.ADMIN)
    assert (
        services.subscription_request(
            person=person,
            subscription_list=sub_list,
            source=Source.PREFERENCE_PAGE,
        )
        is None
    )
    assert Subscription.objects.get().status == Subscription.Status.ACTIVE


def test_opt_out_all_leaves_every_list_with_the_staff_user_recorded(person, admin_user):
    lists = [services.subscription_list_upsert(list_id=str(i))[0] for i in range(3)]
    for sub_list in lists[:2]:
        services.subscription_activate(
            person=person, subscription_list=sub_list, source=Source.ADMIN
        )
    changes = services.person_opt_out_all(
        person=person,
        source=Source.ADMIN,
        staff_user=admin_user,
        opt_out_reason="api_opt_out",
    )
    assert len(changes) == 2
    assert set(Subscription.objects.values_list("status", flat=True)) == {"opted_out"}
    assert SubscriptionEvent.objects.filter(kind="opted_out", staff_user=admin_user).count() == 2


def test_list_first_seen_in_a_callback_gets_a_placeholder_name_then_the_real_one():
    sub_list, created = services.subscription_list_upsert(list_id="9876")
    assert created and sub_list.name == "Vibes list 9876"
    sub_list, created = services.subscription_list_upsert(list_id="9876", name="VIP")
    assert not created and sub_list.name == "VIP"


def test_upsert_from_vibes_finds_by_legacy_id_and_learns_the_person_key():
    first, created = services.person_upsert_from_vibes(
        identity=VibesIdentity(vibes_person_id="ABC123", external_person_id="ex1234"),
    )
    assert created
    again, created = services.person_upsert_from_vibes(
        identity=VibesIdentity(person_key="pk-9", vibes_person_id="ABC123", mdn="+12995551234"),
    )
    assert not created and again.pk == first.pk
    again.refresh_from_db()
    assert (again.person_key, again.mdn) == ("pk-9", "+12995551234")


def test_upsert_from_vibes_needs_some_identifier():
    with pytest.raises(ValueError):
        services.person_upsert_from_vibes(identity=VibesIdentity(person_key="  "))


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_callbacks_for_one_unknown_person_create_one_person():
    barrier = threading.Barrier(4)
    errors = []

    def worker():
        try:
            barrier.wait()
            services.person_upsert_from_vibes(
                identity=VibesIdentity(person_key="race-1", vibes_person_id="R1"),
            )
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Person.objects.filter(person_key="race-1").count() == 1
