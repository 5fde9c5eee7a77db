from datetime import UTC, datetime, timedelta

import pytest

from subscribers import services
from subscribers.models import Source
from subscribers.preferences.rows import history_rows

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_recent_changes_show_what_the_person_did_not_vibes_bookkeeping():
    person = services.person_create(source=Source.ADMIN, mdn="+14155550132", occurred_at=T0)
    deals = services.subscription_list_upsert(list_id="1234", name="Weekly deals")[0]
    services.subscription_request(
        person=person,
        subscription_list=deals,
        source=Source.PREFERENCE_PAGE,
        occurred_at=T0 + timedelta(minutes=1),
    )
    # Vibes' answers: the person_key learned by the push, then the opt-in twice over
    # (the push's SUBSCRIBED answer and the subscription_added callback).
    services.person_update(
        person=person, source=Source.PUSH, person_key="pk-1", occurred_at=T0 + timedelta(minutes=2)
    )
    for minutes, source, opt_in in ((3, Source.PUSH, None), (4, Source.VIBES_CALLBACK, T0)):
        services.subscription_activate(
            person=person,
            subscription_list=deals,
            source=source,
            occurred_at=T0 + timedelta(minutes=minutes),
            opt_in_date=opt_in,
        )
    services.subscription_cancel(
        person=person,
        subscription_list=deals,
        source=Source.ADMIN,
        occurred_at=T0 + timedelta(minutes=5),
        opt_out_reason="user_request",
    )
    services.subscription_cancel(
        person=person,
        subscription_list=deals,
        source=Source.VIBES_CALLBACK,
        occurred_at=T0 + timedelta(minutes=6),
        opt_out_reason="api_opt_out",
    )

    assert [(row.text, row.how) for row in history_rows(person)] == [
        ("Left Weekly deals", "by our team"),
        ("Joined Weekly deals", "by our texting service"),
        ("Asked to join Weekly deals", "on this page"),
        ("Details updated", "by our team"),
    ]
