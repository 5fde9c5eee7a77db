"""Persons, subscription lists, subscriptions and their append-only opt-in history.

Nothing outside ``subscribers.services`` saves these models; every service records the
``SubscriptionEvent`` rows that explain what it changed.
"""

from ..outbox.models import Push, PushAttempt, VibesAccess
from .deadlines import OptOutDeadline
from .fields import CustomField
from .history import SubscriptionEvent, SubscriptionEventQuerySet
from .lists import Subscription, SubscriptionList, SubscriptionQuerySet
from .persons import Person, Source
from .proofs import NumberProof
from .suppression import SuppressedNumber, SuppressionHit

__all__ = [
    "CustomField",
    "NumberProof",
    "OptOutDeadline",
    "Person",
    "Push",
    "PushAttempt",
    "Source",
    "Subscription",
    "SuppressedNumber",
    "SuppressionHit",
    "SubscriptionEvent",
    "SubscriptionEventQuerySet",
    "SubscriptionList",
    "SubscriptionQuerySet",
    "VibesAccess",
]
