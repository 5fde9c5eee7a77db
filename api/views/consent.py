"""``GET /api/v1/consent/``: may this number be texted on this list now?

An erased number (on the suppression list, subscribers/suppression.py) and a number that
died on its person (subscribers/models/dead_numbers.py) answer ``may_text: false`` with
the reason and nothing about anyone: no status, date, source or proof.
"""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.response import Response

from subscribers import suppression
from subscribers.models import DeadNumber, Subscription, SubscriptionEvent, number_holders

from ..models import Scope
from ..serializers import ConsentOut, ConsentQuery
from .base import (
    EXAMPLE_LIST,
    EXAMPLE_MDN,
    ApiView,
    list_or_400,
    number_or_400,
    problems,
    proof_url,
)

_STATUS = {
    Subscription.Status.ACTIVE: "active",
    Subscription.Status.PENDING: "pending",
    Subscription.Status.OPTED_OUT: "opted_out",
}
_REASON = {"pending": "pending_confirmation", "opted_out": "opted_out", "none": "not_subscribed"}


def _answer(mdn, list_id, *, status="none", since=None, source=None, proof=None, reason=None):
    may_text = status == "active"
    return {
        "mdn": mdn,
        "list": list_id,
        "may_text": may_text,
        "status": status,
        "since": since,
        "source": source,
        "proof": proof,
        "reason": None if may_text else reason or _REASON[status],
    }


def consent_for(mdn: str, sub_list) -> dict:
    if suppression.is_suppressed(mdn):
        return _answer(mdn, sub_list.list_id, reason="suppressed")
    holders = list(number_holders(mdn).values_list("pk", flat=True))
    if not holders:
        dead = DeadNumber.objects.open().filter(mdn=mdn).exists()
        return _answer(mdn, sub_list.list_id, reason="number_no_longer_valid" if dead else None)
    sub = (
        Subscription.objects.filter(person_id__in=holders, subscription_list=sub_list)
        .select_related("person")
        .order_by("-last_event_at", "-id")
        .first()
    )
    status = _STATUS.get(sub.status, "none") if sub else "none"
    if status == "none":
        return _answer(mdn, sub_list.list_id)
    newest = (
        SubscriptionEvent.objects.filter(
            person_id=sub.person_id, subscription_list=sub_list, superseded=False
        )
        .order_by("-occurred_at", "-id")
        .values_list("source", flat=True)
        .first()
    )
    since = {
        "active": sub.opt_in_date,
        "opted_out": sub.opt_out_date,
        "pending": sub.last_event_at,
    }[status]
    return _answer(
        mdn,
        sub_list.list_id,
        status=status,
        since=since,
        source=newest,
        proof=proof_url(sub.person),
    )


class ConsentView(ApiView):
    required_scope = {"GET": Scope.CONSENT_READ}

    @extend_schema(
        operation_id="consent_check",
        parameters=[
            OpenApiParameter(
                "mdn",
                str,
                required=True,
                description="Any format.",
                examples=[OpenApiExample("number", value=EXAMPLE_MDN)],
            ),
            OpenApiParameter(
                "list",
                str,
                required=True,
                description="The Vibes list id.",
                examples=[OpenApiExample("list", value=EXAMPLE_LIST)],
            ),
        ],
        responses={200: ConsentOut, **problems(400)},
    )
    def get(self, request):
        query = ConsentQuery(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        sub_list = list_or_400(query.validated_data["list"])
        mdn = number_or_400(query.validated_data["mdn"], typed=False)
        return Response(ConsentOut(consent_for(mdn, sub_list)).data)
