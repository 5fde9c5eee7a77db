"""The review queue: texts that may be opt-outs, for staff to confirm or dismiss.

Each row has two buttons, one click each. They post the changelist's own form (it carries
the CSRF token) to this admin's confirm or dismiss URL; both need the
``decide_revocationreview`` permission (the Marketing group has it). Confirming runs the
same opt-out as a plain STOP (subscribers/services/revocation.py), with the staff user
recorded beside the text.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .. import phone, services
from ..models import RevocationReview
from .base import ReadOnlyHistoryMixin

DECIDE = "subscribers.decide_revocationreview"
State = RevocationReview.State


class StateFilter(admin.SimpleListFilter):
    """Open texts by default: the queue is what still waits for someone."""

    title = gettext_lazy("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [*State.choices, ("all", _("All"))]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": (self.value() or State.OPEN) == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or State.OPEN
        return queryset if value == "all" else queryset.filter(state=value)


class RevocationReviewAdmin(ReadOnlyHistoryMixin, admin.ModelAdmin):
    list_display = ("sent_at", "words", "decide", "sender", "reason", "state")
    list_display_links = None
    list_filter = (StateFilter, "reason")
    list_select_related = ("person", "decided_by")
    ordering = ("sent_at", "id")  # oldest first: the longest wait comes first
    actions = None
    fields = (
        "sent_at",
        "number",
        "person",
        "text",
        "reason",
        "state",
        "decided_by",
        "decided_at",
        "callback",
    )
    readonly_fields = fields

    @admin.display(description=gettext_lazy("number"))
    def number(self, review):
        return phone.mask(review.mdn, unbroken=True) or "—"

    @admin.display(description=gettext_lazy("from"))
    def sender(self, review):
        if review.person is not None:
            return str(review.person)
        return _("%(number)s (nobody here)") % {"number": self.number(review)}

    @admin.display(description=gettext_lazy("text the phone sent"))
    def words(self, review):
        return review.text[:160]

    @admin.display(description=gettext_lazy("decide"))
    def decide(self, review):
        if review.state != State.OPEN:
            who = review.decided_by.get_username() if review.decided_by else "—"
            return format_html("{} · {}", review.get_state_display(), who)
        return format_html(
            '<button type="submit" class="button" formmethod="post" formaction="{}" '
            'aria-label="{}">{}</button> '
            '<button type="submit" class="button" formmethod="post" formaction="{}" '
            'aria-label="{}">{}</button>',
            reverse("admin:subscribers_revocationreview_confirm", args=[review.pk]),
            _("Confirm: opt %(number)s out of every list")
            % {"number": phone.mask(review.mdn) or _("this number")},
            _("Confirm opt-out"),
            reverse("admin:subscribers_revocationreview_dismiss", args=[review.pk]),
            _("Dismiss: not an opt-out"),
            _("Dismiss"),
        )

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        return shown if request.user.has_perm(DECIDE) else [f for f in shown if f != "decide"]

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/confirm/",
                view(require_POST(self.confirm_view)),
                name="subscribers_revocationreview_confirm",
            ),
            path(
                "<int:pk>/dismiss/",
                view(require_POST(self.dismiss_view)),
                name="subscribers_revocationreview_dismiss",
            ),
            *super().get_urls(),
        ]

    def confirm_view(self, request, pk):
        return self._decide(request, pk, confirm=True)

    def dismiss_view(self, request, pk):
        return self._decide(request, pk, confirm=False)

    def _decide(self, request, pk, *, confirm: bool):
        if not request.user.has_perm(DECIDE):
            raise PermissionDenied
        review = get_object_or_404(RevocationReview, pk=pk)
        try:
            changes = services.revocation_review_decide(
                review=review, confirm=confirm, staff_user=request.user
            )
        except services.ReviewClosed as closed:
            messages.warning(request, str(closed))
        else:
            if confirm:
                ended = sum(1 for c in changes if c.applied)
                messages.success(
                    request,
                    _("Opted %(person)s out of %(count)d list(s); Vibes is being told.")
                    % {"person": review.person, "count": ended},
                )
            else:
                messages.info(request, _("Dismissed: nothing changed."))
        return HttpResponseRedirect(
            request.POST.get("next") or reverse("admin:subscribers_revocationreview_changelist")
        )
