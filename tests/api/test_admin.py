"""Staff manage API clients and webhook endpoints in the admin: a new key or secret is
shown once and stored only as it must be; keys are rotated and revoked; deliveries are
replayed and a disabled endpoint enabled again."""

import pytest
from django.contrib.auth import get_user_model

from api.keys import digest, key_client
from api.models import ApiClient, ApiKey
from subscribers import services
from subscribers.models import Source, SubscriptionList
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw-7c1f-long")
    client.force_login(user)
    return client


def shown_secret(response) -> str:
    html = response.content.decode()
    start = html.index('readonly size="70" value="') + len('readonly size="70" value="')
    return html[start : html.index('"', start)]


def test_a_new_client_s_key_is_shown_once_and_kept_only_as_a_digest(staff):
    response = staff.post(
        "/admin/api/apiclient/add/",
        {
            "name": "checkout",
            "scopes": ["consent:read", "subscriptions:write"],
            "is_active": "on",
            "keys-TOTAL_FORMS": "0",
            "keys-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = shown_secret(response)
    client = ApiClient.objects.get(name="checkout")
    assert client.scopes == ["consent:read", "subscriptions:write"]
    assert key_client(key) == client
    assert ApiKey.objects.get().key_hash == digest(key)
    page = staff.get(f"/admin/api/apiclient/{client.pk}/change/").content.decode()
    assert key not in page


def test_rotate_issues_a_new_key_and_revokes_the_old_and_revoke_ends_all(staff):
    client = ApiClient.objects.create(name="crm", scopes=["persons:read"])
    first = shown_secret(
        staff.post(
            "/admin/api/apiclient/", {"action": "issue_key", "_selected_action": [client.pk]}
        )
    )
    second = shown_secret(
        staff.post(
            "/admin/api/apiclient/", {"action": "rotate_key", "_selected_action": [client.pk]}
        )
    )
    assert key_client(first) is None and key_client(second) == client
    staff.post("/admin/api/apiclient/", {"action": "revoke_keys", "_selected_action": [client.pk]})
    assert key_client(second) is None


def test_a_new_endpoint_s_secret_is_shown_once(staff):
    response = staff.post(
        "/admin/webhooks/webhookendpoint/add/",
        {
            "url": "https://crm.example/hooks",
            "description": "CRM",
            "event_types": ["subscription.opted_out", "person.erased"],
            "enabled": "on",
        },
    )
    secret = shown_secret(response)
    endpoint = WebhookEndpoint.objects.get()
    assert secret.startswith("whsec_") and endpoint.secret == secret
    assert (
        secret
        not in staff.get(f"/admin/webhooks/webhookendpoint/{endpoint.pk}/change/").content.decode()
    )


def test_replay_and_enable_again(staff):
    endpoint = WebhookEndpoint.objects.create(
        url="https://crm.example/hooks", event_types=["subscription.pending"], secret="whsec_x"
    )
    sub_list = SubscriptionList.objects.create(list_id="1", name="L", acquisition_campaign_id="c")
    person = services.person_create(source=Source.ADMIN, mdn="+14155550132")
    services.subscription_request(person=person, subscription_list=sub_list, source=Source.ADMIN)
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.update(state="failed", attempts=11)
    WebhookEndpoint.objects.update(enabled=True, disabled_at="2026-03-01T00:00:00Z")
    assert "Webhook endpoints disabled after failing" in staff.get("/admin/").content.decode()
    listed = staff.get("/admin/webhooks/webhookendpoint/?disabled_at__isnull=False")
    assert listed.status_code == 200 and "crm.example" in listed.content.decode()
    staff.post(
        "/admin/webhooks/webhookdelivery/",
        {"action": "replay", "_selected_action": [delivery.pk]},
    )
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("pending", 0)
    staff.post(
        "/admin/webhooks/webhookendpoint/",
        {"action": "enable_again", "_selected_action": [endpoint.pk]},
    )
    endpoint.refresh_from_db()
    assert endpoint.disabled_at is None
    log = staff.get(f"/admin/webhooks/webhookdelivery/{delivery.pk}/change/")
    assert log.status_code == 200 and delivery.event.msg_id in log.content.decode()
