"""The thread row: the one shape the page, the permalink, the API and the papers card read.

A row is a named tuple read straight from the cursor (``ThreadRow._make``): building a model
instance per comment costs more than the query on a big thread. Its fields are declared here, in
order, as the SELECT list; ``queries.thread_rows`` fetches exactly these.

* ``FIELDS`` are the comment's own columns, ``AUTHOR_COLUMNS`` and ``TEXT_COLUMNS`` are joined in.
* ``BODY_COLUMNS`` (the markdown source) only with ``with_body=True``, for the API: a page
  never fetches it.
* Extension columns come last. A higher app (papers: a suggestion's card) cannot be imported by
  comments, so it declares its columns and its card with ``register_row_extension`` from its
  ``AppConfig.ready()``; every row then carries them, ``None`` on comments they do not concern.
  The row types are built on first use, after every app is ready, and never change afterwards.
"""

from collections import namedtuple
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Case, F, OuterRef, Q, Subquery, When

FIELDS = (
    "id",
    "parent_id",
    "tree_id",
    "author_id",
    "state",
    "score",
    "upvotes",
    "downvotes",
    "created_at",
    "edited_at",
    "edited_by_id",
    "paper_entry_id",  # the paper a comment discusses: per-paper counts and ?paper= filter
    "agreement",  # the second axis: its weighted sum and vote counts (comments/thread/votes.py)
    "agree_votes",
    "disagree_votes",
)

# The author's name and karma (comments.Karma, kept by every vote; None before any vote reached
# them), joined in so a page needs no query per author and none for karma.
AUTHOR_COLUMNS = {
    "author_name": F("author__username"),
    "author_karma": F("author__karma__value"),
}

# The text lives in CommentText beside the tree row (see comments/models.py): joined here.
TEXT_COLUMNS = {"body_html": F("text__body_html")}
BODY_COLUMNS = {"body": F("text__body")}  # the markdown source: the API only


def _moderator_edit(column: str):
    """The moderation log's row for the comment's last edit when a moderator made it (logged at
    the edit's own time, see services.comment_edit), else NULL. A correlated subquery in the
    same SELECT, no query of its own; SQL evaluates it only on rows a moderator edited."""
    from ..models import ModerationAction

    log = ModerationAction.objects.filter(
        comment_id=OuterRef("pk"), created_at=OuterRef("edited_at")
    ).order_by()
    moderated = Q(edited_by_id__isnull=False) & ~Q(edited_by_id=F("author_id"))
    return Case(When(moderated, then=Subquery(log.values(column)[:1])), default=None)


def moderation_columns() -> dict:
    """A moderator's edit shown to everyone: its log entry's id and reason (else None)."""
    return {"moderation_id": _moderator_edit("pk"), "moderation_reason": _moderator_edit("reason")}


@dataclass(frozen=True)
class RowExtension:
    """Columns a higher app adds to every row, and the card it renders above a comment's body.

    ``render_card(row) -> str`` is called only for rows whose ``marker`` column is not empty, so
    the comments that carry nothing cost one tuple index.
    """

    columns: dict
    render_card: Callable[[tuple], str]
    marker: str


_EXTENSIONS: list[RowExtension] = []
_TYPES: dict[bool, type] = {}


def register_row_extension(*, columns: dict, render_card: Callable, marker: str | None = None):
    """Add ``columns`` (name -> F expression) to every thread row; call from ``ready()``."""
    if _TYPES:
        raise RuntimeError("thread rows are already in use: register from AppConfig.ready()")
    taken = set(FIELDS) | set(AUTHOR_COLUMNS) | set(TEXT_COLUMNS) | set(BODY_COLUMNS)
    taken |= {"moderation_id", "moderation_reason"}
    for extension in _EXTENSIONS:
        taken |= set(extension.columns)
    clash = taken & set(columns)
    if clash:
        raise ValueError(f"thread row columns already declared: {sorted(clash)}")
    marker = marker or next(iter(columns))
    _EXTENSIONS.append(RowExtension(columns=dict(columns), render_card=render_card, marker=marker))


def extensions() -> tuple[RowExtension, ...]:
    return tuple(_EXTENSIONS)


def extension_columns() -> dict:
    merged = {}
    for extension in _EXTENSIONS:
        merged.update(extension.columns)
    return merged


def annotations(*, with_body: bool = False) -> dict:
    """The joined columns, in row order: what ``queries`` annotates the queryset with."""
    return {
        **AUTHOR_COLUMNS,
        **TEXT_COLUMNS,
        **moderation_columns(),
        **(BODY_COLUMNS if with_body else {}),
        **extension_columns(),
    }


def row_type(*, with_body: bool = False) -> type:
    """``ThreadRow`` (or ``ThreadRowWithBody``): built once, from every declared column."""
    cls = _TYPES.get(with_body)
    if cls is None:
        name = "ThreadRowWithBody" if with_body else "ThreadRow"
        cls = _TYPES[with_body] = namedtuple(name, (*FIELDS, *annotations(with_body=with_body)))
    return cls
