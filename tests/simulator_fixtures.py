"""A ``vibes_simulator`` fixture for tests anywhere in the suite (a pytest plugin).

It starts a ``simulator.SimulatorServer`` on an ephemeral port with the demo lists and
campaigns (no persons), points this process's ``VIBES_*`` settings at it, and stops it
afterwards. A subprocess (a real Celery worker) gets the same settings from
``subprocess_env(**vibes_simulator.env())``.
"""

import pytest

from simulator import SimulatorServer


@pytest.fixture
def vibes_simulator(settings):
    sim = SimulatorServer(
        company_key="test-company",
        username="api@test-company.test",
        password="test-simulator-password",
        retry_backoff=0.05,
    ).start()
    sim.seed_demo(persons=0)
    for name, value in sim.env().items():
        setattr(settings, name, value)
    yield sim
    sim.stop()
