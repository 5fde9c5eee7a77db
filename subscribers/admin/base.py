"""Mixins shared by the admin classes."""


class ReadOnlyHistoryMixin:
    """History is append-only for everyone, superusers included."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ObjectOncePerRequestMixin:
    """``get_object`` queries once per request, though the extra context (timeline,
    chart) and the change form both need the object."""

    def get_object(self, request, object_id, from_field=None):
        cache = request.__dict__.setdefault("_admin_objects", {})
        key = (self.model, object_id, from_field)
        if key not in cache:
            cache[key] = super().get_object(request, object_id, from_field)
        return cache[key]
