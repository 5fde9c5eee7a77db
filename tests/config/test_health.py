import pytest

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker(client, settings, tmp_path):
    settings.CELERY_EMBEDDED_BROKER_DIR = tmp_path
    (tmp_path / "queue").mkdir()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True, "broker": True}


def test_healthz_is_503_when_the_broker_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] is False
