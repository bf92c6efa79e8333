"""The inbox's reading of a page of notifications."""

from dataclasses import dataclass

from comments.thread.page import anchor_url

from .models import Notification

INBOX_PAGE_SIZE = 30  # a screenful or two; older ones are a page away


@dataclass
class Entry:
    """One line of the inbox: a notification, or several unread replies in one thread."""

    notification: Notification
    url: str
    replies: int = 1  # > 1: this many unread replies in the thread, shown as "N replies"


def inbox_entries(notifications) -> list[Entry]:
    """The page's lines, newest first, with runs of unread replies in one roundup collapsed.

    Collapsing stays within the page: its rows are already fetched, so it costs no query.
    """
    entries: list[Entry] = []
    for note in notifications:
        last = entries[-1] if entries else None
        if last is not None and _same_thread_unread_reply(last.notification, note):
            last.replies += 1
            continue
        entries.append(Entry(notification=note, url=_url(note)))
    return entries


def _same_thread_unread_reply(newer: Notification, older: Notification) -> bool:
    return (
        newer.kind == older.kind == Notification.Kind.REPLY
        and not newer.is_read
        and not older.is_read
        and newer.roundup_id == older.roundup_id
    )


def _url(note: Notification) -> str:
    if note.comment is not None:
        return anchor_url(note.comment)
    if note.roundup is not None:
        return note.roundup.get_absolute_url()
    return ""
