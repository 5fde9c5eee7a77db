"""Persons, subscription lists, subscriptions and their append-only opt-in history.

Nothing outside ``subscribers.services`` saves these models; every service records the
``SubscriptionEvent`` rows that explain what it changed.
"""

from ..outbox.models import Push, PushAttempt, VibesAccess
from .fields import CustomField
from .history import SubscriptionEvent, SubscriptionEventQuerySet
from .lists import Subscription, SubscriptionList, SubscriptionQuerySet
from .persons import Person, Source
from .proofs import NumberProof

__all__ = [
    "CustomField",
    "NumberProof",
    "Person",
    "Push",
    "PushAttempt",
    "Source",
    "Subscription",
    "SubscriptionEvent",
    "SubscriptionEventQuerySet",
    "SubscriptionList",
    "SubscriptionQuerySet",
    "VibesAccess",
]
