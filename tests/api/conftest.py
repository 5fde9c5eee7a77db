"""Fixtures of the company API's tests: clients with keys and scopes, lists, a caller."""

import pytest
from rest_framework.test import APIClient

from api.keys import key_issue
from api.models import ApiClient, Scope
from subscribers import services
from subscribers.models import SubscriptionList

ALL_SCOPES = list(Scope.values)


@pytest.fixture
def make_key(db):
    def make(name="checkout", scopes=ALL_SCOPES):
        client, _ = ApiClient.objects.get_or_create(name=name, defaults={"scopes": scopes})
        return key_issue(client=client)

    return make


@pytest.fixture
def api(make_key):
    """A DRF test client that sends a key with every scope."""
    caller = APIClient()
    caller.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key()}")
    return caller


@pytest.fixture
def weekly(db):
    sub_list, _ = services.subscription_list_upsert(
        list_id="1234", name="Weekly deals", acquisition_campaign_id="cmp-weekly"
    )
    return sub_list


@pytest.fixture
def news(db):
    sub_list, _ = services.subscription_list_upsert(
        list_id="1240", name="News", acquisition_campaign_id="cmp-news"
    )
    return sub_list


@pytest.fixture
def unjoinable(db):
    return SubscriptionList.objects.create(list_id="1299", name="Staff only")
