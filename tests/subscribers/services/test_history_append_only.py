"""The opt-in history is proof of consent: no path rewrites or removes a row of it.

Python refuses every ORM path (subscribers/models/history.py); the database refuses raw
SQL with a trigger (subscribers/migrations/0003_history_append_only.py): UPDATE and
DELETE on PostgreSQL, UPDATE on SQLite (where Django's test flush deletes rows).
"""

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models.deletion import ProtectedError

from subscribers.models import Person, SubscriptionEvent

pytestmark = pytest.mark.django_db

TABLE = SubscriptionEvent._meta.db_table


@pytest.fixture
def person():
    return Person.objects.create(mdn="+14155550132", person_key="PK1")


@pytest.fixture
def event(person):
    return SubscriptionEvent.objects.create(
        person=person,
        kind="opted_out",
        source="preference_page",
        occurred_at="2024-01-01T00:00Z",
        note="asked to stop",
    )


def assert_untouched(event):
    row = SubscriptionEvent.objects.values("kind", "note").get(pk=event.pk)
    assert row == {"kind": "opted_out", "note": "asked to stop"}


def test_a_new_instance_with_an_existing_pk_cannot_overwrite_the_row(person, event):
    forged = SubscriptionEvent(
        pk=event.pk,
        person=person,
        kind="opted_in",
        source="admin",
        occurred_at="2024-01-01T00:00Z",
        note="forged",
    )
    with pytest.raises(TypeError), transaction.atomic():
        forged.save()
    assert_untouched(event)


def test_a_new_instance_with_an_unused_pk_is_inserted(person, event):
    restored = SubscriptionEvent(
        pk=event.pk + 1000,
        person=person,
        kind="opted_in",
        source="admin",
        occurred_at="2024-01-01T00:00Z",
    )
    restored.save()
    assert SubscriptionEvent.objects.filter(pk=event.pk + 1000, kind="opted_in").exists()
    assert_untouched(event)


@pytest.mark.parametrize("manager", ["_base_manager", "_default_manager", "objects"])
def test_no_manager_updates_or_deletes_history(event, manager):
    rows = getattr(SubscriptionEvent, manager)
    with pytest.raises(TypeError):
        rows.filter(pk=event.pk).update(note="rewritten")
    with pytest.raises(TypeError):
        rows.filter(pk=event.pk).delete()
    with pytest.raises(TypeError):
        rows.all()._raw_delete(connection.alias)
    event.note = "rewritten"
    with pytest.raises(TypeError), transaction.atomic():  # bulk_update joins the transaction
        rows.bulk_update([event], ["note"])
    assert_untouched(event)


def test_update_or_create_cannot_rewrite_a_row(event):
    with pytest.raises(TypeError), transaction.atomic():
        SubscriptionEvent.objects.update_or_create(pk=event.pk, defaults={"note": "rewritten"})
    assert_untouched(event)


def test_a_person_with_history_cannot_be_deleted(person, event):
    with pytest.raises(ProtectedError):
        person.delete()
    assert_untouched(event)


def test_raw_sql_update_is_refused_by_the_database(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET note = %s WHERE id = %s", ["rewritten", event.pk])  # noqa: S608
    assert_untouched(event)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="on SQLite only UPDATE has a trigger: Django's test flush deletes every row",
)
def test_raw_sql_delete_is_refused_by_the_database(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [event.pk])  # noqa: S608
    assert_untouched(event)


def test_new_history_rows_are_still_written_through_raw_sql_and_the_orm(person, event):
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (person_id, kind, source, occurred_at, recorded_at,"  # noqa: S608
            " opt_out_reason, acquisition_campaign_id, superseded, changes, user_agent,"
            " page, wording, note) VALUES (%s, 'opted_in', 'admin', %s, %s, '', '', %s,"
            " '{}', '', '', '', '')",
            [person.pk, "2024-01-02T00:00Z", "2024-01-02T00:00Z", False],
        )
    assert SubscriptionEvent.objects.filter(person=person).count() == 2


# --- erasure: the one update the database lets through -----------------------------------


@pytest.fixture
def evidenced(person):
    return SubscriptionEvent.objects.create(
        person=person,
        kind="opted_in",
        source="preference_page",
        occurred_at="2024-01-01T00:00Z",
        ip_address="203.0.113.9",
        user_agent="Mozilla/5.0 (iPhone)",
        page="/p/abc/",
        changes={"mdn": [None, "+14155550132"]},
        note="joined",
    )


def test_erasure_empties_only_the_personal_columns(evidenced):
    assert SubscriptionEvent.objects.filter(pk=evidenced.pk).erase_personal() == 1
    row = SubscriptionEvent.objects.values().get(pk=evidenced.pk)
    assert (row["ip_address"], row["user_agent"], row["page"], row["changes"]) == (
        None,
        "",
        "",
        {},
    )
    assert (row["kind"], row["source"], row["note"]) == ("opted_in", "preference_page", "joined")
    # Twice is harmless: the columns are empty already.
    assert SubscriptionEvent.objects.filter(pk=evidenced.pk).erase_personal() == 1


@pytest.mark.parametrize(
    ("assignments", "values"),
    [
        # Emptying the personal columns while also rewriting another one.
        ("ip_address = NULL, user_agent = '', page = '', changes = '{}', note = %s", ["forged"]),
        ("ip_address = NULL, user_agent = '', page = '', changes = '{}', kind = %s", ["opted_out"]),
        (
            "ip_address = NULL, user_agent = '', page = '', changes = '{}', occurred_at = %s",
            ["2030-01-01T00:00Z"],
        ),
        # Rewriting a personal column instead of emptying it.
        ("ip_address = %s", ["198.51.100.1"]),
        ("changes = %s, ip_address = NULL, user_agent = '', page = ''", ['{"mdn": [1, 2]}']),
        # Emptying only some of them.
        ("ip_address = NULL", []),
    ],
)
def test_any_other_update_is_still_refused_by_the_database(evidenced, assignments, values):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET {assignments} WHERE id = %s", [*values, evidenced.pk])  # noqa: S608
    row = SubscriptionEvent.objects.values("ip_address", "note", "kind").get(pk=evidenced.pk)
    assert row == {"ip_address": "203.0.113.9", "note": "joined", "kind": "opted_in"}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite trigger names columns")
def test_the_sqlite_trigger_covers_every_column_of_the_table():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s",
            ["subscriptionevent_no_update"],
        )
        (sql,) = cursor.fetchone()
        columns = [c.name for c in connection.introspection.get_table_description(cursor, TABLE)]
    for column in columns:
        assert f'"{column}"' in sql or column in ("ip_address", "user_agent", "page", "changes")
