"""Compliance in the admin, as a Marketing user: erasing a person, the suppressed numbers
named again, and the open opt-outs with what holds them."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from subscribers import services
from subscribers.models import (
    OptOutDeadline,
    Person,
    Push,
    Source,
    SubscriptionEvent,
    SuppressionHit,
)

from .admin_helpers import person_with_story

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/subscribers/person/"


@pytest.fixture
def ana(lists):
    return person_with_story(lists, n=1, first="Ana", last="Garcia")


@pytest.fixture
def eraser(marketing_user):
    marketing_user.user_permissions.add(Permission.objects.get(codename="erase_person"))
    return marketing_user


def test_marketing_cannot_erase_without_the_erase_permission(marketing_client, ana):
    page = marketing_client.get(CHANGELIST)
    choices = [name for name, _ in page.context["action_form"].fields["action"].choices]
    assert "erase" not in choices
    assert marketing_client.get(f"{CHANGELIST}{ana.pk}/erase/").status_code == 403
    change = marketing_client.get(f"{CHANGELIST}{ana.pk}/change/").content.decode()
    assert "/erase/" not in change
    assert Person.objects.get(pk=ana.pk).mdn


def test_erasing_from_the_change_page_asks_why_and_for_the_word_erase(
    marketing_client, eraser, ana
):
    url = f"{CHANGELIST}{ana.pk}/erase/"
    assert "/erase/" in marketing_client.get(f"{CHANGELIST}{ana.pk}/change/").content.decode()
    page = marketing_client.post(url, {"apply": "1", "note": "asked by email", "confirm": "no"})
    assert page.status_code == 200 and "Type ERASE" in page.content.decode()
    assert Person.objects.get(pk=ana.pk).mdn  # nothing happened yet
    done = marketing_client.post(url, {"apply": "1", "note": "asked by email", "confirm": "erase"})
    assert done.status_code == 302 and done["Location"] == f"{CHANGELIST}{ana.pk}/change/"
    ana.refresh_from_db()
    assert ana.mdn == "" and ana.custom_fields == {} and ana.external_person_id is None
    row = SubscriptionEvent.objects.get(person=ana, kind="erasure_requested")
    assert (row.staff_user, row.source, row.note) == (eraser, Source.ADMIN, "asked by email")
    assert Push.objects.filter(person=ana, kind=Push.Kind.ERASURE).exists()
    # The change page of the erased record still opens, with its history.
    assert marketing_client.get(f"{CHANGELIST}{ana.pk}/change/").status_code == 200


def test_the_erase_action_on_the_changelist(marketing_client, eraser, lists):
    people = [person_with_story(lists, n=n) for n in (3, 4)]
    data = {"action": "erase", "_selected_action": [p.pk for p in people], "index": 0}
    confirm = marketing_client.post(CHANGELIST, data)
    assert confirm.status_code == 200 and "Erase 2 persons" in confirm.content.decode()
    marketing_client.post(CHANGELIST, {**data, "apply": "1", "note": "GDPR", "confirm": "ERASE"})
    assert Person.objects.filter(pk__in=[p.pk for p in people], mdn="").count() == 2


def test_a_number_named_again_shows_on_the_index_and_is_reviewed_in_one_click(
    marketing_client, eraser, ana, lists
):
    number = ana.mdn
    services.person_erase(person=ana, source=Source.ADMIN)
    services.person_create(source=Source.ADMIN, mdn=number)
    index = marketing_client.get("/admin/").content.decode()
    assert "Erased numbers named again" in index
    listing = marketing_client.get("/admin/subscribers/suppressionhit/?reviewed_at__isempty=1")
    assert listing.status_code == 200 and "new person" in listing.content.decode()
    hit = SuppressionHit.objects.get()
    marketing_client.post(
        "/admin/subscribers/suppressionhit/",
        {"action": "mark_reviewed", "_selected_action": [hit.pk], "index": 0},
    )
    hit.refresh_from_db()
    assert hit.reviewed_at and hit.reviewed_by == eraser
    assert "Erased numbers named again" not in marketing_client.get("/admin/").content.decode()


def test_open_opt_outs_oldest_first_with_age_and_what_holds_them(marketing_client, lists):
    late = person_with_story(lists, n=5)
    fresh = person_with_story(lists, n=6)
    long_ago = timezone.now() - timedelta(hours=3)
    for person, when in ((fresh, timezone.now()), (late, long_ago)):
        services.subscription_cancel(
            person=person,
            subscription_list=lists[2],
            source=Source.ADMIN,
            occurred_at=when,
            opt_out_reason="complaint",
        )
    Push.objects.filter(person=late, subscription_list=lists[2]).update(
        state=Push.State.STOPPED, last_error="Vibes answered 422"
    )
    page = marketing_client.get("/admin/subscribers/optoutdeadline/")
    assert page.status_code == 200
    rows = list(page.context["cl"].result_list)
    assert [r.person_id for r in rows][:2] == [late.pk, fresh.pk]
    html = page.content.decode()
    assert "push stopped: needs staff: Vibes answered 422" in html
    assert "push waiting to be sent" in html
    assert "3\xa0hours" in html
    index = marketing_client.get("/admin/").content.decode()
    assert "Opt-outs Vibes has not confirmed within the target" in index
    assert OptOutDeadline.objects.filter(confirmed_at__isnull=True).count() >= 2


def test_typing_the_erased_number_back_on_the_erased_record_is_flagged(
    marketing_client, eraser, ana, texted_codes
):
    number = ana.mdn
    services.person_erase(person=ana, source=Source.ADMIN)
    marketing_client.post(f"{CHANGELIST}{ana.pk}/number/", {"mdn": number})
    hit = SuppressionHit.objects.get()
    assert (hit.what, hit.person_id, hit.source) == ("code text refused", ana.pk, Source.ADMIN)
    assert not texted_codes and Person.objects.get(pk=ana.pk).mdn == ""


def test_an_erased_number_typed_as_someones_new_number_gets_no_code(
    marketing_client, eraser, ana, lists, texted_codes
):
    number = ana.mdn
    services.person_erase(person=ana, source=Source.ADMIN)
    ben = person_with_story(lists, n=7, first="Ben", last="Okafor")
    answer = marketing_client.post(f"{CHANGELIST}{ben.pk}/number/", {"mdn": number})
    assert "We can&#x27;t send texts to this number." in answer.text
    assert not texted_codes
    assert Person.objects.get(pk=ben.pk).pending_mdn == ""
    hit = SuppressionHit.objects.get()
    assert (hit.what, hit.refused, hit.person_id) == ("code text refused", True, ben.pk)
