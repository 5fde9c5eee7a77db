"""Erasure that is final, and one staff-queue row per suppressed number.

``Person.erased_at`` marks an erased person (filled here from their "erasure requested"
history row): nothing Vibes says is written to them again (subscribers/services/erasure.py).

A suppressed number named again keeps one open ``SuppressionHit`` however often it comes
back (``tries`` counts them): the open rows of a number are merged into its newest before
the constraint that says so is added.

The history trigger (0007_erasure) now also lets an erasure empty ``wording`` and
``note``: they may hold what the person texted (subscribers/services/revocation.py keeps
the text as evidence, a number refused by text quotes it in the note). Each may be emptied
or left as it was, in the same UPDATE that empties the other personal columns; every other
column must stay as it was, as before.
"""

from importlib import import_module

from django.conf import settings
from django.db import migrations, models
from django.db.models import Count, Min, Sum

TABLE = "subscribers_subscriptionevent"
ERASED = ("ip_address", "user_agent", "page", "changes", "wording", "note")

POSTGRES_FORWARD = f"""
CREATE OR REPLACE FUNCTION subscribers_history_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND NEW.ip_address IS NULL AND NEW.user_agent = '' AND NEW.page = ''
        AND NEW.changes = '{{}}'::jsonb
        AND (NEW.wording = '' OR NEW.wording = OLD.wording)
        AND (NEW.note = '' OR NEW.note = OLD.note)
        AND (to_jsonb(NEW) - ARRAY['ip_address', 'user_agent', 'page', 'changes', 'wording',
                                   'note'])
            = (to_jsonb(OLD) - ARRAY['ip_address', 'user_agent', 'page', 'changes', 'wording',
                                     'note'])
    THEN
        RETURN NEW;  -- an erasure: only the personal columns emptied
    END IF;
    RAISE EXCEPTION 'subscription history is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$;
DROP TRIGGER IF EXISTS subscriptionevent_append_only ON {TABLE};
CREATE TRIGGER subscriptionevent_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION subscribers_history_append_only();
"""


def sqlite_trigger(columns) -> str:
    """The SQLite trigger for a table with ``columns``: refuse an UPDATE unless it only
    empties the personal columns."""
    kept = " AND ".join(f'NEW."{c}" IS OLD."{c}"' for c in columns if c not in ERASED)
    return f"""
    CREATE TRIGGER subscriptionevent_no_update BEFORE UPDATE ON {TABLE}
    WHEN NOT (
        {kept}
        AND NEW.ip_address IS NULL AND NEW.user_agent = '' AND NEW.page = ''
        AND NEW.changes = '{{}}'
        AND (NEW."wording" = '' OR NEW."wording" IS OLD."wording")
        AND (NEW."note" = '' OR NEW."note" IS OLD."note")
    )
    BEGIN
        SELECT RAISE(ABORT, 'subscription history is append-only: UPDATE refused');
    END;
    """


def _columns(schema_editor) -> list[str]:
    with schema_editor.connection.cursor() as cursor:
        described = schema_editor.connection.introspection.get_table_description(cursor, TABLE)
    return [column.name for column in described]


def trigger_forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS subscriptionevent_no_update;")
        schema_editor.execute(sqlite_trigger(_columns(schema_editor)), params=None)


def trigger_backward(apps, schema_editor):
    import_module("subscribers.migrations.0007_erasure").forward(apps, schema_editor)


def erased_at_from_history(apps, schema_editor):
    Person = apps.get_model("subscribers", "Person")
    SubscriptionEvent = apps.get_model("subscribers", "SubscriptionEvent")
    first = (
        SubscriptionEvent.objects.filter(kind="erasure_requested")
        .values("person_id")
        .annotate(at=Min("occurred_at"))
    )
    for row in first.iterator():
        Person.objects.filter(pk=row["person_id"], erased_at__isnull=True).update(
            erased_at=row["at"]
        )


def merge_open_hits(apps, schema_editor):
    SuppressionHit = apps.get_model("subscribers", "SuppressionHit")
    open_hits = SuppressionHit.objects.filter(reviewed_at__isnull=True)
    repeated = (
        open_hits.values("suppressed_id").annotate(n=Count("id"), tries=Sum("tries")).filter(n__gt=1)
    )
    for row in repeated.iterator():
        rows = open_hits.filter(suppressed_id=row["suppressed_id"]).order_by("-seen_at", "-id")
        newest = rows.first()
        rows.exclude(pk=newest.pk).delete()
        SuppressionHit.objects.filter(pk=newest.pk).update(tries=row["tries"])


class Migration(migrations.Migration):

    dependencies = [
        ('subscribers', '0012_event_api_texts'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='person',
            name='erased_at',
            field=models.DateTimeField(blank=True, help_text="When the person's data was erased at their request. From then on nothing Vibes says is written to this record (subscribers/services/erasure.py).", null=True, verbose_name='erased'),
        ),
        migrations.AddField(
            model_name='suppressionhit',
            name='last_seen_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='last seen'),
        ),
        migrations.AddField(
            model_name='suppressionhit',
            name='tries',
            field=models.PositiveIntegerField(default=1, help_text='How often the number was named again while this row waited for review.', verbose_name='times named'),
        ),
        migrations.RunPython(erased_at_from_history, migrations.RunPython.noop),
        migrations.RunPython(merge_open_hits, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='suppressionhit',
            constraint=models.UniqueConstraint(condition=models.Q(('reviewed_at__isnull', True)), fields=('suppressed',), name='suppression_hit_open_once'),
        ),
        migrations.RunPython(trigger_forward, trigger_backward),
    ]
