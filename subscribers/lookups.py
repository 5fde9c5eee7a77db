"""``field__any=values``: one array parameter instead of an ``IN`` list of thousands.

A batch (``callbacks/batch/world.py``) looks persons, subscriptions and numbers up by every
identifier it names, thousands at a time. Written as ``IN (%s, %s, …)``, Django and
psycopg spent longer building and quoting the statement than PostgreSQL took to run it;
``= ANY(%s)`` sends the values as one array. Other databases get the ``IN`` list.
"""

from django.db.models import Field, ForeignObject, Lookup


@Field.register_lookup
@ForeignObject.register_lookup
class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    @property
    def _field(self):
        field = self.lhs.output_field
        return field.target_field if field.is_relation else field  # a key: its target's

    def get_prep_lookup(self):
        return [self._field.get_prep_value(v) for v in self.rhs]

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        field = self._field
        values = [field.get_db_prep_value(v, connection, prepared=True) for v in self.rhs]
        if not values:
            return "1 = 0", []
        if connection.vendor == "postgresql":
            # The column's own type, so the index on it is used.
            return f"{lhs} = ANY(%s::{cast_type(field, connection)}[])", [*params, values]
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*params, *values]


def cast_type(field, connection) -> str:
    """The type a value sent for ``field`` is cast to: the column's own, but text for a
    ``varchar(n)`` (it compares as text, and a cast to it would cut a long value silently
    where storing it raises)."""
    db_type = field.db_type(connection)
    return "text" if db_type.startswith("varchar") else db_type
