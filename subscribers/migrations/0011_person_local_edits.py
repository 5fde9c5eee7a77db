"""Person.local_edits: when each pushed field last changed here, for the echo rule
(subscribers/rules/echo.py). Filled from the history of local details changes, which is
what the rule read before, so edits made before this migration stay protected."""

from django.db import migrations, models

FROM_VIBES = ("vibes_callback", "import", "reconcile", "push")
PUSHED = ("mdn", "external_person_id")


def stamps(changes: dict) -> list[str]:
    fields = [f for f in PUSHED if f in changes]
    pair = changes.get("custom_fields")
    if isinstance(pair, list) and len(pair) == 2:
        old, new = pair[0] or {}, pair[1] or {}
        if isinstance(old, dict) and isinstance(new, dict):
            fields += [f"custom_fields.{k}" for k in old | new if old.get(k) != new.get(k)]
    return fields


def backfill(apps, schema_editor):
    Person = apps.get_model("subscribers", "Person")
    SubscriptionEvent = apps.get_model("subscribers", "SubscriptionEvent")
    edits: dict[int, dict] = {}
    rows = (
        SubscriptionEvent.objects.filter(kind="details_changed")
        .exclude(source__in=FROM_VIBES)
        .order_by("occurred_at")
        .values_list("person_id", "occurred_at", "changes")
    )
    for person_id, when, changes in rows.iterator(chunk_size=2000):
        for field in stamps(changes or {}):
            edits.setdefault(person_id, {})[field] = when.isoformat()
    for person_id, stamped in edits.items():
        Person.objects.filter(pk=person_id).update(local_edits=stamped)


class Migration(migrations.Migration):
    dependencies = [
        ("subscribers", "0010_pending_expiry"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="local_edits",
            field=models.JSONField(
                blank=True, default=dict, editable=False, verbose_name="local edits"
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
