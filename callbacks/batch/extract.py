"""Subscription Extract rows applied in batches, on the same rows in memory as callbacks.

An extract row is a subscription change from Vibes, as a ``subscription_added`` or
``subscription_removed`` callback is: ``rows_apply`` decides a run of them on one ``World``
by the rules ``decide`` mirrors (the person found or created as
``services.person_upsert_from_vibes`` does, the subscription as
``subscription_set_state`` sets it) and writes them together. A row naming a person the
compliance rules watch or one switching numbers (``route.persons_need_single``) is left
to the per-row path (``subscribers/repair/extract.py``): ``rows_apply`` stops before it.
"""

from collections import Counter
from dataclasses import dataclass

from subscribers.models import Source, Subscription, SubscriptionList

from .decide import subscription_decided
from .intents import Intent
from .route import persons_need_single
from .world import World

OPTED_IN, OPTED_OUT = "opted in", "opted out"
UNCHANGED = "unchanged"
SKIPPED = "skipped: a newer event is known"
NOTE = "subscription extract"  # on each history row a row records


@dataclass
class ExtractRow(Intent):
    """One good row of an extract: the subscription change, and where it came from."""

    line: int = 0
    list_name: str = ""


def rows_apply(rows: list[ExtractRow], *, lock: bool = True) -> tuple[list[str], Counter]:
    """Decide and write ``rows`` in order, up to the first the per-row path must take.

    Returns the outcome of each row applied (as many as were) and the counts of what else
    changed: persons and lists created."""
    world = World(rows, source=Source.IMPORT, lock=lock)
    outcomes, names = [], {}
    for row in rows:
        if persons_need_single(world.named(row.identity), world.watched, row.numbers()):
            break
        _person, _sub, applied, recorded = subscription_decided(world, row, note=NOTE)
        if row.list_name:
            names[row.list_id] = row.list_name[:200]
        if not applied:
            outcomes.append(SKIPPED)
        elif not recorded:
            outcomes.append(UNCHANGED)
        else:
            outcomes.append(OPTED_IN if row.status == Subscription.Status.ACTIVE else OPTED_OUT)
    world.changes.write()
    other = Counter(
        {
            "persons created": len(world.changes.new_persons),
            "lists created": len(world.lists_created),
        }
    )
    _rename(world.lists, names)
    return outcomes, +other


def _rename(lists: dict[str, SubscriptionList], names: dict[str, str]) -> None:
    """As ``services.subscription_list_upsert`` with the name the extract gives a list: the
    last row's, as row after row would leave it."""
    for list_id, name in names.items():
        sub_list = lists[list_id]
        if sub_list.name != name:
            sub_list.name = name
            sub_list.save(update_fields=["name", "updated_at"])
