"""The opt-in history refuses UPDATE and DELETE in the database, not only in Python.

The models refuse every ORM path (subscribers/models/history.py); this trigger refuses raw
SQL, a shell, a fixture loader or a bug that bypasses them. Nothing legitimately rewrites
or removes a history row: a person, list, staff user or callback with history cannot be
deleted (PROTECT), so no cascade reaches the table.

- PostgreSQL: a row trigger refuses UPDATE and DELETE (SQLSTATE 23001, which Django
  raises as IntegrityError). TRUNCATE is a separate privilege and is left alone: Django's
  test flush uses it.
- SQLite: a trigger refuses UPDATE. DELETE stays possible there, because Django's flush
  (between transactional tests) deletes every row and SQLite has no TRUNCATE. SQLite drops
  a table's triggers when a migration rebuilds the table, so
  tests/subscribers/services/test_history_append_only.py checks they are there.
"""

from django.db import migrations

TABLE = "subscribers_subscriptionevent"

POSTGRES_FORWARD = f"""
CREATE OR REPLACE FUNCTION subscribers_history_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'subscription history is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER subscriptionevent_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION subscribers_history_append_only();
"""
POSTGRES_BACKWARD = f"""
DROP TRIGGER IF EXISTS subscriptionevent_append_only ON {TABLE};
DROP FUNCTION IF EXISTS subscribers_history_append_only();
"""

SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER subscriptionevent_no_update BEFORE UPDATE ON {TABLE}
    BEGIN
        SELECT RAISE(ABORT, 'subscription history is append-only: UPDATE refused');
    END;
    """
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS subscriptionevent_no_update;"]


def _run(schema_editor, statements):
    for statement in statements:
        # No parameters: the PL/pgSQL body's "%" are its own placeholders, not the driver's.
        schema_editor.execute(statement, params=None)


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, [POSTGRES_FORWARD])
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_FORWARD)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, [POSTGRES_BACKWARD])
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("subscribers", "0002_marketing_group"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="subscriptionevent",
            options={
                "base_manager_name": "objects",
                "verbose_name": "history entry",
                "verbose_name_plural": "opt-in history",
            },
        ),
        migrations.RunPython(forward, backward),
    ]
