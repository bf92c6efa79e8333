"""Roundups' background work: publishing a draft at its scheduled time."""

from datetime import datetime

from forum.tasks import background

from .services import roundup_publish_due


@background(queue_name="default")
def publish_scheduled(roundup_id: int, publish_at: str) -> str:
    """Publish draft ``roundup_id`` if it is still scheduled for ``publish_at`` (ISO 8601).

    Enqueued by ``roundup_schedule`` with ``run_after=publish_at``; safe to run twice, or after
    the draft was rescheduled, unscheduled or published (see ``roundup_publish_due``). A
    database error is retried with the shared backoff; a refusal to publish is not an error.
    """
    return roundup_publish_due(roundup_id=roundup_id, publish_at=datetime.fromisoformat(publish_at))
