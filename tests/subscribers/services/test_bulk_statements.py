"""The two statement helpers batches write and read with: ``rows_update`` and ``__any``."""

from datetime import UTC, datetime

import pytest
from django.db import DataError, connection, transaction

from subscribers import services
from subscribers.models import Person, Source, Subscription
from subscribers.services.bulk_update import rows_update

pytestmark = pytest.mark.django_db

WHEN = datetime(2024, 3, 1, 12, 30, tzinfo=UTC)


def persons(n: int) -> list[Person]:
    return [
        services.person_create(source=Source.IMPORT, person_key=f"pk-{i}", mdn=f"+1299555{i:04d}")
        for i in range(n)
    ]


def test_rows_update_writes_each_rows_own_values_and_nothing_else():
    a, b, c = persons(3)
    a.timezone, a.custom_fields, a.vibes_updated_at = "Europe/Paris", {"tier": "gold"}, WHEN
    b.timezone, b.custom_fields, b.vibes_updated_at = "", {}, None
    c.timezone = "Asia/Tokyo"
    rows_update(Person, [a, b], ["timezone", "custom_fields", "vibes_updated_at"])
    got = {p.person_key: p for p in Person.objects.all()}
    assert (got["pk-0"].timezone, got["pk-0"].custom_fields) == ("Europe/Paris", {"tier": "gold"})
    assert got["pk-0"].vibes_updated_at == WHEN
    assert (got["pk-1"].timezone, got["pk-1"].vibes_updated_at) == ("", None)
    assert got["pk-2"].timezone == ""
    rows_update(Person, [], ["timezone"])  # nothing to write: no statement


def test_rows_update_refuses_a_value_too_long_rather_than_cutting_it():
    """(SQLite keeps any length, so this holds on PostgreSQL.)"""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite does not enforce a column's length")
    (a,) = persons(1)
    sub_list = services.subscription_list_upsert(list_id="L1")[0]
    services.subscription_activate(
        person=a, subscription_list=sub_list, source=Source.IMPORT, occurred_at=WHEN
    )
    sub = Subscription.objects.get()
    sub.opt_out_reason = "x" * 65
    with pytest.raises(DataError), transaction.atomic():
        rows_update(Subscription, [sub], ["opt_out_reason"])
    assert Subscription.objects.get().opt_out_reason == ""


def test_any_matches_the_values_given_by_field_and_by_key_and_nothing_for_none():
    a, b, c = persons(3)
    assert set(Person.objects.filter(person_key__any=["pk-0", "pk-2", "nobody"])) == {a, c}
    assert not Person.objects.filter(person_key__any=[]).exists()
    sub_list = services.subscription_list_upsert(list_id="L1")[0]
    for p in (a, b):
        services.subscription_activate(
            person=p, subscription_list=sub_list, source=Source.IMPORT, occurred_at=WHEN
        )
    subs = Subscription.objects.filter(person_id__any={b.pk, c.pk})
    assert [s.person_id for s in subs] == [b.pk]
