"""Admin for marketing staff. Staff edits go through the services, so they record history.

Split by concept: ``persons`` (changelist, change page with the history timeline),
``person_actions`` (opt out, preference links, exports), ``lists`` (counts, the overview
and the daily chart), ``history`` (the read-only history), ``custom_fields`` (definitions,
options as rows), ``sync`` (push now, re-read from Vibes, the outbox with Retry and
Discard), ``erasure`` (erase a person, the suppression list), ``deadlines`` (the open
opt-outs).
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
from .lists import SubscriptionListAdmin, lists_at_a_glance
from .persons import PersonAdmin, SubscriptionInline
from .revocations import RevocationReviewAdmin

admin.site.register(Person, PersonAdmin)
admin.site.register(SubscriptionList, SubscriptionListAdmin)
# The index leads with the lists' overview (config/admin.py VibesAdminSite.index_sections).
if hasattr(admin.site, "index_sections"):
    admin.site.index_sections.append(lists_at_a_glance)
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
