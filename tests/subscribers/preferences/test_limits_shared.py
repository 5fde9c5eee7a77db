"""The text limits hold across every web process (subscribers/limits.py, config/cache.py):
gunicorn with four workers, configured as a deployment with nothing said about a cache,
asked for new numbers from one preference link in parallel."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.conf import settings

from tests.servers import Served, form_token

SETUP = """
from subscribers import services
from subscribers.models import Source
from subscribers.preferences import links
weekly = services.subscription_list_upsert(
    list_id="1234", name="Weekly deals", acquisition_campaign_id="2342312", is_public=True
)[0]
person = services.person_create(source=Source.ADMIN, mdn="+14155550100")
services.subscription_activate(
    person=person, subscription_list=weekly, source=Source.VIBES_CALLBACK
)
print(links.preference_path(person))
"""
CODES_SENT = "from subscribers.models import NumberProof; print(NumberProof.objects.count())"


def ask_number(base: str, page: str, number: str) -> int:
    """One visitor: opens the page, types a new number; the answer's status."""
    with requests.Session() as visitor:
        shown = visitor.get(base + page, timeout=30)
        assert shown.status_code == 200, shown.text[:300]
        token = form_token(shown.text)
        answer = visitor.post(
            f"{base}{page}number/",
            {"n-mdn": number, "csrfmiddlewaretoken": token},
            allow_redirects=False,
            timeout=30,
        )
        return answer.status_code


def asked_in_parallel(site: Served, page: str, numbers: list[str]) -> list[int]:
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda n: ask_number(site.url, page, n), numbers))


CACHES = [
    pytest.param({}, id="database"),
    pytest.param(
        {"REDIS_URL": settings.REDIS_URL},
        id="redis",
        marks=pytest.mark.services,
    ),
]


@pytest.mark.parametrize("cache_env", CACHES)
def test_four_gunicorn_workers_send_one_link_only_its_daily_few_codes(tmp_path, cache_env):
    limit = 5
    with Served(tmp_path, workers=4, TEXT_LIMIT_PER_PERSON=limit, **cache_env) as site:
        site.shell("from django.core.cache import cache; cache.clear()")
        page = site.shell(SETUP).strip()
        numbers = [f"+1415555{n:04d}" for n in range(200, 224)]
        answers = asked_in_parallel(site, page, numbers)
        assert sorted(answers) == [302] * limit + [429] * (len(numbers) - limit), site.log()
        assert site.shell(CODES_SENT).strip() == str(limit)
        # Another process (a restart, a new worker) still counts what was sent.
        assert ask_number(site.url, page, "+14155550299") == 429
