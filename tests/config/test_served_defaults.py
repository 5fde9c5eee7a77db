"""Safe without configuration, through gunicorn configured as a deployment that said
nothing more than it must: the monitoring figures closed without MONITORING_TOKEN, and
a client's X-Forwarded-Proto not taken for HTTPS when no proxy was configured."""

import pytest
import requests

from tests.servers import Served


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    # HTTPS_ONLY as a deployment gets it by default (on): plain http is redirected.
    # gunicorn itself believes X-Forwarded-Proto from its own host (forwarded_allow_ips,
    # for a proxy there); FORWARDED_ALLOW_IPS= makes this test's requests those of a
    # client elsewhere, so that what Django trusts is what is tested.
    folder = tmp_path_factory.mktemp("served")
    with Served(folder, workers=2, HTTPS_ONLY="1", FORWARDED_ALLOW_IPS="") as served:
        yield served


def get(site, path, **headers):
    return requests.get(site.url + path, headers=headers, allow_redirects=False, timeout=30)


def test_monitoring_figures_are_closed_without_a_token(site):
    https = {"X-Forwarded-Proto": "https"}
    for path in ("/metrics", "/healthz/stalls"):
        answer = get(site, path, **https)
        # Redirected to https (the header is not trusted), and never the figures.
        assert answer.status_code in (301, 404)
        assert "vibes_" not in answer.text and "problems" not in answer.text


def test_a_clients_forwarded_proto_is_not_taken_for_https(site):
    answer = get(site, "/admin/login/", **{"X-Forwarded-Proto": "https"})
    assert answer.status_code == 301
    assert answer.headers["Location"].startswith("https://")
