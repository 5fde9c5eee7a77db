"""``POST /api/v1/subscriptions/`` and ``POST /api/v1/opt-outs/``.

An opt-in taken elsewhere goes the preference page's way (subscribers/preferences/views.py):
``subscription_request`` with the list's acquisition campaign, so it waits until the phone
replies Y and is never active at once; it costs a confirmation text, so it counts against
the same limits (subscribers/limits.py). An opt-out is applied at once through the
services; the outbox pushes it to Vibes after the commit. Both record history with the
source ``api`` and the client's name in the row's note.
"""

from django.db import transaction
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.response import Response

from subscribers import limits, services, suppression
from subscribers.models import Source, Subscription, number_holders
from subscribers.preferences.evidence import Evidence

from ..models import Scope
from ..problems import Problem
from ..serializers import OptOutIn, OptOutOut, SubscriptionIn, SubscriptionOut
from .base import EXAMPLE_LIST, EXAMPLE_MDN, ApiView, list_or_400, number_or_400, problems


def _evidence(data: dict) -> Evidence:
    return Evidence(
        ip_address=data.get("ip") or None,
        user_agent=data.get("user_agent", ""),
        page=data["where"],
        wording=data["wording"],
    )


class SubscriptionsView(ApiView):
    required_scope = {"POST": Scope.SUBSCRIPTIONS_WRITE}

    @extend_schema(
        operation_id="subscription_request",
        request=SubscriptionIn,
        examples=[
            OpenApiExample(
                "checkout",
                request_only=True,
                value={
                    "mdn": "(415) 555-0132",
                    "list": EXAMPLE_LIST,
                    "evidence": {
                        "where": "https://shop.example/checkout",
                        "wording": "Text me offers. Msg & data rates may apply. STOP to end.",
                        "ip": "203.0.113.7",
                        "user_agent": "Mozilla/5.0",
                        "time": "2026-03-01T12:00:00Z",
                    },
                },
            )
        ],
        responses={200: SubscriptionOut, 202: SubscriptionOut, **problems(400, 422)},
        description="Record an opt-in with its evidence. The phone is texted to confirm; "
        "the subscription stays pending until it replies Y.",
    )
    def post(self, request):
        body = SubscriptionIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        sub_list = list_or_400(data["list"])
        mdn = number_or_400(data["mdn"], typed=True)
        if not sub_list.acquisition_campaign_id:
            raise Problem(
                422, "list_not_joinable", "This list has no web acquisition campaign to join."
            )
        evidence = _evidence(data["evidence"])
        note = f"{self.client_note()}; consent given {data['evidence']['time'].isoformat()}"
        answer = {"mdn": mdn, "list": sub_list.list_id}
        # The erased number is refused before anyone is created for it; staff see it.
        refused = suppression.flag(
            mdn,
            source=Source.API,
            what="sign-up refused",
            refused=True,
            subscription_list=sub_list,
        )
        if refused:
            raise Problem(422, "number_suppressed", "This number may not be texted.")
        with transaction.atomic():
            person = number_holders(mdn).select_for_update().first()
            current = (
                Subscription.objects.filter(person=person, subscription_list=sub_list).first()
                if person
                else None
            )
            if current is not None and current.is_open:
                return Response({**answer, "status": current.status, "created": False})
            try:
                limits.text_allowed_or_raise(
                    mdn=mdn, person_id=person.pk if person else None, ip=evidence.ip_address
                )
            except limits.TextRefused as refused_text:
                raise Problem(429, "text_limit", str(refused_text)) from None
            if person is None:
                person = services.person_create(source=Source.API, evidence=evidence, mdn=mdn)
            services.subscription_request(
                person=person,
                subscription_list=sub_list,
                source=Source.API,
                evidence=evidence,
                acquisition_campaign_id=sub_list.acquisition_campaign_id,
                note=note,
            )
        return Response({**answer, "status": "pending", "created": True}, status=202)


class OptOutsView(ApiView):
    required_scope = {"POST": Scope.SUBSCRIPTIONS_WRITE}

    @extend_schema(
        operation_id="opt_out",
        request=OptOutIn,
        examples=[
            OpenApiExample(
                "one list",
                request_only=True,
                value={"mdn": EXAMPLE_MDN, "list": EXAMPLE_LIST, "reason": "user_request"},
            ),
            OpenApiExample("all lists", request_only=True, value={"mdn": EXAMPLE_MDN, "all": True}),
        ],
        responses={200: OptOutOut, **problems(400)},
        description="Opt a number out of one list or all, at once; Vibes is told next.",
    )
    def post(self, request):
        body = OptOutIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        sub_list = list_or_400(data["list"]) if data.get("list") else None
        mdn = number_or_400(data["mdn"], typed=False)
        changed: dict[str, bool] = {}
        with transaction.atomic():
            for person in number_holders(mdn).select_for_update():
                subs = Subscription.objects.filter(person=person).select_related(
                    "subscription_list"
                )
                if sub_list is not None:
                    subs = subs.filter(subscription_list=sub_list)
                for sub in subs:
                    list_id = sub.subscription_list.list_id
                    if not sub.is_open:
                        changed.setdefault(list_id, False)
                        continue
                    services.subscription_cancel(
                        person=person,
                        subscription_list=sub.subscription_list,
                        source=Source.API,
                        opt_out_reason=data["reason"],
                        note=self.client_note(),
                    )
                    changed[list_id] = True
        if sub_list is not None:
            changed.setdefault(sub_list.list_id, False)
        lists = [{"list": k, "changed": v} for k, v in sorted(changed.items())]
        return Response({"mdn": mdn, "lists": lists})
