"""Persons, subscription lists, subscriptions and their append-only opt-in history.

Nothing outside ``subscribers.services`` saves these models; every service records the
``SubscriptionEvent`` rows that explain what it changed.
"""

from ..outbox.models import Push, PushAttempt, Text, VibesAccess
from .dead_numbers import DEAD_NUMBER_REASONS, DeadNumber, number_holders
from .deadlines import OptOutDeadline
from .fields import CustomField
from .heartbeats import Heartbeat
from .history import SubscriptionEvent, SubscriptionEventQuerySet
from .lists import Subscription, SubscriptionList, SubscriptionQuerySet
from .number_moves import NumberMove
from .persons import PUSHED_FIELDS, Person, PushedFieldWrite, Source
from .proofs import NumberProof
from .revocations import RevocationReview
from .suppression import SuppressedNumber, SuppressionHit

__all__ = [
    "DEAD_NUMBER_REASONS",
    "PUSHED_FIELDS",
    "CustomField",
    "DeadNumber",
    "Heartbeat",
    "NumberMove",
    "NumberProof",
    "OptOutDeadline",
    "Person",
    "Push",
    "PushedFieldWrite",
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
    "Text",
    "VibesAccess",
    "number_holders",
]
