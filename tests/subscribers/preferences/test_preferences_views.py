import re
import threading

import pytest
from django.db import connection
from django.test import Client, override_settings

from subscribers import services, suppression
from subscribers.models import (
    Source,
    Subscription,
    SubscriptionEvent,
    SuppressedNumber,
    SuppressionHit,
)
from subscribers.preferences import links
from tests.subscribers.preferences.prefs_helpers import make_world, snapshot

pytestmark = pytest.mark.django_db

UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)"


def status_of(world, sub_list):
    return Subscription.objects.get(person=world.person, subscription_list=sub_list).status


def lists_post(client, url, *, shown, checked, **extra):
    return client.post(
        f"{url}lists/",
        {
            "shown": [f"{lst.pk}:{int(was)}" for lst, was in shown],
            "list": [lst.pk for lst in checked],
        },
        HTTP_USER_AGENT=UA,
        REMOTE_ADDR="203.0.113.9",
        **extra,
    )


def test_page_shows_every_public_list_with_the_persons_state(client, world, url):
    response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    for name in ("Weekly deals", "Store events", "Order updates", "Catalogue"):
        assert name in body
    lists_section = body.split('id="lists-heading"')[1].split("</section>")[0]
    assert "Staff alerts" not in lists_section
    assert "One text a week with our best offers." in body
    assert "Subscribed" in body and "Not subscribed" in body
    assert "Can&#x27;t be added" in body and "replied “No”" in body
    assert "can&#x27;t be joined online" in body
    assert f'name="list" value="{world.orders.pk}"' not in body
    assert re.search(rf'id="list-{world.weekly.pk}" checked', body)
    assert "+1\u00a0•••\u00a0•••\u00a01234" in body
    assert "2995551234" not in body


def test_page_offers_only_editable_details_with_current_values(client, url):
    body = client.get(url).content.decode()
    assert 'name="d-first_name" value="Ana"' in body
    assert 'type="date" name="d-birthday"' in body
    assert '<option value="downtown" selected>Downtown</option>' in body
    assert 'name="d-interests" value="shoes"' in body
    assert "loyalty_tier" not in body and "gold" not in body


@pytest.mark.parametrize("how", ["tampered", "expired", "revoked", "garbage"])
def test_a_link_that_no_longer_works_gets_a_friendly_page_without_personal_data(
    client, world, url, how
):
    token = url.split("/")[2]
    if how == "tampered":
        token = token[:-3] + ("abc" if not token.endswith("abc") else "xyz")
    elif how == "revoked":
        services.person_revoke_links(person=world.person)
    elif how == "garbage":
        token = "not-a-token"
    with override_settings(PREFERENCE_LINK_MAX_AGE_DAYS=-1 if how == "expired" else 30):
        response = client.get(f"/preferences/{token}/")
        post = client.post(f"/preferences/{token}/stop/")
    body = response.content.decode()
    assert response.status_code == post.status_code == 404
    assert response["Referrer-Policy"] == "no-referrer"
    assert "This link no longer works" in body
    assert 'action="/preferences/new-link/"' in body
    assert "Ana" not in body and "1234" not in body and "Weekly" not in body
    assert status_of(world, world.weekly) == Subscription.Status.ACTIVE


def test_joining_a_list_asks_for_a_confirmation_text_and_records_evidence(client, world, url):
    response = lists_post(
        client,
        url,
        shown=[(world.weekly, 1), (world.events, 0)],
        checked=[world.weekly, world.events],
    )
    assert response.status_code == 302 and response["Location"] == url
    assert status_of(world, world.events) == Subscription.Status.PENDING
    event = SubscriptionEvent.objects.get(subscription_list=world.events)
    assert event.kind == SubscriptionEvent.Kind.OPTIN_REQUESTED
    assert event.source == Source.PREFERENCE_PAGE
    assert event.acquisition_campaign_id == "2342313"
    assert event.ip_address == "203.0.113.9" and event.user_agent == UA
    assert event.page == "/preferences/<token>/lists/"
    assert event.wording.startswith("Store events — Invitations to in-store events. (We'll text")
    assert status_of(world, world.weekly) == Subscription.Status.ACTIVE

    body = client.get(url).content.decode()
    assert (
        "We&#x27;ve sent a text to +1\u00a0•••\u00a0•••\u00a01234; reply Y to confirm Store events."
        in body
    )
    assert "Waiting for your confirmation text" in body
    assert "We&#x27;ve sent a text to +1\u00a0•••\u00a0•••\u00a01234; reply Y to confirm." in body


def test_a_double_submit_does_no_harm(client, world, url):
    form = {"shown": [(world.events, 0), (world.weekly, 1)], "checked": [world.events]}
    lists_post(client, url, **form)
    before = SubscriptionEvent.objects.count()
    lists_post(client, url, **form)
    assert SubscriptionEvent.objects.count() == before
    assert status_of(world, world.events) == Subscription.Status.PENDING
    assert status_of(world, world.weekly) == Subscription.Status.OPTED_OUT


def test_leaving_a_list_takes_effect_at_once_with_a_vibes_reason(client, world, url):
    lists_post(client, url, shown=[(world.weekly, 1)], checked=[])
    sub = Subscription.objects.get(person=world.person, subscription_list=world.weekly)
    assert sub.status == Subscription.Status.OPTED_OUT
    assert sub.opt_out_reason == "user_opt_out"
    event = SubscriptionEvent.objects.get(subscription_list=world.weekly, kind="opted_out")
    assert event.source == Source.PREFERENCE_PAGE and event.wording.startswith("Weekly deals")
    assert "won&#x27;t get texts from Weekly deals" in client.get(url).content.decode()


def test_the_form_changes_only_the_lists_it_showed(client, world, url):
    before = snapshot()
    # Weekly was not shown (absent from "shown"); staff alerts is not public; orders is a
    # rejected number and catalogue has no web campaign: none of them may change.
    response = lists_post(
        client,
        url,
        shown=[(world.staff, 1), (world.orders, 0), (world.offline, 0)],
        checked=[world.orders, world.offline],
    )
    assert response.status_code == 302
    assert snapshot() == before
    assert "Nothing to change" in client.get(url).content.decode()


def test_a_rejected_number_is_not_asked_again(client, world, url):
    lists_post(client, url, shown=[(world.orders, 0)], checked=[world.orders])
    assert status_of(world, world.orders) == Subscription.Status.REJECTED


def test_a_person_without_a_number_cannot_join_until_they_add_one(client, world):
    person = services.person_create(source=Source.ADMIN, external_person_id="crm-nonumber")
    url = links.preference_path(person)
    body = client.get(url).content.decode()
    assert "Add your mobile number below to join this list." in body
    lists_post(client, url, shown=[(world.events, 0)], checked=[world.events])
    assert not Subscription.objects.filter(person=person).exists()


def test_editing_details_goes_through_the_service_with_evidence(client, world, url):
    response = client.post(
        f"{url}details/",
        {
            "d-first_name": "  Anabel ",
            "d-birthday": "1990-04-05",
            "d-favorite_store": "airport",
            "d-interests": ["shoes", "coats"],
            "d-loyalty_tier": "platinum",
        },
        HTTP_USER_AGENT=UA,
    )
    assert response.status_code == 302
    world.person.refresh_from_db()
    assert world.person.custom_fields == {
        "first_name": "Anabel",
        "birthday": "1990-04-05",
        "favorite_store": "airport",
        "interests": ["shoes", "coats"],
        "loyalty_tier": "gold",
    }
    event = SubscriptionEvent.objects.filter(kind="details_changed").latest("id")
    assert event.source == Source.PREFERENCE_PAGE and event.wording == "Save my details"
    assert event.changes["custom_fields"][1]["first_name"] == "Anabel"
    assert world.person.last_change_source == Source.PREFERENCE_PAGE


def test_clearing_a_detail_removes_it(client, world, url):
    client.post(f"{url}details/", {"d-first_name": "", "d-favorite_store": "downtown"})
    world.person.refresh_from_db()
    assert "first_name" not in world.person.custom_fields
    assert world.person.custom_fields["favorite_store"] == "downtown"


@pytest.mark.parametrize(
    "field,value,error",
    [
        ("d-birthday", "05/04/1990x", "Enter a valid date."),
        ("d-favorite_store", "moon", "Select a valid choice."),
        ("d-interests", "hats", "Select a valid choice."),
        ("d-first_name", "x" * 201, "at most 200 characters"),
    ],
)
def test_invalid_details_are_explained_and_nothing_changes(client, url, field, value, error):
    before = snapshot()
    response = client.post(f"{url}details/", {"d-first_name": "Ana", field: value})
    assert response.status_code == 400
    body = response.content.decode()
    assert error in body and 'aria-invalid="true"' in body
    assert snapshot() == before


def test_unchanged_details_record_nothing(client, url):
    before = snapshot()
    client.post(f"{url}details/", {"d-first_name": "Ana", "d-favorite_store": "downtown"})
    assert snapshot() == before


def test_stop_all_asks_first_then_opts_out_of_everything(client, world, url):
    lists_post(
        client,
        url,
        shown=[(world.events, 0), (world.weekly, 1)],
        checked=[world.weekly, world.events],
    )
    before = snapshot()
    confirm = client.get(f"{url}stop/")
    assert confirm.status_code == 200 and "Yes, stop all texts" in confirm.content.decode()
    assert snapshot() == before
    response = client.post(f"{url}stop/", REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 302
    statuses = dict(
        Subscription.objects.filter(person=world.person).values_list(
            "subscription_list__name", "status"
        )
    )
    assert statuses == {
        "Weekly deals": "opted_out",
        "Store events": "opted_out",
        "Staff alerts": "opted_out",
        "Order updates": "rejected",
    }
    event = SubscriptionEvent.objects.filter(kind="opted_out").latest("id")
    assert event.opt_out_reason == "user_opt_out" and event.ip_address == "198.51.100.7"
    assert event.wording == (
        "You'll leave every list and we'll stop texting +1\u00a0•••\u00a0•••\u00a01234. "
        "You can join again later."
    )
    count = SubscriptionEvent.objects.count()
    client.post(f"{url}stop/")  # a double submit
    assert SubscriptionEvent.objects.count() == count
    body = client.get(url).content.decode()
    assert "nothing to stop" in body and "Stop all texts…" not in body


def test_stop_all_is_offered_for_a_list_the_page_does_not_show(client, world, url):
    lists_post(client, url, shown=[(world.weekly, 1)], checked=[])
    body = client.get(url).content.decode()
    assert "Stop all texts…" in body  # still on the non-public "Staff alerts"
    client.post(f"{url}stop/")
    assert status_of(world, world.staff) == Subscription.Status.OPTED_OUT


@pytest.mark.parametrize("suffix", ["lists/", "details/", "number/"])
def test_change_urls_refuse_get(client, url, suffix):
    before = snapshot()
    assert client.get(f"{url}{suffix}").status_code == 405
    assert snapshot() == before


@pytest.mark.parametrize("suffix", ["lists/", "details/", "number/", "stop/"])
def test_csrf_is_enforced_on_every_change(world, url, suffix):
    csrf_client = Client(enforce_csrf_checks=True)
    before = snapshot()
    data = {"shown": [f"{world.weekly.pk}:1"], "n-mdn": "+14155550132", "d-first_name": "Eve"}
    assert csrf_client.post(f"{url}{suffix}", data).status_code == 403
    assert snapshot() == before
    csrf_client.get(url)
    token = csrf_client.cookies["csrftoken"].value
    response = csrf_client.post(f"{url}{suffix}", {**data, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert snapshot() != before


def test_recent_changes_show_the_last_ten_in_words(client, world, url):
    for _ in range(6):
        lists_post(client, url, shown=[(world.events, 0)], checked=[world.events])
        lists_post(client, url, shown=[(world.events, 1)], checked=[])
    body = client.get(url).content.decode()
    history = body.split('id="history-heading"')[1]
    assert history.count("<li>") == 10
    assert "Left Store events <span>on this page</span>" in history
    assert "Asked to join Store events" in history


def test_the_page_speaks_spanish_when_the_browser_asks(client, world, url):
    lists_post(client, url, shown=[(world.events, 0)], checked=[world.events])
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5")
    body = response.content.decode()
    assert '<html lang="es">' in body
    assert "Tus preferencias de mensajes de texto" in body
    assert "Esperando tu mensaje de confirmación" in body
    assert "Suscrito" in body
    assert "Dejar de recibir todos los mensajes" in body
    assert "Accept-Language" in response["Vary"]
    invalid = client.get("/preferences/nope/", HTTP_ACCEPT_LANGUAGE="es")
    assert "Este enlace ya no funciona" in invalid.content.decode()


def test_admin_change_page_shows_the_link(admin_client, world):
    response = admin_client.get(f"/admin/subscribers/person/{world.person.pk}/change/")
    body = response.content.decode()
    match = re.search(r'href="(http://[^"]+/preferences/[^"]+/)"', body)
    assert match, "no preference link on the admin page"
    assert links.read_token(match.group(1).split("/")[-2]) == world.person


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_simultaneous_double_submits_record_each_change_once():
    """Two taps on "Save" arrive together: the person lock makes the second a no-op."""
    world = make_world()
    url = links.preference_path(world.person)

    def twice(path, data):
        barrier, results = threading.Barrier(2), []

        def submit():
            client = Client()
            barrier.wait()
            try:
                results.append(client.post(path, data).status_code)
            finally:
                connection.close()

        threads = [threading.Thread(target=submit) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert results == [302, 302]

    twice(
        f"{url}lists/",
        {"shown": [f"{world.weekly.pk}:1", f"{world.events.pk}:0"], "list": [world.events.pk]},
    )
    events = SubscriptionEvent.objects.filter(source=Source.PREFERENCE_PAGE)
    assert events.filter(kind="opted_out", subscription_list=world.weekly).count() == 1
    assert events.filter(kind="optin_requested", subscription_list=world.events).count() == 1
    twice(f"{url}stop/", {})
    assert events.filter(kind="opted_out", subscription_list=world.events).count() == 1
    assert events.filter(kind="opted_out", subscription_list=world.staff).count() == 1
    assert events.filter(kind="opted_out", subscription_list=world.weekly).count() == 1


def test_the_page_costs_the_same_queries_however_many_lists(client, world, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(20):
        sub_list = services.subscription_list_upsert(
            list_id=f"9{n:03d}", name=f"Extra {n}", acquisition_campaign_id="1", is_public=True
        )[0]
        services.subscription_activate(
            person=world.person, subscription_list=sub_list, source=Source.VIBES_CALLBACK
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
    print(f"preference page: {len(few)} queries")


def test_joining_with_an_erased_number_is_refused_and_said_so(client, world, url):
    # The number was erased from an earlier record; Vibes now names it for this person.
    SuppressedNumber.objects.create(number_hash=suppression.number_hash(world.person.mdn))
    response = lists_post(
        client,
        url,
        shown=[(world.weekly, 1), (world.events, 0)],
        checked=[world.weekly, world.events],
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    assert shown == ["We can't send texts to this number."]
    assert not Subscription.objects.filter(subscription_list=world.events).exists()
    hit = SuppressionHit.objects.get()
    assert (hit.what, hit.refused, hit.subscription_list) == ("sign-up refused", True, world.events)


def test_a_detail_vibes_sent_in_a_form_no_input_holds_is_not_offered_and_is_kept(
    client, world, url
):
    services.person_update(
        person=world.person,
        source=Source.VIBES_CALLBACK,
        custom_fields={"favorite_store": "moon", "birthday": "12/31/1990"},
    )
    body = client.get(url).content.decode()
    assert 'name="d-favorite_store"' not in body and 'name="d-birthday"' not in body
    # What the browser sends for the rest of the form, one field changed.
    client.post(f"{url}details/", {"d-first_name": "Anabel", "d-favorite_store": ""})
    world.person.refresh_from_db()
    assert world.person.custom_fields["first_name"] == "Anabel"
    assert world.person.custom_fields["favorite_store"] == "moon"
    assert world.person.custom_fields["birthday"] == "12/31/1990"
