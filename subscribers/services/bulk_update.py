"""``rows_update``: Django's ``bulk_update`` in one ``UPDATE … FROM (VALUES …)`` statement.

``QuerySet.bulk_update`` writes ``SET field = CASE WHEN id = 1 THEN … WHEN id = 2 …`` for
every field, as expressions Django builds and resolves one by one: for a batch of 500
subscriptions that was most of the time a batch took (``make bench-apply``), and the
database then walks each CASE per row. On PostgreSQL the same rows are written here as a
table of values joined on the primary key; other databases keep ``bulk_update``.

Like any statement it fires no signal, so nothing it writes is pushed: it is for changes
from Vibes (``services.bulk.BulkChanges`` takes no other source), and it writes through
the plain base manager, past ``PersonQuerySet``'s refusal of pushed fields.
"""

from django.db import connection

from ..lookups import cast_type

ROWS_PER_STATEMENT = 1000


def rows_update(model, rows: list, fields: list[str]) -> None:
    """Save ``fields`` of the model instances ``rows`` (each with its primary key)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model._base_manager.bulk_update(rows, fields, batch_size=500)
        return
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    pk = meta.pk
    typed = [(f, cast_type(f, connection)) for f in (pk, *columns)]
    row_sql = "(" + ", ".join(f"%s::{db_type}" for _f, db_type in typed) + ")"
    names = ", ".join(connection.ops.quote_name(f.column) for f, _t in typed)
    assignments = ", ".join(
        f"{connection.ops.quote_name(f.column)} = v.{connection.ops.quote_name(f.column)}"
        for f in columns
    )
    table = connection.ops.quote_name(meta.db_table)
    key = connection.ops.quote_name(pk.column)
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        chunk = rows[start : start + ROWS_PER_STATEMENT]
        params = []
        for row in chunk:
            params.append(pk.get_db_prep_save(row.pk, connection))
            for field in columns:
                params.append(field.get_db_prep_save(getattr(row, field.attname), connection))
        sql = (
            f"UPDATE {table} AS t SET {assignments} "  # noqa: S608 (names from the model)
            f"FROM (VALUES {', '.join([row_sql] * len(chunk))}) AS v({names}) "
            f"WHERE t.{key} = v.{key}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
