"""Standard Webhooks signatures (``webhook-id``, ``webhook-timestamp``,
``webhook-signature``) with the ``standardwebhooks`` library; secrets are ``whsec_`` and
24 random bytes in base64, the format the library and every receiver's library read."""

import base64
import json
import secrets
from datetime import datetime

from standardwebhooks import Webhook


def secret_new() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def body_bytes(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def signed_headers(*, secret: str, msg_id: str, body: bytes, at: datetime) -> dict:
    signature = Webhook(secret).sign(msg_id, at, body.decode())
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
        "user-agent": "vibes-preference-center-webhooks",
    }
