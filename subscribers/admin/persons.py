"""The person admin: find anyone fast, see why they are (not) getting texts, act on it.

Query counts do not grow with the data: the changelist runs a fixed number of queries (an
estimated count on PostgreSQL, one page of persons, one prefetch of their subscriptions,
the list filter's choices), and the change page pages the history server-side.
"""

from django.contrib import admin
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .. import custom_values, phone, services
from ..models import Person, Source
from ..preferences.links import preference_url
from ..reasons import reason_text
from . import erasure, number_change, person_actions, person_form, sync
from .base import FastActionCheckboxMixin, ObjectOncePerRequestMixin
from .filters import SubscriptionListFilter, SubscriptionStatusFilter, person_search
from .paging import EstimatedCountPaginator
from .person_rows import (
    FULL_NUMBER_PERMISSION,
    attach_list_statuses,
    last_change_text,
    lists_html,
    person_name,
    result_list_context,
    status_labels,
)
from .proof_page import consent_response
from .subscriptions_inline import SubscriptionInline
from .timeline import PAGE_PARAM, person_timeline


def _definitions_of(person) -> dict:
    cached = getattr(person, "_custom_definitions", None)
    return cached if cached is not None else custom_values.definitions()


class PersonChangeList(ChangeList):
    """Reads the list names and statuses of the page's persons only: one query per page."""

    def get_results(self, request):
        super().get_results(request)
        self.result_list = list(self.result_list)
        attach_list_statuses(self.result_list)

    def result_list_context(self) -> dict:
        """The rows for ``admin/change_list_results.html``, built without per-cell work."""
        return result_list_context(self)


class PersonAdmin(FastActionCheckboxMixin, ObjectOncePerRequestMixin, admin.ModelAdmin):
    form = person_form.PersonForm
    list_display = (
        "number",
        "name",
        "lists",
        "last_change",
        "sync_state",
    )
    list_display_links = ("number", "name")
    list_filter = (
        SubscriptionListFilter,
        SubscriptionStatusFilter,
        "sync_state",
        "last_change_source",
    )
    search_fields = ("mdn",)  # shows the search box; the search itself is person_search()
    search_help_text = _(
        "A mobile number in any format or any 3 or more of its digits (the last four), an "
        "external id, a Vibes person key, or a name or 3 or more letters of one."
    )
    ordering = ("-last_change_at", "-id")
    sortable_by = ("last_change",)
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    actions = [
        person_actions.opt_out,
        *sync.PERSON_ACTIONS,
        person_actions.export_csv,
        person_actions.export_proof_of_consent,
        person_actions.show_preference_links,
        erasure.erase,
    ]
    inlines = [SubscriptionInline]
    fieldsets = (
        (
            _("Details"),
            {
                "fields": (
                    "mdn",
                    "number_status",
                    "pending_mdn",
                    "external_person_id",
                    "carrier_code",
                    "timezone",
                )
            },
        ),
        (_("Custom fields"), {"fields": ("other_custom_fields",)}),
        (
            _("Vibes"),
            {"fields": ("person_key", "vibes_person_id", "vibes_created_at", "vibes_updated_at")},
        ),
        (
            _("Sync and changes"),
            {
                "fields": (
                    "sync_state",
                    "sync_error",
                    "last_change_source",
                    "last_change_at",
                    "link_version",
                    "preference_link",
                    "created_at",
                    "updated_at",
                )
            },
        ),
    )
    readonly_fields = (
        "mdn",
        "person_key",
        "vibes_person_id",
        "vibes_created_at",
        "vibes_updated_at",
        "created_at",
        "updated_at",
        "sync_state",
        "sync_error",
        "last_change_source",
        "last_change_at",
        "link_version",
        "pending_mdn",
        "preference_link",
        "number_status",
        "other_custom_fields",
        "custom_field_values",
    )

    # --- changelist -----------------------------------------------------------------

    def get_changelist(self, request, **kwargs):
        return PersonChangeList

    def get_changelist_instance(self, request):
        cl = super().get_changelist_instance(request)
        cl.full_numbers = request.user.has_perm(FULL_NUMBER_PERMISSION)
        return cl

    def get_search_results(self, request, queryset, search_term):
        return person_search(queryset, search_term), False

    @admin.display(description=_("number"))
    def number(self, person):
        # Non-breaking spaces keep "+1 ••• ••• 0132" on one line in the narrow column.
        return phone.mask(person.mdn, unbroken=True) or "—"

    # The changelist's cells are built by person_rows (one string per row); these
    # methods give the columns their headers and say what each cell shows.

    @admin.display(description=_("name"))
    def name(self, person):
        return person_name(person)

    @admin.display(description=_("lists"))
    def lists(self, person):
        if not hasattr(person, "list_statuses"):
            attach_list_statuses([person])
        return mark_safe(lists_html(person, status_labels()))  # noqa: S308

    @admin.display(description=_("last change"), ordering="last_change_at")
    def last_change(self, person):
        sources = {value: str(label) for value, label in Source.choices}
        return last_change_text(person, sources)

    @admin.display(description=_("number status"))
    def number_status(self, person):
        """Whether the number is still the person's (a carrier opt-out says it is not)."""
        dead = services.number_is_dead(person) if person is not None and person.pk else None
        if dead is None:
            return _("Valid") if person is not None and person.mdn else "—"
        return format_html(
            '<strong class="number-dead">{}</strong> {}',
            _("Number no longer valid"),
            _("(%(reason)s, since %(when)s). Every list ended; a fresh opt-in is required.")
            % {"reason": reason_text(dead.reason), "when": date_format(dead.ended_at)},
        )

    @admin.display(description=_("preference link"))
    def preference_link(self, person):
        """The person's own link (valid PREFERENCE_LINK_MAX_AGE_DAYS), to send or open."""
        if person is None or person.pk is None:
            return "—"
        url = preference_url(person)
        return format_html('<a href="{}" rel="noreferrer" target="_blank">{}</a>', url, url)

    @admin.display(description=_("other custom fields"))
    def other_custom_fields(self, person):
        """Values under keys no custom field defines here, kept as Vibes sent them."""
        return person_form.unknown_values_html(person, _definitions_of(person))

    @admin.display(description=_("custom fields"))
    def custom_field_values(self, person):
        return person_form.all_values_html(person, _definitions_of(person))

    @staticmethod
    def _definitions(request, person=None) -> dict:
        """The custom field definitions, read once per request; the person shown keeps
        them for its read-only rows, which are given the person alone."""
        definitions = request.__dict__.get("_custom_definitions")
        if definitions is None:
            definitions = request._custom_definitions = custom_values.definitions()
        if person is not None:
            person._custom_definitions = definitions
        return definitions

    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = person_form.person_form_class(self._definitions(request, obj))
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self.has_change_permission(request, obj):
            # Custom fields as typed inputs, then what no definition names (read-only).
            typed = person_form.field_names(self._definitions(request, obj), obj)
            return [
                (name, {**options, "fields": [*typed, *options["fields"]]})
                if options["fields"] == ("other_custom_fields",)
                else (name, options)
                for name, options in fieldsets
            ]
        # The read-only "preference link" field is the link itself: only staff who may
        # change the person get it, as on the link view (preference_link_view). The custom
        # fields show as one read-only list.
        shown = {"preference_link": None, "other_custom_fields": "custom_field_values"}
        return [
            (
                name,
                {
                    **options,
                    "fields": [shown.get(f, f) for f in options["fields"] if shown.get(f, f)],
                },
            )
            for name, options in fieldsets
        ]

    # --- permissions ------------------------------------------------------------------

    def has_delete_permission(self, request, obj=None):
        return False

    def has_opt_out_permission(self, request):
        return request.user.has_perm("subscribers.opt_out_person")

    def has_export_permission(self, request):
        return request.user.has_perm("subscribers.export_person")

    def has_erase_permission(self, request):
        return erasure.has_erase_permission(request)

    # --- change page --------------------------------------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/opt-out/",
                wrap(self.opt_out_view),
                name="{}_{}_opt_out".format(*info),
            ),
            path(
                "<path:object_id>/erase/",
                wrap(self.erase_view),
                name="{}_{}_erase".format(*info),
            ),
            path(
                "<path:object_id>/consent/",
                wrap(self.consent_view),
                name="{}_{}_consent".format(*info),
            ),
            path(
                "<path:object_id>/number/",
                wrap(self.number_change_view),
                name="{}_{}_number".format(*info),
            ),
            path(
                "<path:object_id>/preference-link/",
                wrap(self.preference_link_view),
                name="{}_{}_preference_link".format(*info),
            ),
            *super().get_urls(),
        ]

    def _person_or_404(self, request, object_id) -> Person:
        person = self.get_object(request, unquote(object_id))
        if person is None or not self.has_view_permission(request, person):
            raise Http404
        return person

    def opt_out_view(self, request, object_id):
        person = self._person_or_404(request, object_id)
        queryset = self.get_queryset(request).filter(pk=person.pk)
        return person_actions.opt_out(self, request, queryset, single=person)

    def erase_view(self, request, object_id):
        person = self._person_or_404(request, object_id)
        queryset = self.get_queryset(request).filter(pk=person.pk)
        return erasure.erase(self, request, queryset, single=person)

    def consent_view(self, request, object_id):
        person = self._person_or_404(request, object_id)
        if not self.has_export_permission(request):
            raise PermissionDenied
        return consent_response(request, person, self)

    def preference_link_view(self, request, object_id):
        person = self._person_or_404(request, object_id)
        if not self.has_change_permission(request, person):
            raise PermissionDenied
        queryset = self.get_queryset(request).filter(pk=person.pk)
        return person_actions.show_preference_links(self, request, queryset)

    def number_change_view(self, request, object_id):
        person = self._person_or_404(request, object_id)
        return number_change.start_number_change(self, request, person)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        person = self.get_object(request, unquote(object_id)) if object_id else None
        if person is not None and IS_POPUP_VAR not in request.GET:
            extra_context.update(person_timeline(person, request.GET.get(PAGE_PARAM)))
            extra_context.update(
                {
                    "show_timeline": True,
                    "can_opt_out": self.has_opt_out_permission(request),
                    "can_export": self.has_export_permission(request),
                    "can_erase": self.has_erase_permission(request),
                    "erase_url": reverse("admin:subscribers_person_erase", args=[person.pk]),
                    "can_show_link": self.has_change_permission(request, person),
                    "number_change_url": reverse(
                        "admin:subscribers_person_number", args=[person.pk]
                    ),
                    "opt_out_url": reverse("admin:subscribers_person_opt_out", args=[person.pk]),
                    "consent_url": reverse("admin:subscribers_person_consent", args=[person.pk]),
                    "preference_link_url": reverse(
                        "admin:subscribers_person_preference_link", args=[person.pk]
                    ),
                }
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        # The number is read-only: a new one is started with start_number_change and
        # proved by the phone (admin/number_change.py), never written here.
        values = {
            f: form.cleaned_data[f]
            for f in form.changed_data
            if f in form.cleaned_data and not f.startswith(person_form.PREFIX)
        }
        custom = form.custom_changes()
        if custom:
            values["custom_fields"] = custom
        if change:
            if values:
                saved = Person.objects.get(pk=obj.pk)
                services.person_update(
                    person=saved, source=Source.ADMIN, staff_user=request.user, **values
                )
            obj.refresh_from_db()
        else:
            created = services.person_create(
                source=Source.ADMIN,
                staff_user=request.user,
                **values,
            )
            obj.pk = created.pk
            obj.refresh_from_db()
