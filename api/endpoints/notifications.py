"""The signed-in reader's notifications: list them, mark them read."""

from ninja import Router

from forum.errors import InvalidInput
from notifications.models import Notification
from notifications.services import mark_read

from ..auth import WRITE_AUTH
from ..schemas import MarkReadIn, MarkReadOut, NotificationPage, Page, errors

router = Router(tags=["notifications"])
PAGE_SIZE = 50  # as many as an inbox page and a half; older ones are a page away


def _out(note: Notification) -> dict:
    return {
        "id": note.pk,
        "kind": note.kind,
        "created_at": note.created_at,
        "read": note.is_read,
        "roundup": note.roundup.slug if note.roundup is not None else None,
        "comment_id": note.comment_id,
        "actor": note.actor.username if note.actor is not None else None,
        "text": note.text,
    }


@router.get("", response={200: NotificationPage, **errors(401, 422)}, auth=WRITE_AUTH)
def notification_list(request, unread: bool = False, page: Page = 1):
    """The reader's notifications, newest first; ``?unread=1`` for the unread ones only."""
    mine = Notification.objects.for_user(request.user)
    shown = mine.unread() if unread else mine
    start = (page - 1) * PAGE_SIZE
    rows = shown.select_related("actor", "roundup")[start : start + PAGE_SIZE]
    count = shown.count()
    return {
        "count": count,
        "unread": count if unread else mine.unread().count(),
        "notifications": [_out(note) for note in rows],
    }


@router.post("/read", response={200: MarkReadOut, **errors(401, 422)}, auth=WRITE_AUTH)
def notification_read(request, data: MarkReadIn):
    """Mark notifications read: ``{"ids": [...]}`` or ``{"all": true}``."""
    if not data.all and not data.ids:
        raise InvalidInput("Give the ids to mark read, or all: true.", fields={"ids": "Missing."})
    marked = mark_read(user=request.user, ids=data.ids, everything=data.all)
    unread = Notification.objects.filter(user=request.user, read_at__isnull=True).count()
    return {"marked": marked, "unread": unread}
