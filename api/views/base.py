"""What every API view shares: the Bearer key, scopes, the per-client throttle, JSON in
and out, problem details for every error, and the lookups that turn input into rows."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, OpenApiParameter
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from subscribers import phone
from subscribers.models import Person, SubscriptionList

from ..auth import BearerKeyAuthentication, ClientThrottle, HasScope
from ..problems import MEDIA_TYPE, Problem, ProblemSerializer, problem_handler


class ApiView(APIView):
    authentication_classes = [BearerKeyAuthentication]
    permission_classes = [HasScope]
    throttle_classes = [ClientThrottle]
    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]
    #: {HTTP method: scope} the client must hold.
    required_scope: dict[str, str] = {}

    def get_exception_handler(self):
        return problem_handler

    def client_note(self) -> str:
        """What history says of the change's origin: the API client's name."""
        return f"API client: {self.request.user.name}"


#: Examples in the schema: what the reference shows, and what schemathesis sends first.
EXAMPLE_MDN = "+14155550132"
EXAMPLE_LIST = "1234"
EXTERNAL_ID = OpenApiParameter(
    "external_id",
    str,
    OpenApiParameter.PATH,
    description="The company's id for the person.",
    examples=[OpenApiExample("crm", value="crm-1")],
)


def problems(*statuses: int) -> dict:
    """The documented error answers of an operation (every one also 401, 403, 429)."""
    return {(s, MEDIA_TYPE): ProblemSerializer for s in sorted({*statuses, 401, 403, 429})}


def list_or_400(list_id: str) -> SubscriptionList:
    found = SubscriptionList.objects.filter(list_id=list_id.strip()).first()
    if found is None:
        raise Problem(
            400,
            "unknown_list",
            f"No list has the Vibes id {list_id[:64]!r}.",
            errors={"list": ["Unknown list."]},
        )
    return found


def number_or_400(raw: str, *, typed: bool) -> str:
    """``raw`` in E.164. ``typed``: a number a person just gave (an opt-in) must be a valid
    mobile number, as on the preference page; otherwise (a look-up, an opt-out) any number
    that may be one is read, since numbers from Vibes are kept as sent."""
    if typed:
        try:
            return phone.normalize_typed(raw)
        except ValidationError:
            pass
    else:
        found = phone.normalize_for_search(raw)
        if found:
            return found
    raise Problem(
        400,
        "invalid_mdn",
        "The mobile number cannot be read.",
        errors={"mdn": [str(phone.INVALID_MOBILE_MESSAGE)]},
    )


def person_or_404(external_id: str) -> Person:
    # A NUL would reach PostgreSQL as an error (a 500), and no id is longer than the column.
    storable = "\x00" not in external_id and len(external_id) <= 128
    person = Person.objects.filter(external_person_id=external_id).first() if storable else None
    if person is None:
        raise Problem(404, "unknown_person", "No person has this external id.")
    return person


def proof_url(person: Person) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(
        "admin:subscribers_person_consent", args=[person.pk]
    )
