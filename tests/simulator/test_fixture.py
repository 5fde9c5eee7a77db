"""The ``vibes_simulator`` fixture points the product's settings at a fresh simulator."""

import requests
from django.conf import settings


def test_settings_point_at_the_simulator(vibes_simulator):
    assert vibes_simulator.url == settings.VIBES_API_URL
    answer = requests.get(
        f"{settings.VIBES_API_URL}/companies/{settings.VIBES_COMPANY_KEY}"
        "/mobiledb/subscription_lists",
        auth=(settings.VIBES_USERNAME, settings.VIBES_PASSWORD),
        headers={"X-API-Version": "2"},
        timeout=5,
    )
    assert [sl["id"] for sl in answer.json()] == ["1234", "1235", "1236", "1237"]
    assert vibes_simulator.state.persons == {}
    assert vibes_simulator.env()["VIBES_COMPANY_KEY"] == settings.VIBES_COMPANY_KEY
