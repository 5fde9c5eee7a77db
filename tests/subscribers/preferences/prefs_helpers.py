"""Shared set-up for the preference-page tests: lists, fields and a person on them."""

from dataclasses import dataclass

from subscribers import services
from subscribers.models import (
    CustomField,
    NumberProof,
    Person,
    Source,
    Subscription,
    SubscriptionEvent,
    SubscriptionList,
)
from tests import texts


@dataclass
class World:
    person: Person
    weekly: SubscriptionList
    events: SubscriptionList
    orders: SubscriptionList
    offline: SubscriptionList
    staff: SubscriptionList


def make_world() -> World:
    def lst(list_id, name, campaign, public, description=""):
        return services.subscription_list_upsert(
            list_id=list_id,
            name=name,
            acquisition_campaign_id=campaign,
            is_public=public,
            public_description=description,
        )[0]

    weekly = lst("1234", "Weekly deals", "2342312", True, "One text a week with our best offers.")
    events = lst("1235", "Store events", "2342313", True, "Invitations to in-store events.")
    orders = lst("1236", "Order updates", "2342314", True, "Shipping and pick-up notices.")
    offline = lst("1238", "Catalogue", "", True, "Only joinable by texting CAT.")
    staff = lst("1237", "Staff alerts", "", False)
    for pos, (key, label, ftype, options, editable) in enumerate(
        [
            ("first_name", "First name", "text", [], True),
            ("birthday", "Birthday", "date", [], True),
            (
                "favorite_store",
                "Favourite store",
                "single_select",
                [{"key": "downtown", "label": "Downtown"}, {"key": "airport", "label": "Airport"}],
                True,
            ),
            (
                "interests",
                "Interests",
                "multi_select",
                [{"key": "shoes", "label": "Shoes"}, {"key": "coats", "label": "Coats"}],
                True,
            ),
            ("loyalty_tier", "Loyalty tier", "text", [], False),
        ]
    ):
        CustomField.objects.create(
            key=key,
            label=label,
            field_type=ftype,
            options=options,
            subscriber_editable=editable,
            position=pos,
        )
    person, _ = services.person_upsert_from_vibes(
        identity=services.VibesIdentity(
            person_key="pk-1", external_person_id="crm-1", mdn="+12995551234"
        ),
        source=Source.IMPORT,
        custom_fields={"first_name": "Ana", "favorite_store": "downtown", "loyalty_tier": "gold"},
    )
    services.subscription_activate(
        person=person, subscription_list=weekly, source=Source.VIBES_CALLBACK
    )
    services.subscription_reject(
        person=person, subscription_list=orders, source=Source.VIBES_CALLBACK
    )
    services.subscription_activate(person=person, subscription_list=staff, source=Source.ADMIN)
    return World(person, weekly, events, orders, offline, staff)


def snapshot() -> tuple:
    """Everything a page could change, to prove that something did not."""
    return (
        list(Person.objects.order_by("pk").values()),
        list(Subscription.objects.order_by("pk").values()),
        SubscriptionEvent.objects.count(),
        NumberProof.objects.count(),
    )


def ask_and_prove(client, url: str, number: str, **extra):
    """Type a new number on the page, then the code texted to it; return the last answer."""
    texts.post_number(client, url, number, **extra)
    return client.post(f"{url}number/code/", {"c-code": texts.last_code()}, follow=True, **extra)
