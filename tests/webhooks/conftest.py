import pytest

from tests.webhooks.receiver import Receiver
from webhooks.models import EventType, WebhookEndpoint
from webhooks.signing import secret_new


@pytest.fixture
def receiver():
    r = Receiver().start()
    yield r
    r.stop()


@pytest.fixture
def endpoint(db, receiver):
    """An endpoint for every event type, pointing at the test's receiver."""
    made = WebhookEndpoint.objects.create(
        url=receiver.url, event_types=list(EventType.values), secret=secret_new()
    )
    receiver.secret = made.secret
    return made
