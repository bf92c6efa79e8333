"""The markup of a thread, written in Python: the hot path of the biggest pages.

One function walks ``tree.walk()`` output and opens or closes nested lists as the depth changes
(as Lobsters' ``_threads.html.erb`` does), so there is no recursion, no template per comment and
no URL reversal per comment: every link is built by string formatting from prefixes reversed once
per page. Every user-controlled string goes through ``html.escape``; ``body_html`` is already
sanitized (``forum/markdown.py``, when the comment was saved) and is inserted as it is.

Each comment is an ``<li id="c<id>">`` with its header, then a ``<details>`` that holds the body,
the actions and the replies, so collapsing works without JavaScript and the header stays visible.
"""

from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from urllib.parse import quote

from django.urls import reverse

from accounts.roles import is_moderator
from papers.cards import suggestion_card

from . import services
from .tree import COLLAPSE_AT_SCORE, MAX_DEPTH, walk

VISIBLE = "visible"
DELETED = "deleted"
REMOVED = "removed"
_SENTINEL_ID = 987654321  # reversed once and replaced: see Urls
THREAD_OPEN = '<ul class="thread">'
THREAD_CLOSE = "</ul>"


@dataclass
class Urls:
    """Link prefixes reversed once per page; per comment they are joined by formatting."""

    comments: str  # "/comments/"
    profiles: str  # "/users/"
    login: str

    @classmethod
    def build(cls):
        comment = reverse("comments:permalink", args=[_SENTINEL_ID])
        profile = reverse("users:profile", args=["x"])
        return cls(
            comments=comment[: comment.index(str(_SENTINEL_ID))],
            profiles=profile[: -len("x/")],
            login=reverse("login"),
        )


@dataclass
class Viewer:
    """Who is looking, and what they may do: worked out once per page."""

    user: object
    votes: dict = field(default_factory=dict)  # comment id -> 1 | -1
    csrf_token: str = ""
    new_since: datetime | None = None
    locked: bool = False
    page_url: str = ""  # where "log in to vote" comes back to

    def __post_init__(self):
        self.id = self.user.pk if self.user.is_authenticated else None
        self.is_moderator = is_moderator(self.user)
        self.can_act = self.id is not None and not self.locked
        self.csrf_token = escape(self.csrf_token)
        self.page_url_quoted = quote(self.page_url)  # once per page, not per comment


def age(moment: datetime, now: datetime) -> str:
    """Say "5 minutes ago": cheaper than ``timesince``, which the page would call per comment."""
    seconds = int((now - moment).total_seconds())
    if seconds < 60:
        return "just now"
    for unit, size in (("year", 31_536_000), ("month", 2_592_000), ("day", 86_400),
                       ("hour", 3600), ("minute", 60)):  # fmt: skip
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'' if n == 1 else 's'} ago"
    return "just now"  # unreachable; keeps the function total


def _time(moment: datetime, now: datetime) -> str:
    # Slicing the ISO string is several times cheaper than strftime, once per comment. The
    # database hands back aware datetimes in UTC (USE_TZ), so the exact time is UTC.
    iso = moment.isoformat()
    return f'<time datetime="{iso}" title="{iso[:10]} {iso[11:19]} UTC">{age(moment, now)}</time>'


def new_ids(pairs, viewer: Viewer) -> list[int]:
    """Ids of the shown comments that are new to the viewer, in display order."""
    since = viewer.new_since
    if since is None:
        return []
    return [
        node.comment.id
        for node, _cut in pairs
        if node.comment.created_at > since
        and node.comment.state == VISIBLE
        and node.comment.author_id != viewer.id
    ]


def render_thread(
    forest, *, viewer: Viewer, urls: Urls, now: datetime, max_depth: int = MAX_DEPTH, target_id=None
) -> tuple[bytes, list[int]]:
    """The thread as UTF-8 bytes, and the ids of the comments marked new, in order.

    Bytes, because each comment is encoded as it is written: one comment with a character
    outside Latin-1 would otherwise turn the whole multi-megabyte page into a 2- or 4-byte-per-
    character string, doubling every copy of it (our own markup is ASCII for the same reason).
    """
    pairs = list(walk(forest, max_depth=max_depth))
    fresh = new_ids(pairs, viewer)
    next_new = dict(zip(fresh, fresh[1:], strict=False))
    fresh_set = set(fresh)
    authors: dict[int, str] = {}  # author id -> header markup, built once per author
    out = [_THREAD_OPEN]
    append = out.append
    depth = -1
    for node, cut in pairs:
        d = node.depth
        if d > depth:
            if depth >= 0:
                append(_CHILDREN_OPEN)
        else:
            append(_COMMENT_CLOSE)
            append(_CHILDREN_CLOSE * (depth - d))
        depth = d
        row = node.comment
        is_new = row.id in fresh_set
        append(
            _comment(
                node, cut, viewer, urls, now, authors, is_new, next_new.get(row.id),
                row.id == target_id,
            ).encode()
        )  # fmt: skip
    if depth >= 0:
        append(_COMMENT_CLOSE)
        append(_CHILDREN_CLOSE * depth)
    append(_THREAD_CLOSE)
    return b"".join(out), fresh


_THREAD_OPEN = THREAD_OPEN.encode()
_THREAD_CLOSE = THREAD_CLOSE.encode()
_CHILDREN_OPEN = b'<ul class="comment-children">'
_COMMENT_CLOSE = b"</div></details></li>"
_CHILDREN_CLOSE = b"</ul></div></details></li>"


def _author(row, viewer: Viewer, urls: Urls, cache: dict) -> str:
    markup = cache.get(row.author_id)
    if markup is None:
        karma = row.author_karma or 0  # None: no vote has reached this author yet
        markup = cache[row.author_id] = (
            f'<a class="comment-author" href="{urls.profiles}{quote(row.author_name, safe="")}/">'
            f"{escape(row.author_name)}</a>"
            f' <span class="karma">{karma} karma</span>'
        )
    return markup


# The fold's toggle, split around the count of hidden replies. Text, not an aria-label, names the
# toggle: a label would hide the hidden-replies count.
_FOLD_HEAD = (
    '<summary class="fold"><span class="fold-open"><span aria-hidden="true">[&minus;]</span>'
    '<span class="sr-only">collapse</span></span><span class="fold-closed">[+] '
)
_FOLD_OPEN = '<details class="comment-fold" open>' + _FOLD_HEAD
_FOLD_SHUT = '<details class="comment-fold">' + _FOLD_HEAD
_FOLD_TAIL = '</span></summary><div class="comment-inner">'


def _comment(node, cut, viewer, urls, now, authors, is_new, next_new, is_target) -> str:
    """One comment's markup. The hot loop of the biggest pages: written as few calls and string
    joins as it can be, with the rare parts (edits, own comments, moderators) behind ifs."""
    row = node.comment
    cid = row.id
    base = f"{urls.comments}{cid}/"
    state = row.state
    visible = state == VISIBLE
    own = viewer.id is not None and row.author_id == viewer.id
    classes = "comment"
    if is_new:
        classes += " is-new"
    if own:
        classes += " is-own"
    if is_target:
        classes += " is-target"
    if not visible:
        classes += " is-placeholder"

    hidden = node.descendants
    if hidden == 0:
        fold = "comment hidden"
    elif hidden == 1:
        fold = "1 reply hidden"
    else:
        fold = f"{hidden} replies hidden"

    if visible:
        score = row.score
        author = authors.get(row.author_id) or _author(row, viewer, urls, authors)
        head = (
            f'{author} &middot; <span class="score" data-score>{score} '
            f"{'point' if score == 1 else 'points'}</span> &middot; {_time(row.created_at, now)}"
        )
        if row.edited_at is not None:
            who = "edited by a moderator" if row.edited_by_id != row.author_id else "edited"
            head += f' &middot; <span class="edited">{who} {_time(row.edited_at, now)}</span>'
        if is_new:
            head += ' <strong class="new-badge">new</strong>'
        body = (
            f"{suggestion_card(row) if row.suggestion_url else ''}"
            f'<div class="comment-body prose">{row.body_html}</div>'
        )
        fold_open = _FOLD_SHUT if score <= COLLAPSE_AT_SCORE else _FOLD_OPEN
        if own or viewer.locked:
            actions = ""
        elif viewer.id is None:
            actions = (
                f'<a class="vote-login" href="{urls.login}?next={viewer.page_url_quoted}%23c{cid}">'
                "log in to vote</a>"
            )
        else:
            actions = _vote(row, viewer, base)
        if viewer.can_act:
            actions += f'<a class="reply-link" href="{base}reply/" data-reply>reply</a>'
        elif viewer.id is None and not viewer.locked:
            actions += f'<a href="{base}reply/">reply</a>'
    else:
        label = "[deleted]" if state == DELETED else "[removed by a moderator]"
        head = f'<span class="placeholder">{label}</span> &middot; {_time(row.created_at, now)}'
        body = ""
        fold_open = _FOLD_OPEN
        actions = ""

    actions += f'<a href="{base}" rel="bookmark">permalink</a>'
    parent_id = row.parent_id
    if parent_id is not None:
        # On a permalink page the target's parent is not on the page: link to its own page.
        parent = f"{urls.comments}{parent_id}/" if is_target else f"#c{parent_id}"
        actions += f'<a href="{parent}">parent</a>'
    if own or viewer.is_moderator:
        actions += _owner_links(row, own, visible, viewer, base)
    if is_new and next_new is not None:
        actions += f'<a class="next-new" href="#c{next_new}">next new comment</a>'
    markup = (
        f'<li class="{classes}" id="c{cid}" data-id="{cid}"><div class="comment-head">{head}</div>'
        f"{fold_open}{fold}{_FOLD_TAIL}{body}"
        f'<div class="comment-actions">{actions}</div>'
    )
    if cut:
        more = "1 more reply" if hidden == 1 else f"{hidden} more replies"
        markup += (
            f'<p class="continue"><a href="{base}">continue this thread ({more}) &rarr;</a></p>'
        )
    return markup


def _owner_links(row, own: bool, visible: bool, viewer: Viewer, base: str) -> str:
    """Edit, delete, history and the moderator's remove or restore, for who may use them."""
    links = ""
    if services.can_edit(row, viewer.user) and (viewer.is_moderator or not viewer.locked):
        links += f'<a href="{base}edit/">edit</a>'
    if own and visible:
        links += f'<a href="{base}delete/">delete</a>'
    if row.edited_at is not None:
        links += f'<a href="{base}history/">history</a>'
    if viewer.is_moderator:
        if row.state == REMOVED:
            links += f'<a href="{base}restore/">restore</a>'
        elif visible:
            links += f'<a href="{base}remove/">remove</a>'
    return links


def _vote(row, viewer: Viewer, base: str) -> str:
    """Up and down buttons in one form, for a signed-in viewer who may vote on ``row``; a
    pressed button's value is 0, so pressing it again takes the vote back, with or without
    JavaScript."""
    mine = viewer.votes.get(row.id, 0)
    up, down = mine == 1, mine == -1
    return (
        f'<form class="vote-form" method="post" action="{base}vote/">'
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{viewer.csrf_token}">'
        f'<button type="submit" class="vote vote-up" name="value" value="{0 if up else 1}" '
        f'aria-pressed="{"true" if up else "false"}" aria-label="Vote up">&#9650;</button>'
        f'<button type="submit" class="vote vote-down" name="value" value="{0 if down else -1}" '
        f'aria-pressed="{"true" if down else "false"}" aria-label="Vote down">&#9660;</button>'
        "</form>"
    )
