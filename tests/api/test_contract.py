"""The company API against its own schema: schemathesis generates requests from the
OpenAPI document the product serves (valid and invalid ones), sends them with a key to a
live server, and checks every answer: no 5xx, a documented status and content type, a body
that matches the schema, and invalid data refused with a 4xx.

Bounded and repeatable, as tests/simulator/test_contract.py: a few examples per
operation, derandomized, no shrinking.
"""

import pytest
import requests
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings

from api.keys import key_issue
from api.models import ApiClient, Scope
from subscribers import services
from subscribers.models import CustomField, Source
from tests.simulator.test_contract import CHECKS

CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"mode": "all", "max-examples": 15, "deterministic": True, "no-shrink": True},
        "phases": {"stateful": {"enabled": False}},
        "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
    }
)
schema = schemathesis.openapi.from_dict(
    SchemaGenerator().get_schema(request=None, public=True), config=CONFIG
)


@pytest.fixture
def session(transactional_db, settings):
    """A key with every scope, and a world with something to find: a list with a campaign,
    a person with an external id, a defined custom field."""
    settings.API_THROTTLE_RATE = "100000/min"
    settings.TEXT_LIMIT_PER_NUMBER = settings.TEXT_LIMIT_PER_PERSON = 100000
    settings.TEXT_LIMIT_PER_ADDRESS = 100000
    services.subscription_list_upsert(list_id="1234", name="Weekly", acquisition_campaign_id="c")
    CustomField.objects.create(key="first_name", label="First name")
    services.person_create(source=Source.ADMIN, mdn="+14155550132", external_person_id="crm-1")
    client = ApiClient.objects.create(name="contract", scopes=list(Scope.values))
    with requests.Session() as s:
        s.headers["Authorization"] = f"Bearer {key_issue(client=client)}"
        yield s


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=5000,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_meets_its_own_schema(case, live_server, session):
    case.call_and_validate(base_url=live_server.url, session=session, timeout=10)
