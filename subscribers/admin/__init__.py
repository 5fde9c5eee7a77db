"""Admin for marketing staff. Staff edits go through the services, so they record history.

Split by concept: ``persons`` (changelist, change page with the history timeline),
``person_actions`` (opt out, preference links, exports), ``lists`` (counts and the daily
chart), ``history`` (the read-only history and custom fields), ``sync`` (push now, re-read
from Vibes, and the read-only outbox), ``erasure`` (erase a person, the suppression list),
``deadlines`` (the open opt-outs).
"""

from django.contrib import admin

from ..models import (
    CustomField,
    DeadNumber,
    OptOutDeadline,
    Person,
    RevocationReview,
    SubscriptionEvent,
    SubscriptionList,
    SuppressedNumber,
    SuppressionHit,
)
from .custom_fields import CustomFieldAdmin
from .dead_numbers import DeadNumberAdmin
from .deadlines import OptOutDeadlineAdmin
from .erasure import SuppressedNumberAdmin, SuppressionHitAdmin
from .history import SubscriptionEventAdmin
from .lists import SubscriptionListAdmin
from .persons import PersonAdmin, SubscriptionInline
from .revocations import RevocationReviewAdmin

admin.site.register(Person, PersonAdmin)
admin.site.register(SubscriptionList, SubscriptionListAdmin)
admin.site.register(SubscriptionEvent, SubscriptionEventAdmin)
admin.site.register(CustomField, CustomFieldAdmin)
admin.site.register(SuppressedNumber, SuppressedNumberAdmin)
admin.site.register(SuppressionHit, SuppressionHitAdmin)
admin.site.register(OptOutDeadline, OptOutDeadlineAdmin)

admin.site.register(RevocationReview, RevocationReviewAdmin)
admin.site.register(DeadNumber, DeadNumberAdmin)

__all__ = [
    "CustomFieldAdmin",
    "DeadNumberAdmin",
    "PersonAdmin",
    "RevocationReviewAdmin",
    "SubscriptionEventAdmin",
    "SubscriptionInline",
    "SubscriptionListAdmin",
]
