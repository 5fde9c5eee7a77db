"""Schema post-processing: request bodies say what the views enforce."""


def strict_request_bodies(result, generator, request, public):
    """Request components refuse unknown fields (api/serializers.py StrictSerializer)."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") and component.get("type") == "object":
            component["additionalProperties"] = False
    return result


def api_paths_only(endpoints):
    """The schema of the company API: not the Vibes callback endpoint, which is not
    for the company's systems and documented in docs/vibes.md."""
    return [e for e in endpoints if e[0].startswith("/api/v1/")]
