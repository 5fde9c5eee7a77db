"""What staff do to persons: opt out, show preference links, export.

Each action is also reachable for one person from its change page (object tools). Writes
go through ``subscribers.services`` with source "admin" and the staff user, so they are
recorded in history and pushed to Vibes like any other change.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import selectors, services
from ..models import Person, Source, Subscription, SubscriptionList
from ..preferences.evidence import Evidence
from ..preferences.links import preference_url
from ..reasons import STAFF_REASONS
from .exports import persons_csv_response, proof_of_consent_response
from .filters import LIST_PARAM, STATUS_PARAM

ALL_LISTS = "all"
#: Opting out is one service call per subscription; larger selections are refused rather
#: than left to time out half done.
MAX_OPT_OUT = 1000
MAX_LINKS = 100


class OptOutForm(forms.Form):
    """Nothing is chosen for staff: a preselected scope would be "All lists", the widest
    opt-out, and a preselected reason would put words in the history nobody chose."""

    subscription_list = forms.ChoiceField(
        label=_("Opt out of"),
        error_messages={
            "required": _("Choose which list to opt this person out of, or all lists.")
        },
    )
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[("", _("Choose a reason")), *STAFF_REASONS.items()],
        error_messages={"required": _("Choose why.")},
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Kept in each person's history with your name."),
    )

    def __init__(self, *args, lists, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subscription_list"].choices = [
            ("", _("Choose a list, or all lists")),
            *[(str(sub_list.pk), str(sub_list)) for sub_list in lists],
            (ALL_LISTS, _("All lists (stop all texts)")),
        ]

    def clean(self):
        data = super().clean()
        if data.get("reason") == "other" and not data.get("note", "").strip():
            self.add_error("note", _("Say why, when the reason is “Other”."))
        return data


def opt_out(modeladmin, request, queryset, *, single: Person | None = None):
    """Ask which list and why, then opt the selected persons out, recording the staff user."""
    if not modeladmin.has_opt_out_permission(request):
        raise PermissionDenied
    total = queryset.count()
    if total > MAX_OPT_OUT:
        modeladmin.message_user(
            request,
            _("Opt out at most %(max)d persons at a time (%(n)d selected).")
            % {"max": MAX_OPT_OUT, "n": total},
            messages.ERROR,
        )
        return None
    lists = selectors.lists_open_for(queryset)
    form = OptOutForm(request.POST if "apply" in request.POST else None, lists=lists)
    if form.is_valid():
        done, untouched = _apply_opt_out(request, queryset, form.cleaned_data)
        modeladmin.message_user(
            request,
            ngettext(
                "%(n)d subscription opted out.",
                "%(n)d subscriptions opted out.",
                done,
            )
            % {"n": done}
            + (
                " "
                + ngettext(
                    "%(n)d person had nothing to opt out of.",
                    "%(n)d persons had nothing to opt out of.",
                    untouched,
                )
                % {"n": untouched}
                if untouched
                else ""
            ),
            messages.SUCCESS if done else messages.WARNING,
        )
        if single is not None:
            return HttpResponseRedirect(
                reverse("admin:subscribers_person_change", args=[single.pk])
            )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Opt out"),
        "opts": modeladmin.model._meta,
        "form": form,
        "persons": list(queryset[:20]),
        "total": total,
        "single": single,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "selected": [str(pk) for pk in queryset.values_list("pk", flat=True)],
        "select_across": request.POST.get("select_across", "0"),
        "has_lists": bool(lists),
    }
    return TemplateResponse(request, "admin/subscribers/person/opt_out.html", context)


opt_out.short_description = _("Opt out of a list or all lists…")
opt_out.allowed_permissions = ("opt_out",)


def _apply_opt_out(request, queryset, data) -> tuple[int, int]:
    choice = data["subscription_list"]
    common = {
        "source": Source.ADMIN,
        "staff_user": request.user,
        "opt_out_reason": data["reason"],
        "note": data["note"].strip(),
        "evidence": Evidence.from_request(request),
    }
    done = untouched = 0
    with transaction.atomic():
        if choice == ALL_LISTS:
            for person in queryset.order_by("pk"):
                changes = services.person_opt_out_all(person=person, **common)
                done += len(changes)
                untouched += not changes
            return done, untouched
        sub_list = SubscriptionList.objects.get(pk=choice)
        on_list = set(
            Subscription.objects.filter(person__in=queryset, subscription_list=sub_list)
            .open()
            .values_list("person_id", flat=True)
        )
        for person in queryset.order_by("pk"):
            if person.pk not in on_list:
                untouched += 1
                continue
            services.subscription_cancel(person=person, subscription_list=sub_list, **common)
            done += 1
    return done, untouched


def show_preference_links(modeladmin, request, queryset):
    """Each selected person's preference link, ready to copy into an email or a chat."""
    persons = list(queryset[: MAX_LINKS + 1])
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Preference links"),
        "opts": modeladmin.model._meta,
        "links": [(p, preference_url(p, request=request)) for p in persons[:MAX_LINKS]],
        "truncated": len(persons) > MAX_LINKS,
        "max_links": MAX_LINKS,
    }
    return TemplateResponse(request, "admin/subscribers/person/preference_links.html", context)


show_preference_links.short_description = _("Show preference links")
show_preference_links.allowed_permissions = ("change",)


def export_csv(modeladmin, request, queryset):
    """The selected persons, with only the subscriptions the changelist's filters name
    (a list, a status): "opted out of Weekly deals" exports those rows, not every list."""
    subscriptions = Subscription.objects.all()
    list_id, status = request.GET.get(LIST_PARAM, ""), request.GET.get(STATUS_PARAM, "")
    if list_id.isdigit():
        subscriptions = subscriptions.filter(subscription_list_id=list_id)
    if status in Subscription.Status.values:
        subscriptions = subscriptions.filter(status=status)
    return persons_csv_response(queryset, subscriptions=subscriptions)


export_csv.short_description = _("Export selected to CSV")
export_csv.allowed_permissions = ("export",)


def export_proof_of_consent(modeladmin, request, queryset):
    persons = list(queryset[:2])
    if len(persons) != 1:
        modeladmin.message_user(
            request, _("Select exactly one person for a proof of consent."), messages.WARNING
        )
        return None
    return proof_of_consent_response(persons[0])


export_proof_of_consent.short_description = _("Proof of consent (JSON) for one person")
export_proof_of_consent.allowed_permissions = ("export",)
