"""What a text of our own that could not be sent changes (``outbox/texts.py``)."""

from django.utils import timezone

from ..models import NumberProof


def number_proof_unsent(*, proof_id: int) -> bool:
    """The code proving a new number never reached the phone: the proof is closed, so the
    page stops asking for the code and says it could not be sent (``preferences.rows``)."""
    return bool(
        NumberProof.objects.filter(pk=proof_id, closed_at__isnull=True).update(
            closed_at=timezone.now()
        )
    )
