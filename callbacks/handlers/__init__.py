"""Apply one stored callback through the subscribers' services: a handler per event family.

``HANDLERS`` maps each callback type the product handles to its handler. A new type gets
a module here (or a function in the family it belongs to) and a line below; the endpoint
stores any type, and one not listed is kept as ``ignored``.
"""

from .acks import ack_participant
from .base import Outcome, Unprocessable
from .lists import subscription_list_changed
from .messages import unmatched_message
from .persons import person_changed
from .subscriptions import subscription_added, subscription_removed
from .texts import event_processed

HANDLERS = {
    "subscription_added": subscription_added,
    "subscription_removed": subscription_removed,
    "person_added": person_changed,
    "person_updated": person_changed,
    "subscription_list_added": subscription_list_changed,
    "subscription_list_updated": subscription_list_changed,
    "ack_participant_added": ack_participant,
    "ack_participant_changed": ack_participant,
    "unmatched_message_received": unmatched_message,
    "event_processed": event_processed,
}

__all__ = ["HANDLERS", "Outcome", "Unprocessable"]
