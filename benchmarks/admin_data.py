"""The admin benchmark's data, written in SQL: persons with their lists and history, and
one person with 10,000 history rows. Imported by bench_admin.py once Django is set up."""

from django.db import connection

from subscribers import services
from subscribers.models import CustomField, Person, Source

HEAVY_HISTORY = 10_000
FIRST = ["Ana", "Ben", "Chloé", "Dev", "Eli", "Fatima", "Gus", "Hana", "Ivan", "José", "Kim"]
LAST = ["Garcia", "Smith", "Nguyen", "Okafor", "Müller", "Rossi", "Kowalski", "Tanaka", "Diaz"]


def sql_array(values) -> str:
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def execute(sql: str, params=None) -> None:

    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def insert_persons(first: int, last: int) -> None:
    """Persons ``first``..``last``, their subscriptions and one history row each."""
    execute("SET synchronous_commit = off")
    execute(
        f"""
        INSERT INTO subscribers_person (person_key, vibes_person_id, external_person_id, mdn,
            pending_mdn, carrier_code, custom_fields, timezone, created_at, updated_at,
            sync_state, sync_error, last_change_source, last_change_at, link_version)
        SELECT 'bench-' || i, (5000000 + i)::text, 'crm-' || i,
            '+1299' || lpad(i::text, 7, '0'), '', '',
            jsonb_build_object(
                'first_name', ({sql_array(FIRST)})[1 + i %% {len(FIRST)}],
                'last_name', ({sql_array(LAST)})[1 + i %% {len(LAST)}] || (i %% 20000)),
            '', now(), now(),
            CASE WHEN i %% 97 = 0 THEN 'failed' WHEN i %% 13 = 0 THEN 'pending' ELSE 'in_sync' END,
            '',
            (ARRAY['vibes_callback','import','preference_page','admin','reconcile'])[1 + i %% 5],
            now() - make_interval(secs => i * 7), 1
        FROM generate_series(%s, %s) AS i
        """,  # noqa: S608 - only constants of this file are formatted in
        [first, last],
    )

    ids = [Person.objects.get(person_key=f"bench-{n}").pk for n in (first, last)]
    # Each person on one to four lists; one subscription in seven opted out.
    execute(
        """
        INSERT INTO subscribers_subscription (person_id, subscription_list_id, status,
            opt_in_date, opt_out_date, opt_out_reason, acquisition_campaign_id, last_event_at,
            created_at, updated_at)
        SELECT p.id, l.id,
            CASE WHEN (p.id + l.id) %% 7 = 0 THEN 'opted_out'
                 WHEN (p.id + l.id) %% 31 = 0 THEN 'pending' ELSE 'active' END,
            now() - make_interval(days => ((p.id * 7 + l.id) %% 1095)::int),
            CASE WHEN (p.id + l.id) %% 7 = 0
                 THEN now() - make_interval(days => ((p.id * 3 + l.id) %% 365)::int) END,
            CASE WHEN (p.id + l.id) %% 7 = 0 THEN 'user_opt_out' ELSE '' END,
            l.acquisition_campaign_id, now(), now(), now()
        FROM subscribers_person p
        JOIN subscribers_subscriptionlist l
          ON l.list_id = '1234' OR (l.list_id = '1235' AND p.id %% 2 = 0)
             OR (l.list_id = '1236' AND p.id %% 3 = 0) OR (l.list_id = '1237' AND p.id %% 10 = 0)
        WHERE p.id BETWEEN %s AND %s
        """,
        ids,
    )
    execute(
        """
        INSERT INTO subscribers_subscriptionevent (person_id, subscription_list_id, kind,
            source, occurred_at, recorded_at, opt_out_reason, acquisition_campaign_id,
            superseded, changes, user_agent, page, wording, note)
        SELECT s.person_id, s.subscription_list_id,
            CASE WHEN s.status = 'opted_out' THEN 'opted_out' ELSE 'opted_in' END,
            'vibes_callback', coalesce(s.opt_out_date, s.opt_in_date), now(), s.opt_out_reason,
            s.acquisition_campaign_id, false, '{}'::jsonb, '', '', '', ''
        FROM subscribers_subscription s
        WHERE s.person_id BETWEEN %s AND %s
        """,
        ids,
    )
    vacuum_analyze()


def vacuum_analyze() -> None:
    """What autovacuum does on a live database: statistics, and a visibility map that
    lets PostgreSQL answer counts from indexes alone (Django runs in autocommit here)."""
    execute("VACUUM ANALYZE")


def make_heavy_person(lists) -> int:
    """The person with 10,000 history rows, a tenth of them caused by stored callbacks."""
    for key, label in (("first_name", "First name"), ("last_name", "Last name")):
        CustomField.objects.get_or_create(key=key, defaults={"label": label})
    person = services.person_create(
        source=Source.ADMIN,
        mdn="+14155550132",
        external_person_id="heavy-1",
        custom_fields={"first_name": "Hilda", "last_name": "Heavy"},
    )
    execute(
        """
        INSERT INTO callbacks_callbackevent (received_at, method, body, headers, remote_addr,
            callback_type, event_id, callback_id, payload, dedupe_key, status, error, attempts,
            person_id, mdn, processed_at, event_date)
        SELECT now() - make_interval(hours => i), 'POST',
            '{"event_id": "H' || i || '", "callback_type": "subscription_added"}',
            '{}'::jsonb, '35.155.139.143', 'subscription_added', 'H' || i, '', '{}'::jsonb,
            'subscription_added:H' || i, 'applied', '', 1, %s, '+14155550132', now(), now()
        FROM generate_series(1, %s) AS i
        """,
        [person.pk, HEAVY_HISTORY // 10],
    )
    execute(
        """
        INSERT INTO subscribers_subscriptionevent (person_id, subscription_list_id, kind,
            source, occurred_at, recorded_at, opt_out_reason, acquisition_campaign_id,
            superseded, changes, ip_address, user_agent, page, wording, note, callback_id)
        SELECT %s, %s,
            CASE WHEN i %% 2 = 0 THEN 'opted_in' ELSE 'opted_out' END,
            CASE WHEN i %% 10 = 0 THEN 'vibes_callback' ELSE 'preference_page' END,
            now() - make_interval(mins => i * 13), now(), '', '2342312', i %% 17 = 0, '{}'::jsonb,
            '203.0.113.9', 'Mozilla/5.0 (iPhone)', '/preferences/x/', 'Yes, text me.', '',
            CASE WHEN i %% 10 = 0 THEN
                (SELECT id FROM callbacks_callbackevent WHERE event_id = 'H' || (i / 10)) END
        FROM generate_series(1, %s) AS i
        """,
        [person.pk, lists[0].pk, HEAVY_HISTORY - 1],
    )
    connection.close()
    return person.pk
