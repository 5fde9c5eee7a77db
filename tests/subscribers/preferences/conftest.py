"""The preference tests' world: lists, custom fields and a person (prefs_helpers), and
that person's page."""

import pytest

from subscribers.preferences import links
from tests.subscribers.preferences.prefs_helpers import make_world


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def url(world):
    return links.preference_path(world.person)
