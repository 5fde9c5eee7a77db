"""Trigram indexes for the admin's search by part of a number or name (PostgreSQL only:
subscribers/admin/filters.py person_search; SQLite scans, which is fine for development).

The expressions are the ones Django writes for ``mdn__contains`` and for
``Lower(KeyTextTransform(...))__contains``, so the planner can use them.
"""

from django.db import migrations

INDEXES = {
    "person_mdn_trgm_idx": "(mdn gin_trgm_ops)",
    "person_first_name_trgm_idx": "((lower(custom_fields ->> 'first_name')) gin_trgm_ops)",
    "person_last_name_trgm_idx": "((lower(custom_fields ->> 'last_name')) gin_trgm_ops)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON subscribers_person USING gin {expression}"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("subscribers", "0016_translations_opt_in_kind_full_numbers"),
    ]

    operations = [migrations.RunPython(create, drop)]
