# ruff: noqa: F811  (fixtures imported from push_fixtures)
"""Custom field values are judged by their definitions wherever they are written, and keys
Vibes sends that no definition names are kept, never pushed back."""

import io

import pytest
from django.core.management import CommandError, call_command

from callbacks.apply import events_apply_received
from callbacks.models import CallbackEvent
from subscribers import custom_values, services, tasks
from subscribers.models import CustomField, Person, Source, SubscriptionEvent
from subscribers.outbox.models import Push, PushAttempt
from tests.callbacks.conftest import URL
from tests.subscribers.outbox.push_fixtures import published  # noqa: F401

STORES = [
    {"key": "downtown", "label": "Downtown"},
    {"key": "riverside", "label": "Riverside"},
]


@pytest.fixture
def definitions(db):
    CustomField.objects.create(key="first_name", label="First name")
    CustomField.objects.create(key="birthday", label="Birthday", field_type="date")
    CustomField.objects.create(
        key="favorite_store", label="Favourite store", field_type="single_select", options=STORES
    )
    CustomField.objects.create(
        key="interests",
        label="Interests",
        field_type="multi_select",
        options=[{"key": "shoes", "label": "Shoes"}, {"key": "coats", "label": "Coats"}],
    )


@pytest.fixture
def ana(definitions):
    return services.person_create(
        source=Source.ADMIN, mdn="+14155550132", custom_fields={"first_name": "Ana"}
    )


@pytest.mark.parametrize(
    ("values", "key", "why"),
    [
        ({"shoe_size": "9"}, "shoe_size", "no custom field has this key here"),
        ({"birthday": "31/12/1990"}, "birthday", "must be a date as YYYY-MM-DD"),
        ({"favorite_store": "airport"}, "favorite_store", "'airport' is not one of its options"),
        ({"interests": ["shoes", "hats"]}, "interests", "'hats' is not one of its options"),
        ({"first_name": "A" * 201}, "first_name", "at most 200 characters, not 201"),
        ({"first_name": 7}, "first_name", "must be text"),
    ],
)
def test_a_change_made_here_that_fits_no_definition_is_refused_and_writes_nothing(
    ana, values, key, why
):
    before = SubscriptionEvent.objects.filter(person=ana).count()
    with pytest.raises(custom_values.CustomValueError) as refused:
        services.person_update(person=ana, source=Source.ADMIN, custom_fields=values)
    assert why in refused.value.errors[key]
    ana.refresh_from_db()
    assert ana.custom_fields == {"first_name": "Ana"}
    assert SubscriptionEvent.objects.filter(person=ana).count() == before
    assert Push.objects.filter(person=ana).count() == 1  # the creation's push alone


def test_values_that_fit_are_stored_in_the_shape_vibes_keeps(ana):
    services.person_update(
        person=ana,
        source=Source.PREFERENCE_PAGE,
        custom_fields={
            "first_name": "  Ana María ",
            "birthday": "1990-12-31",
            "favorite_store": {"id": 3, "name": "Downtown", "option_key": "downtown"},
            "interests": ["coats", "shoes", "coats"],
        },
    )
    ana.refresh_from_db()
    assert ana.custom_fields == {
        "first_name": "Ana María",
        "birthday": "1990-12-31",
        "favorite_store": "downtown",
        "interests": ["coats", "shoes"],
    }


def test_a_person_created_with_an_unknown_key_is_not_created(definitions):
    with pytest.raises(custom_values.CustomValueError, match="shoe_size"):
        services.person_create(
            source=Source.ADMIN, mdn="+14155550132", custom_fields={"shoe_size": "9"}
        )
    assert not Person.objects.exists()


def test_unknown_keys_and_odd_shapes_from_a_vibes_callback_are_kept_as_sent(
    definitions, client, settings, django_capture_on_commit_callbacks
):
    settings.CALLBACK_TOKENS = [URL.split("/")[-2]]
    settings.CALLBACK_ALLOWED_IPS = []
    body = {
        "event_id": "PU-CF-1",
        "event_type": "person_updated",
        "timestamp": "2026-12-01T10:00:00Z",
        "person": {
            "person_key": "pk-cf-1",
            "person_id": "77001",
            "mobile_phone": {"mdn": "+14155550140"},
            "custom_fields": {
                "first_name": "Bea",
                "favorite_store": {
                    "id": 12,
                    "name": "Riverside",
                    "option_key": "riverside",
                    "active": True,
                },
                "loyalty_tier": "gold",
                "visits": 12,
            },
        },
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(URL, body, content_type="application/json").status_code == 200
    events_apply_received()
    assert CallbackEvent.objects.get(event_id="PU-CF-1").status == "applied"
    person = Person.objects.get(person_key="pk-cf-1")
    assert person.custom_fields["loyalty_tier"] == "gold"
    assert person.custom_fields["visits"] == 12
    assert person.custom_fields["favorite_store"]["option_key"] == "riverside"
    assert custom_values.unknown_values(person.custom_fields) == {
        "loyalty_tier": "gold",
        "visits": 12,
    }


HEADER = (
    "person_id\texternal_person_id\tmdn\tcarrier_code\tsubscription_list_id\t"
    "subscription_list_name\topt_in_date\topt_out_date\tsubscription_event\topt_out_reason\t"
    "birthday\tfavorite_store\n"
)


def test_the_extract_checks_custom_field_columns_and_reports_a_misfit_by_line(
    definitions, tmp_path
):
    path = tmp_path / "extract.tsv"
    path.write_text(
        HEADER
        + "pkA\tcrm-1\t+12995551234\t104\t1234\tDeals\t2017-04-05 14:30:00 -0600\t\topt_in\t\t"
        "1990-12-31\triverside\n"
        + "pkB\tcrm-2\t+12995551235\t104\t1234\tDeals\t2017-04-05 14:30:00 -0600\t\topt_in\t\t"
        "12/31/1990\tmoon\n"
        + "pkC\tcrm-3\t+12995551236\t104\t1234\tDeals\t2017-04-05 14:30:00 -0600\t\topt_in\t\t"
        "\t\n"
    )
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 rows refused"):  # its exit status says so
        call_command("vibes_import_extract", str(path), stdout=out, stderr=err)
    assert "line 3" in err.getvalue()
    assert "birthday: must be a date as YYYY-MM-DD, not '12/31/1990'" in err.getvalue()
    assert "favorite_store: 'moon' is not one of its options" in err.getvalue()
    assert Person.objects.get(person_key="pkA").custom_fields == {
        "birthday": "1990-12-31",
        "favorite_store": "riverside",
    }
    assert not Person.objects.filter(person_key="pkB").exists()
    assert Person.objects.get(person_key="pkC").custom_fields == {}  # blank cells say nothing


@pytest.mark.django_db(transaction=True)
def test_a_key_vibes_sent_that_no_definition_names_is_never_pushed_back(vibes_simulator, published):
    CustomField.objects.create(key="first_name", label="First name")
    _status, remote = vibes_simulator.state.person_add({"mobile_phone": {"mdn": "+14155550150"}})
    person = services.person_create(
        source=Source.RECONCILE,
        person_key=remote.person_key,
        mdn="+14155550150",
        custom_fields={"shoe_size": "9"},  # the simulator's account has no such field
    )
    services.person_update(person=person, source=Source.ADMIN, custom_fields={"first_name": "Cy"})
    sent = send_pending(person)
    assert sent.request_body["custom_fields"] == {"first_name": "Cy"}
    assert vibes_simulator.state.person(remote.person_key).custom_fields == {"first_name": "Cy"}
    # Staff may drop the key here; Vibes is not asked to remove a field it does not know.
    services.person_update(person=person, source=Source.ADMIN, custom_fields={"shoe_size": None})
    assert send_pending(person).request_body["custom_fields"] == {"first_name": "Cy"}


def send_pending(person) -> PushAttempt:
    push = Push.objects.get(person=person, state=Push.State.PENDING)
    tasks.push_send(push.pk)
    assert Push.objects.get(pk=push.pk).state == Push.State.DONE
    attempt = PushAttempt.objects.filter(push=push).latest("id")
    assert attempt.http_status == 200
    return attempt
