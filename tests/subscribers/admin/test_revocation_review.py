"""The review queue as a Marketing user: texts that may be opt-outs, one click to confirm
(the same opt-out as a plain STOP, pushed to Vibes) or to dismiss."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from subscribers import services
from subscribers.models import (
    Push,
    RevocationReview,
    Source,
    Subscription,
    SubscriptionEvent,
)

from .admin_helpers import PASSWORD, T0

pytestmark = pytest.mark.django_db

QUEUE = "/admin/subscribers/revocationreview/"
ANA = "+14155550101"


@pytest.fixture
def ana(lists):
    person = services.person_create(source=Source.IMPORT, person_key="pk-ana", mdn=ANA)
    for sub_list in lists[:2]:
        services.subscription_activate(
            person=person, subscription_list=sub_list, source=Source.VIBES_CALLBACK, occurred_at=T0
        )
    return person


@pytest.fixture
def near_miss(ana):
    return services.revocation_review_open(
        text="please stop texting me",
        sent_at=T0 + timedelta(days=1),
        reason=RevocationReview.Reason.NEAR_MISS,
        mdn=ANA,
        person=ana,
    )


def decide(client, review, action):
    page = client.get(QUEUE)
    url = f"{QUEUE}{review.pk}/{action}/"
    assert f'formaction="{url}"'.encode() in page.content  # the button a click submits
    return client.post(url, {"csrfmiddlewaretoken": page.context["csrf_token"]}, follow=True)


def test_the_queue_shows_open_texts_oldest_first_with_both_buttons(marketing_client, near_miss):
    later = services.revocation_review_open(
        text="STOP", sent_at=T0 + timedelta(days=2), reason="unknown_number", mdn="+14155550199"
    )
    page = marketing_client.get(QUEUE)
    assert page.status_code == 200
    body = page.content.decode()
    assert body.index("please stop texting me") < body.index(">STOP<")
    assert body.count("Confirm opt-out") == 2 and body.count(">Dismiss<") == 2
    assert "+1 ••• ••• 0199" in body and "+14155550199" not in body  # numbers masked
    assert later.pk


def test_confirming_opts_out_of_every_list_as_the_text_and_pushes_it(
    marketing_client, near_miss, marketing_user, ana
):
    response = decide(marketing_client, near_miss, "confirm")
    assert response.status_code == 200
    assert "out of 2 list(s)" in response.content.decode()
    near_miss.refresh_from_db()
    assert near_miss.state == "confirmed" and near_miss.decided_by == marketing_user
    assert set(Subscription.objects.filter(person=ana).values_list("status", flat=True)) == {
        "opted_out"
    }
    rows = SubscriptionEvent.objects.filter(person=ana, kind="opted_out")
    assert {(r.source, r.staff_user, r.wording, r.opt_out_reason) for r in rows} == {
        (Source.TEXT_MESSAGE, marketing_user, "please stop texting me", "text_revocation")
    }
    assert {r.occurred_at for r in rows} == {near_miss.sent_at}
    assert Push.objects.filter(person=ana, kind=Push.Kind.SUBSCRIPTION).count() == 2
    # The confirmed text has left the open queue.
    assert "please stop texting me" not in marketing_client.get(QUEUE).content.decode()


def test_dismissing_changes_nothing_and_keeps_who_dismissed_it(marketing_client, near_miss, ana):
    response = decide(marketing_client, near_miss, "dismiss")
    assert "Dismissed: nothing changed." in response.content.decode()
    near_miss.refresh_from_db()
    assert near_miss.state == "dismissed" and near_miss.decided_at is not None
    assert set(Subscription.objects.filter(person=ana).values_list("status", flat=True)) == {
        "active"
    }
    assert not Push.objects.exists()
    shown = marketing_client.get(QUEUE + "?state=dismissed").content.decode()
    assert "please stop texting me" in shown and "mara" in shown


def test_a_second_click_is_told_the_text_was_decided(marketing_client, near_miss):
    decide(marketing_client, near_miss, "dismiss")
    again = marketing_client.post(f"{QUEUE}{near_miss.pk}/confirm/", follow=True)
    assert "Already dismissed" in again.content.decode()
    assert RevocationReview.objects.get().state == "dismissed"


def test_confirming_a_number_nobody_has_says_so_and_keeps_it_open(marketing_client):
    review = services.revocation_review_open(
        text="STOP", sent_at=T0, reason="unknown_number", mdn="+14155550199"
    )
    response = decide(marketing_client, review, "confirm")
    assert "Nobody here has this number" in response.content.decode()
    assert RevocationReview.objects.get().state == "open"


def test_confirming_a_number_added_since_opts_that_person_out(marketing_client, lists):
    review = services.revocation_review_open(
        text="STOP", sent_at=T0 + timedelta(days=1), reason="unknown_number", mdn=ANA
    )
    person = services.person_create(source=Source.IMPORT, mdn=ANA)
    services.subscription_activate(
        person=person, subscription_list=lists[0], source=Source.VIBES_CALLBACK, occurred_at=T0
    )
    decide(marketing_client, review, "confirm")
    assert Subscription.objects.get(person=person).status == "opted_out"
    assert RevocationReview.objects.get().person == person


def test_staff_without_the_permission_see_no_buttons_and_cannot_decide(client, near_miss):
    user = get_user_model().objects.create_user(username="viewer", password=PASSWORD, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename="view_revocationreview"))
    client.force_login(user)
    page = client.get(QUEUE)
    assert page.status_code == 200 and b"Confirm opt-out" not in page.content
    assert client.post(f"{QUEUE}{near_miss.pk}/confirm/").status_code == 403
    assert RevocationReview.objects.get().state == "open"


def test_a_get_never_decides(marketing_client, near_miss):
    assert marketing_client.get(f"{QUEUE}{near_miss.pk}/confirm/").status_code == 405
    assert RevocationReview.objects.get().state == "open"


def test_the_person_page_says_the_number_is_no_longer_valid(marketing_client, ana):
    services.person_number_dead(person=ana, reason="disconnect", occurred_at=T0 + timedelta(days=3))
    page = marketing_client.get(f"/admin/subscribers/person/{ana.pk}/change/")
    body = page.content.decode()
    assert "Number no longer valid" in body
    assert "The number was disconnected (disconnect)" in body and "fresh opt-in" in body


def test_numbers_no_longer_valid_show_who_holds_the_number_now(marketing_client, ana, lists):
    services.person_number_dead(person=ana, reason="disconnect", occurred_at=T0 + timedelta(days=3))
    newcomer = services.person_create(source=Source.VIBES_CALLBACK, person_key="pk-new", mdn=ANA)
    services.subscription_activate(
        person=newcomer,
        subscription_list=lists[2],
        source=Source.VIBES_CALLBACK,
        occurred_at=T0 + timedelta(days=9),
    )
    page = marketing_client.get("/admin/subscribers/deadnumber/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "The number was disconnected (disconnect)" in body
    assert f"/admin/subscribers/person/{newcomer.pk}/change/" in body and "1 open list(s)" in body
    assert f"/admin/subscribers/person/{ana.pk}/change/" not in body  # not the old owner
