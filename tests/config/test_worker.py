import pytest

from config.celery import app

pytestmark = pytest.mark.services


def test_real_worker_consumes_from_redis(celery_worker_process):
    celery_worker_process.start()
    replies = app.control.ping(timeout=2)
    assert replies, "the worker answered no ping over Redis"
    assert app.conf.broker_url.startswith("redis://")
