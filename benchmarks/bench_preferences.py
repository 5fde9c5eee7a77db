"""Benchmark (not part of the suite): `make bench-preferences`.

Prints how long the page takes to render and how close the two branches of the
"text me a new link" form are in time, before the padding evens them out.
"""

import statistics
import time

import pytest
from django.test import Client

from subscribers.preferences import link_requests, links
from tests.subscribers.preferences.prefs_helpers import make_world

pytestmark = pytest.mark.django_db


def timed(fn, n):
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def bench_preference_page_and_link_request(settings):
    floor = settings.PREFERENCE_LINK_REQUEST_MIN_SECONDS
    settings.PREFERENCE_LINK_REQUEST_MIN_SECONDS = 0
    settings.PREFERENCE_LINK_NUMBER_LIMIT = (10**9, 3600)
    world = make_world()
    client = Client()
    url = links.preference_path(world.person)
    page = timed(lambda: client.get(url), 200)
    known = timed(lambda: link_requests.request_link(mdn="+12995551234"), 500)
    unknown = timed(lambda: link_requests.request_link(mdn="+14155550199"), 500)
    print(f"\npreference page GET: median {page * 1000:.2f} ms")
    print(
        f"new-link request, unpadded: known {known * 1000:.3f} ms, unknown "
        f"{unknown * 1000:.3f} ms, ratio {known / unknown:.2f}"
    )
    print(
        f"every answer is padded to {floor} s, {floor / max(known, unknown):.0f}x the slower branch"
    )


test_bench = bench_preference_page_and_link_request  # collected only when run by path
