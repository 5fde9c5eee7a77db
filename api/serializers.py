"""What the API reads and answers. Request bodies are strict: a field no serializer
names is refused with a 400 that names it, and so is a string PostgreSQL cannot store
(a lone surrogate; DRF refuses NUL itself)."""

import builtins
from datetime import timedelta

from django.utils import timezone
from rest_framework import serializers

from subscribers.reasons import STAFF_REASONS

STATUSES = ("active", "pending", "opted_out", "none")


def _unstorable(value, path: str, out: dict) -> None:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            out[path or "body"] = ["Not valid Unicode text."]
    elif isinstance(value, dict):
        for key, item in value.items():
            _unstorable(str(key), f"{path}.{key}".strip("."), out)
            _unstorable(item, f"{path}.{key}".strip("."), out)
    elif isinstance(value, list):
        for item in value:
            _unstorable(item, path, out)


#: JSON types each field accepts as sent: DRF would turn 0 into "0" or False, which
#: the schema (and so a client's own validation) says is wrong.
_JSON_TYPES = (
    (serializers.BooleanField, bool),
    (serializers.CharField, str),
    (serializers.ChoiceField, str),
    (serializers.DateTimeField, str),
    (serializers.DictField, dict),
)


def _wrong_types(fields, data: dict) -> dict:
    errors = {}
    for name, value in data.items():
        if value is None:
            continue  # allow_null decides
        for field_class, json_type in _JSON_TYPES:
            if isinstance(fields[name], field_class) and not isinstance(value, json_type):
                errors[name] = [f"Must be a {json_type.__name__.replace('str', 'string')}."]
    return errors


class StrictSerializer(serializers.Serializer):
    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(str(k) for k in data if k not in self.fields)
            if unknown:
                raise serializers.ValidationError({k: ["Unknown field."] for k in unknown})
            errors = _wrong_types(self.fields, data)
            _unstorable(data, "", errors)
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class EvidenceIn(StrictSerializer):
    where = serializers.CharField(
        max_length=300, help_text="Where consent was given (page, app screen, till)."
    )
    wording = serializers.CharField(max_length=4000, help_text="The wording the person saw.")
    ip = serializers.IPAddressField(
        required=False, allow_null=True, help_text="The person's IP address, when known."
    )
    user_agent = serializers.CharField(
        max_length=512, required=False, allow_blank=True, help_text="The person's browser."
    )
    time = serializers.DateTimeField(help_text="When the person gave consent (ISO 8601).")

    def validate_time(self, value):
        if value > timezone.now() + timedelta(minutes=5):
            raise serializers.ValidationError("Consent cannot have been given in the future.")
        return value


class SubscriptionIn(StrictSerializer):
    mdn = serializers.CharField(max_length=32, help_text="The mobile number, in any format.")
    list = serializers.CharField(max_length=64, help_text="The Vibes list id.")
    evidence = EvidenceIn()


class SubscriptionOut(serializers.Serializer):
    mdn = serializers.CharField(help_text="E.164.")
    list = serializers.CharField()
    status = serializers.ChoiceField(choices=["active", "pending"])
    created = serializers.BooleanField(help_text="False when already subscribed or waiting.")


class OptOutIn(StrictSerializer):
    mdn = serializers.CharField(max_length=32)
    list = serializers.CharField(max_length=64, required=False, help_text="A Vibes list id.")
    all = serializers.BooleanField(required=False, default=False, help_text="Every list.")
    reason = serializers.ChoiceField(choices=[*STAFF_REASONS], default="user_request")

    def validate(self, attrs):
        if bool(attrs.get("list")) == bool(attrs.get("all")):
            raise serializers.ValidationError({"list": ["Give either list or all: true."]})
        return attrs


class OptOutList(serializers.Serializer):
    list = serializers.CharField()
    changed = serializers.BooleanField(help_text="False when already opted out.")


class OptOutOut(serializers.Serializer):
    mdn = serializers.CharField()
    lists = OptOutList(many=True)


class ConsentQuery(StrictSerializer):
    mdn = serializers.CharField(max_length=32, help_text="The mobile number, in any format.")
    list = serializers.CharField(max_length=64, help_text="The Vibes list id.")


class ConsentOut(serializers.Serializer):
    mdn = serializers.CharField(help_text="E.164.")
    list = serializers.CharField()
    may_text = serializers.BooleanField()
    status = serializers.ChoiceField(choices=STATUSES)
    since = serializers.DateTimeField(allow_null=True)
    source = serializers.CharField(allow_null=True, help_text="Where the newest change came from.")
    proof = serializers.URLField(allow_null=True, help_text="The person's proof of consent.")
    reason = serializers.CharField(
        allow_null=True,
        help_text="Why not: not_subscribed, pending_confirmation, opted_out, suppressed "
        "(erased at its owner's request) or number_no_longer_valid.",
    )


class ListOut(serializers.Serializer):
    list = serializers.CharField(source="list_id")
    name = serializers.CharField()
    joinable = serializers.SerializerMethodField(help_text="Has a web acquisition campaign.")
    description = serializers.CharField(source="public_description")

    def get_joinable(self, sub_list) -> bool:
        return bool(sub_list.acquisition_campaign_id)


class PersonSubscriptionOut(serializers.Serializer):
    list = serializers.CharField(source="subscription_list.list_id")
    status = serializers.CharField()
    opt_in_date = serializers.DateTimeField(allow_null=True)
    opt_out_date = serializers.DateTimeField(allow_null=True)


class PersonOut(serializers.Serializer):
    external_id = serializers.CharField(source="external_person_id")
    mdn = serializers.CharField(help_text="E.164; empty when none.")
    custom_fields = serializers.DictField()
    timezone = serializers.CharField()
    subscriptions = PersonSubscriptionOut(many=True)
    updated_at = serializers.DateTimeField()


class PersonPatch(StrictSerializer):
    custom_fields = serializers.DictField(
        required=False, help_text="Defined custom fields by key; null removes one."
    )
    timezone = serializers.CharField(required=False, allow_blank=True, max_length=64)


class HistoryOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    list = serializers.CharField(source="subscription_list.list_id", allow_null=True)
    source = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    recorded_at = serializers.DateTimeField()
    superseded = serializers.BooleanField()
    opt_out_reason = serializers.CharField()
    fields_changed = serializers.SerializerMethodField()
    note = serializers.CharField()

    def get_fields_changed(self, event) -> builtins.list[str]:
        return sorted(event.changes or {})


class HistoryPage(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = HistoryOut(many=True)

    @staticmethod
    def results_data(rows) -> list:
        return HistoryOut(rows, many=True).data
