"""The simulator against Vibes' own contract: schemathesis generates requests from the
OpenAPI excerpt (with tests/simulator/openapi_overlay.py), valid and invalid ones, and
checks every answer: no 5xx, a documented status, a documented content type, a body that
matches the documented schema, and invalid data refused with a 4xx.

Bounded and repeatable: a few examples per operation, derandomized, no shrinking, so the
whole run takes well under a minute and fails the same way twice.
"""

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings

from simulator import SimulatorServer
from tests.simulator.openapi_overlay import contract

COMPANY, USER, PASSWORD = "contract-co", "api@contract-co.test", "contract-pw"

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
)

CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"mode": "all", "max-examples": 12, "deterministic": True, "no-shrink": True},
        "phases": {"stateful": {"enabled": False}},
        "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
        # The account the credentials belong to: another key is the documented 403, and
        # fuzzing it would test nothing else.
        "parameters": {"company_key": COMPANY},
    }
)
schema = schemathesis.openapi.from_dict(contract(), config=CONFIG)


@pytest.fixture(scope="module")
def simulator():
    # The contract run floods on purpose: a rate limit far above it.
    sim = SimulatorServer(
        company_key=COMPANY, username=USER, password=PASSWORD, rate_limit=100_000
    ).start()
    sim.seed_demo(persons=20)
    yield sim
    sim.stop()


@pytest.fixture(scope="module")
def session():
    with requests.Session() as s:
        s.auth = (USER, PASSWORD)
        yield s


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=2000,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_simulator_meets_the_vibes_contract(case, simulator, session):
    case.call_and_validate(base_url=simulator.url, session=session, timeout=5)
