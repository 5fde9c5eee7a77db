"""Persons, subscription lists, subscriptions and their append-only opt-in history.

Nothing outside ``subscribers.services`` saves these models; every service records the
``SubscriptionEvent`` rows that explain what it changed.
"""

from ..outbox.models import Push, PushAttempt, VibesAccess
from .dead_numbers import DEAD_NUMBER_REASONS, DeadNumber, number_holders
from .deadlines import OptOutDeadline
from .fields import CustomField
from .heartbeats import Heartbeat
from .history import SubscriptionEvent, SubscriptionEventQuerySet
from .lists import Subscription, SubscriptionList, SubscriptionQuerySet
from .persons import Person, Source
from .proofs import NumberProof
from .revocations import RevocationReview
from .suppression import SuppressedNumber, SuppressionHit

__all__ = [
    "DEAD_NUMBER_REASONS",
    "CustomField",
    "DeadNumber",
    "Heartbeat",
    "NumberProof",
    "OptOutDeadline",
    "Person",
    "Push",
    "PushAttempt",
    "RevocationReview",
    "Source",
    "Subscription",
    "SuppressedNumber",
    "SuppressionHit",
    "SubscriptionEvent",
    "SubscriptionEventQuerySet",
    "SubscriptionList",
    "SubscriptionQuerySet",
    "VibesAccess",
    "number_holders",
]
