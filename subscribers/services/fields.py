"""Custom field definitions as Vibes answers about them."""

from django.utils import timezone

from ..models import CustomField


def custom_fields_refused(*, keys, reason: str) -> int:
    """Vibes refused these keys as unknown (422): mark them, so that every push leaves them
    out and the person's other fields still go. Returns how many were newly marked."""
    return CustomField.objects.filter(key__in=list(keys), refused_at__isnull=True).update(
        refused_at=timezone.now(), refused_reason=reason[:500]
    )


def custom_fields_accepted(*, keys) -> int:
    """Staff say Vibes knows these keys now: pushes send them again."""
    return CustomField.objects.filter(key__in=list(keys)).update(refused_at=None, refused_reason="")
