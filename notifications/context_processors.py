"""The header's unread count, on every page."""

from django.utils.functional import SimpleLazyObject

from forum.counts import capped_count

from .models import Notification


def unread(request):
    """``unread_notifications``: one bounded query for a signed-in reader, when a page shows it
    ("99+" past ``forum.counts.HEADER_COUNT_CAP``); none for an anonymous one. The partial index
    ``notification_unread`` holds only unread rows."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {
        "unread_notifications": SimpleLazyObject(
            lambda: capped_count(Notification.objects.filter(user=user, read_at__isnull=True))
        )
    }
