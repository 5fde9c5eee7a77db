"""Staff defaults that do no harm: no opt-out scope or reason chosen for staff, reasons
in words, the history where staff look first."""

import re

import pytest

from subscribers import services
from subscribers.models import Source, Subscription, SubscriptionEvent

from .admin_helpers import person_with_story

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(lists):
    person = person_with_story(lists, n=1, first="Ana", last="Garcia")
    services.subscription_activate(person=person, subscription_list=lists[0], source=Source.ADMIN)
    return person


def opt_out_url(person):
    return f"/admin/subscribers/person/{person.pk}/opt-out/"


def change_url(person):
    return f"/admin/subscribers/person/{person.pk}/change/"


def options(html: str, name: str) -> list[tuple[str, bool]]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [
        (value, " selected" in attrs)
        for value, attrs in re.findall(r'<option value="([^"]*)"([^>]*)>', select)
    ]


def test_the_opt_out_form_starts_with_no_list_and_no_reason_chosen(marketing_client, ana):
    html = marketing_client.get(opt_out_url(ana)).content.decode()
    for name in ("subscription_list", "reason"):
        choices = options(html, name)
        assert choices[0] == ("", True), (name, choices)  # a prompt, not a choice
        assert not any(selected for value, selected in choices[1:]), (name, choices)
    scopes = [value for value, _ in options(html, "subscription_list")]
    assert scopes[-1] == "all"  # the widest choice last, away from the prompt
    assert "Choose a list, or all lists" in html


@pytest.mark.parametrize(
    ("posted", "error"),
    [
        ({"reason": "complaint"}, "Choose which list to opt this person out of, or all lists."),
        ({"subscription_list": "all"}, "Choose why."),
    ],
)
def test_opting_out_without_choosing_changes_nothing_and_says_what_is_missing(
    marketing_client, lists, ana, posted, error
):
    response = marketing_client.post(opt_out_url(ana), {"apply": "1", **posted})
    assert response.status_code == 200
    assert error in response.content.decode()
    assert Subscription.objects.get(person=ana, subscription_list=lists[0]).status == "active"
    assert not SubscriptionEvent.objects.filter(person=ana, source=Source.ADMIN, kind="opted_out")


def test_reasons_show_in_words_with_the_code_beside_them(marketing_client, lists, ana):
    services.subscription_cancel(
        person=ana,
        subscription_list=lists[1],
        source=Source.VIBES_CALLBACK,
        opt_out_reason="api_opt_out",
    )
    services.subscription_cancel(
        person=ana,
        subscription_list=lists[0],
        source=Source.VIBES_CALLBACK,
        opt_out_reason="brand_new_vibes_reason",
    )
    html = marketing_client.get(change_url(ana)).content.decode()
    inline = html[html.index('id="subscriptions-group"') :]
    inline = inline[: inline.index("</fieldset>")]
    assert "Opted out through the API (api_opt_out)" in inline
    assert "brand_new_vibes_reason" in inline  # unknown: kept as sent
    timeline = html[html.index('id="opt-in-history"') :]
    assert "Reason: Opted out through the API (<code>api_opt_out</code>)" in timeline
    assert "Reason: Texted a list&#x27;s opt-out keyword (<code>keyword_opt_out</code>)" in timeline
    assert "Reason: <code>brand_new_vibes_reason</code>" in timeline


def test_the_history_list_filters_reasons_by_their_words(marketing_client, lists, ana):
    response = marketing_client.get("/admin/subscribers/subscriptionevent/")
    html = response.content.decode()
    assert "Texted a list&#x27;s opt-out keyword (keyword_opt_out)" in html
    filtered = marketing_client.get(
        "/admin/subscribers/subscriptionevent/", {"opt_out_reason": "keyword_opt_out"}
    )
    shown = {event.opt_out_reason for event in filtered.context["cl"].result_list}
    assert shown == {"keyword_opt_out"}


def test_the_person_page_shows_lists_and_history_before_the_edit_form(marketing_client, ana):
    html = marketing_client.get(change_url(ana)).content.decode()
    subscriptions = html.index('id="subscriptions-group"')
    history = html.index('id="opt-in-history"')
    details = html.index('name="external_person_id"')
    save = html.index('name="_save"')
    assert subscriptions < history < details < save
    assert 'href="#person-details"' in html  # the object tools jump to the form


def test_a_history_rows_own_page_shows_its_reason_in_words(marketing_client, ana):
    event = SubscriptionEvent.objects.get(person=ana, opt_out_reason="keyword_opt_out")
    html = marketing_client.get(
        f"/admin/subscribers/subscriptionevent/{event.pk}/change/"
    ).content.decode()
    assert "Texted a list&#x27;s opt-out keyword (keyword_opt_out)" in html
