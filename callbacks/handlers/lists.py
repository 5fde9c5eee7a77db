"""subscription_list_added and subscription_list_updated: the list upserted by its Vibes id;
a new list asks for its callback registrations (callbacks/follow.py)."""

from subscribers import services

from ..follow import registration_request
from ..models import CallbackEvent
from ..parsing import obj, text
from .base import Outcome, Status, Unprocessable


def subscription_list_changed(event: CallbackEvent) -> Outcome:
    data = obj(event.payload.get("subscription_list"))
    list_id = text(data.get("id"), 64)
    if not list_id:
        raise Unprocessable("The event names no subscription list (subscription_list.id).")
    _, created = services.subscription_list_upsert(
        list_id=list_id, name=text(data.get("name"), 200) or None
    )
    if created or event.callback_type == "subscription_list_added":
        registration_request()  # its callbacks, from the worker after the commit
    return Outcome(Status.APPLIED)
