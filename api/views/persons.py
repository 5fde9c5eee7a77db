"""Persons by the company's own id (``external_person_id``), their details and history,
and the lists. Changes go through ``services.person_update``, which judges custom field
values by their definitions (subscribers/custom_values.py) and records history."""

import zoneinfo

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from subscribers import services
from subscribers.custom_values import CustomValueError
from subscribers.models import Source, Subscription, SubscriptionEvent, SubscriptionList

from ..models import Scope
from ..problems import Problem
from ..serializers import HistoryPage, ListOut, PersonOut, PersonPatch
from .base import EXTERNAL_ID, ApiView, person_or_404, problems


def _person_data(person) -> dict:
    subs = Subscription.objects.filter(person=person).select_related("subscription_list")
    return PersonOut(
        {
            "external_person_id": person.external_person_id,
            "mdn": person.mdn,
            "custom_fields": person.custom_fields or {},
            "timezone": person.timezone,
            "subscriptions": subs.order_by("subscription_list__list_id"),
            "updated_at": person.updated_at,
        }
    ).data


class PersonView(ApiView):
    required_scope = {"GET": Scope.PERSONS_READ, "PATCH": Scope.PERSONS_WRITE}

    @extend_schema(
        operation_id="person_read",
        parameters=[EXTERNAL_ID],
        responses={200: PersonOut, **problems(404)},
    )
    def get(self, request, external_id):
        return Response(_person_data(person_or_404(external_id)))

    @extend_schema(
        operation_id="person_update",
        parameters=[EXTERNAL_ID],
        request=PersonPatch,
        examples=[
            OpenApiExample(
                "details",
                request_only=True,
                value={"custom_fields": {"first_name": "Ana"}, "timezone": "America/New_York"},
            )
        ],
        responses={200: PersonOut, **problems(400, 404)},
        description="Change details: defined custom fields (null removes one) and the "
        "time zone. A new number is confirmed by its owner, on the preference page.",
    )
    def patch(self, request, external_id):
        person = person_or_404(external_id)
        body = PersonPatch(data=request.data)
        body.is_valid(raise_exception=True)
        values = dict(body.validated_data)
        tz = values.get("timezone")
        if tz and tz not in zoneinfo.available_timezones():
            raise Problem(
                400, "invalid", "Unknown time zone.", errors={"timezone": ["Not an IANA zone."]}
            )
        try:
            services.person_update(
                person=person, source=Source.API, note=self.client_note(), **values
            )
        except CustomValueError as exc:
            errors = {f"custom_fields.{k}": [v] for k, v in exc.errors.items()}
            raise Problem(
                400, "invalid_custom_fields", f"Invalid custom fields: {exc}", errors=errors
            ) from None
        person.refresh_from_db()
        return Response(_person_data(person))


class HistoryPages(PageNumberPagination):
    page_size = 50


class PersonHistoryView(ApiView):
    required_scope = {"GET": Scope.HISTORY_READ}

    @extend_schema(
        operation_id="person_history",
        parameters=[EXTERNAL_ID, OpenApiParameter("page", int, description="From 1.")],
        responses={200: HistoryPage, **problems(404)},
        description="The person's opt-in history, newest first, 50 a page.",
    )
    def get(self, request, external_id):
        person = person_or_404(external_id)
        rows = (
            SubscriptionEvent.objects.filter(person=person)
            .select_related("subscription_list")
            .order_by("-occurred_at", "-id")
        )
        pages = HistoryPages()
        page = pages.paginate_queryset(rows, request, view=self)
        return pages.get_paginated_response(HistoryPage.results_data(page))


class ListsView(ApiView):
    @extend_schema(operation_id="lists", responses={200: ListOut(many=True), **problems()})
    def get(self, request):
        return Response(ListOut(SubscriptionList.objects.order_by("list_id"), many=True).data)
