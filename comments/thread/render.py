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

from django.urls import get_script_prefix, reverse

from .. import permissions
from . import row as declared
from . import votes
from .tree import COLLAPSE_AT_SCORE, More, Node, walk

VISIBLE = "visible"
DELETED = "deleted"
REMOVED = "removed"
# One label per placeholder, wherever a comment that is gone is named (thread, permalink path,
# excerpts: see templatetags/comments.py).
PLACEHOLDER_LABELS = {DELETED: "[deleted]", REMOVED: "[removed by a moderator]"}
_SENTINEL_ID = 987654321  # reversed once and replaced: see Urls


class DOM:
    """Class names and attributes that ``static/js/thread.js`` finds the thread by.

    The script's header lists the same names and points here: rename one only in both places.
    """

    SECTION = "thread-section"  # templates/comments/_thread_header.html's section
    THREAD = "thread"
    COMMENT = "comment"
    CHILDREN = "comment-children"
    INNER = "comment-inner"
    ACTIONS = "comment-actions"
    SCORE = "data-score"
    REPLY = "data-reply"
    VOTE_FORM = "vote-form"
    VOTE_UP = "vote-up"
    VOTE_DOWN = "vote-down"
    MORE_REPLIES = "more-replies"  # "N more replies" (an <li> among the replies)
    MORE_REPLIES_ATTR = "data-more-replies"
    LOAD_MORE = "data-load-more"  # "load more comments" (templates/comments/_thread.html)


THREAD_OPEN = f'<ul class="{DOM.THREAD}">'
THREAD_CLOSE = "</ul>"


@dataclass
class Urls:
    """Link prefixes reversed once per page; per comment they are joined by formatting."""

    comments: str  # "/comments/"
    profiles: str  # "/users/"
    login: str
    moderation_log: str = "/moderation/log/"  # a log entry is "<this><id>/"

    @classmethod
    def build(cls):
        """The prefixes, reversed once per process and script prefix (they never change)."""
        prefix = get_script_prefix()
        urls = _URLS.get(prefix)
        if urls is None:
            urls = _URLS[prefix] = cls._reverse()
        return urls

    @classmethod
    def _reverse(cls):
        comment = reverse("comments:permalink", args=[_SENTINEL_ID])
        profile = reverse("users:profile", args=["x"])
        return cls(
            comments=comment[: comment.index(str(_SENTINEL_ID))],
            profiles=profile[: -len("x/")],
            login=reverse("login"),
            moderation_log=reverse("comments:moderation_log"),
        )


_URLS: dict[str, Urls] = {}


@dataclass
class Viewer:
    """Who is looking, and what they may do: worked out once per page."""

    user: object
    votes: dict = field(default_factory=dict)  # comment id -> (approval, agreement): -2 .. 2
    csrf_token: str = ""
    new_since: datetime | None = None
    locked: bool = False
    page_url: str = ""  # the page the thread is on
    # The roundup's author: their comments carry an "author" badge (the row's author_id, no query).
    roundup_author_id: int | None = None
    # Kept on the links to a comment's page ("N more replies", "continue this thread"): the
    # reader's ``?since=`` (page.chosen_since), as "?since=week", or "".
    link_query: str = ""
    # Paper entries of the roundup, {id: (title, anchor)}: a top-level comment about one paper
    # is labelled "on: <title>", linking to the entry. Given only for the full thread (a page
    # narrowed to one paper needs no label); empty: no labels.
    papers: dict = field(default_factory=dict)

    def __post_init__(self):
        # What the viewer may do, worked out once: per comment only the row's own facts remain.
        self.may = permissions.Actor.of(self.user, locked=self.locked)
        self.id = self.may.id
        self.is_moderator = self.may.is_moderator
        self.can_act = self.may.may_comment()
        self.csrf_token = escape(self.csrf_token)
        self.csrf_input = votes.csrf_input(self.csrf_token)
        self.paper_labels = {
            pk: f'<p class="on-paper">on: <a href="#{escape(anchor)}">{escape(title)}</a></p>'
            for pk, (title, anchor) in self.papers.items()
        }


_AGE_UNITS = (("year", 31_536_000), ("month", 2_592_000), ("day", 86_400), ("hour", 3600))


def age(moment: datetime, now: datetime) -> str:
    """Say "5 minutes ago": cheaper than ``timesince``, which the page would call per comment."""
    seconds = int((now - moment).total_seconds())
    if seconds < 60:
        return "just now"
    unit, size = "minute", 60  # seconds >= 60 here
    for name, length in _AGE_UNITS:
        if seconds >= length:
            unit, size = name, length
            break
    n = seconds // size
    return f"{n} {unit}{'' if n == 1 else 's'} ago"


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
        if node.__class__ is Node
        and node.comment.created_at > since
        and node.comment.state == VISIBLE
        and node.comment.author_id != viewer.id
    ]


def render_thread(
    forest, *, viewer: Viewer, urls: Urls, now: datetime, target_id=None
) -> tuple[bytes, list[int]]:
    """The thread as UTF-8 bytes, and the ids of the comments marked new, in order.

    Bytes, because each comment is encoded as it is written: one comment with a character
    outside Latin-1 would otherwise turn the whole multi-megabyte page into a 2- or 4-byte-per-
    character string, doubling every copy of it (our own markup is ASCII for the same reason).
    """
    pairs = list(walk(forest))
    fresh = new_ids(pairs, viewer)
    next_new = dict(zip(fresh, fresh[1:], strict=False))
    fresh_set = set(fresh)
    page = _Page(viewer, urls, now)
    out = [_THREAD_OPEN]
    append = out.append
    base = forest[0].depth if forest else 0  # a part of replies starts below the top
    depth = -1
    close = _COMMENT_CLOSE
    for node, cut in pairs:
        d = node.depth - base
        if d > depth:
            if depth >= 0:
                append(_CHILDREN_OPEN)
        else:
            append(close)
            append(_CHILDREN_CLOSE * (depth - d))
        depth = d
        if node.__class__ is More:
            append(_more(page, node))
            close = _MORE_CLOSE
            continue
        close = _COMMENT_CLOSE
        row = node.comment
        is_new = row.id in fresh_set
        append(
            _comment(page, node, cut, is_new, next_new.get(row.id), row.id == target_id).encode()
        )
    if depth >= 0:
        append(close)
        append(_CHILDREN_CLOSE * depth)
    append(_THREAD_CLOSE)
    return b"".join(out), fresh


def _more(page: "_Page", more: More) -> bytes:
    """ "N more replies": a link to the comment's own page, which shows them (the page's
    script fetches them in place)."""
    n = more.count
    label = "1 more reply" if n == 1 else f"{n} more replies"
    pid = more.parent.comment.id
    href = f"{page.urls.comments}{pid}/{page.viewer.link_query}"
    return (
        f'<li class="{DOM.MORE_REPLIES}"><a href="{href}" '
        f'{DOM.MORE_REPLIES_ATTR} data-parent="{pid}">{label}</a>'
    ).encode()


_MORE_CLOSE = b"</li>"
_THREAD_OPEN = THREAD_OPEN.encode()
_THREAD_CLOSE = THREAD_CLOSE.encode()
_CHILDREN_OPEN = f'<ul class="{DOM.CHILDREN}">'.encode()
_COMMENT_CLOSE = b"</div></details></li>"
_CHILDREN_CLOSE = b"</ul></div></details></li>"


def render_one(row, *, viewer: Viewer, urls: Urls, now: datetime) -> str:
    """One comment with no replies, as it shows in a thread: a fresh reply, for the script."""
    return _comment(_Page(viewer, urls, now), Node(row), False, False, None, False) + _CLOSE


_CLOSE = _COMMENT_CLOSE.decode()


class _Page:
    """What every comment of one page shares: worked out once, read per comment."""

    __slots__ = ("viewer", "urls", "now", "authors", "cards", "op")

    def __init__(self, viewer: Viewer, urls: Urls, now: datetime):
        self.viewer, self.urls, self.now = viewer, urls, now
        self.authors: dict[int, str] = {}  # author id -> header markup, built once per author
        self.op = viewer.roundup_author_id
        fields = declared.row_type()._fields
        self.cards = [(fields.index(x.marker), x.render_card) for x in declared.extensions()]

    def author(self, row) -> str:
        """The name, linking to the profile, with the karma on hover (not after every name, as
        LessWrong), and the roundup author's badge: built once per author and page."""
        markup = self.authors.get(row.author_id)
        if markup is None:
            karma = row.author_karma or 0  # None: no vote has reached this author yet
            name = escape(row.author_name)
            markup = (
                f'<a class="comment-author" href="{self.urls.profiles}'
                f'{quote(row.author_name, safe="")}/" title="{name} &middot; {karma} karma">'
                f"{name}</a>"
            )
            if row.author_id == self.op:
                markup += (
                    f' <span class="author-badge" title="{name} wrote this roundup">author</span>'
                )
            self.authors[row.author_id] = markup
        return markup


# The fold's toggle, split around the count of hidden replies. Text, not an aria-label, names the
# toggle: a label would hide the hidden-replies count.
_FOLD_HEAD = (
    '<summary class="fold"><span class="fold-open"><span aria-hidden="true">[&minus;]</span>'
    '<span class="sr-only">collapse</span></span><span class="fold-closed">[+] '
)
_FOLD_OPEN = '<details class="comment-fold" open>' + _FOLD_HEAD
_FOLD_SHUT = '<details class="comment-fold">' + _FOLD_HEAD
_FOLD_TAIL = f'</span></summary><div class="{DOM.INNER}">'


def _comment(page: _Page, node, cut, is_new, next_new, is_target) -> str:
    """One comment's markup: head, then the fold with body and actions. The hot loop of the
    biggest pages: the rare parts (edits, own comments, moderators) sit behind ifs."""
    row = node.comment
    cid = row.id
    base = f"{page.urls.comments}{cid}/"
    visible = row.state == VISIBLE
    viewer_id = page.viewer.id
    own = viewer_id is not None and row.author_id == viewer_id
    classes = _CLASSES[is_new + 2 * own + 4 * is_target + 8 * (not visible)]
    if visible and row.score <= COLLAPSE_AT_SCORE:
        fold_open = _FOLD_SHUT
    else:
        fold_open = _FOLD_OPEN
    hidden = node.descendants
    fold = _FOLD_LABELS[hidden] if hidden < 2 else f"{hidden} replies hidden"
    markup = (
        f'<li class="{classes}" id="c{cid}" data-id="{cid}"><div class="comment-head">'
        f"{_head(page, row, base, own, visible, is_new)}</div>{fold_open}{fold}{_FOLD_TAIL}"
        f"{_body(page, row) if visible else ''}{_ACTIONS_OPEN}"
        f"{_actions(page, row, base, own, visible, is_new, next_new, is_target)}</div>"
    )
    if cut:
        more = "1 more reply" if hidden == 1 else f"{hidden} more replies"
        markup += (
            f'<p class="continue"><a href="{base}{page.viewer.link_query}">'
            f"continue this thread ({more}) &rarr;</a></p>"
        )
    return markup


_FOLD_LABELS = ("comment hidden", "1 reply hidden")  # then "<n> replies hidden"
# A comment's classes for every mix of new, own, target and placeholder, looked up by those four
# flags as bits: one index instead of four ifs per comment.
_CLASSES = tuple(
    " ".join(
        [DOM.COMMENT]
        + [name for bit, name in enumerate(("is-new", "is-own", "is-target", "is-placeholder"))
           if flags >> bit & 1]
    )
    for flags in range(16)
)  # fmt: skip
_ACTIONS_OPEN = f'<div class="{DOM.ACTIONS}">'
_REPLY_ATTR = DOM.REPLY


def _head(page: _Page, row, base: str, own: bool, visible: bool, is_new: bool) -> str:
    """Author (karma on hover, the roundup author's badge), times, then the scores: between
    their arrows for a reader who may vote, alone for anyone else. A placeholder's label and
    time."""
    if not visible:
        label = PLACEHOLDER_LABELS[row.state]
        return (
            f'<span class="placeholder">{label}</span> &middot; {_time(row.created_at, page.now)}'
        )
    head = (
        f"{page.authors.get(row.author_id) or page.author(row)} &middot; "
        f"{_time(row.created_at, page.now)}"
    )
    if row.edited_at is not None:
        who = "edited by a moderator" if row.edited_by_id != row.author_id else "edited"
        head += f' &middot; <span class="edited">{who} {_time(row.edited_at, page.now)}</span>'
    if is_new:
        head += ' <strong class="new-badge">new</strong>'
    viewer = page.viewer
    if own or viewer.id is None or not viewer.may.may_vote(row):
        return f"{head} &middot; {votes.scores(row)}"
    return f"{head} {votes.vote_form(base, viewer.csrf_input, viewer.votes.get(row.id), row)}"


def _body(page: _Page, row) -> str:
    """A visible comment's paper label (top level, full thread), cards (from row extensions)
    and its sanitized text."""
    cards = ""
    if row.paper_entry_id is not None and row.parent_id is None:
        cards = page.viewer.paper_labels.get(row.paper_entry_id, "")
    for index, render in page.cards:
        if row[index]:
            cards += render(row)
    note = _moderation_note(page, row) if row.moderation_id else ""
    return f'{cards}<div class="comment-body prose">{row.body_html}</div>{note}'


def _moderation_note(page: _Page, row) -> str:
    """Under a comment a moderator edited, for everyone: the reason, linking to the log entry
    and to the comment's history (public for moderator edits, see permissions.py)."""
    base = f"{page.urls.comments}{row.id}/"
    entry = f"{page.urls.moderation_log}{row.moderation_id}/"
    return (
        f'<p class="moderation-note">Edited by a moderator: '
        f"&ldquo;{escape(row.moderation_reason or '')}&rdquo; "
        f'(<a href="{entry}">log entry</a>, <a href="{base}history/">earlier text</a>)</p>'
    )


def _actions(page: _Page, row, base, own, visible, is_new, next_new, is_target) -> str:
    """Vote, reply, permalink, parent, the owner's and moderator's links, next new."""
    viewer = page.viewer
    actions = _reply(viewer, base) if visible else ""
    actions += f'<a href="{base}" rel="bookmark">permalink</a>'
    parent_id = row.parent_id
    if parent_id is not None:
        # On a permalink page the target's parent is not on the page: link to its own page.
        parent = f"{page.urls.comments}{parent_id}/" if is_target else f"#c{parent_id}"
        actions += f'<a href="{parent}">parent</a>'
    if own or viewer.is_moderator:
        actions += _owner_links(row, viewer.may, base)
    if is_new and next_new is not None:
        actions += f'<a class="next-new" href="#c{next_new}">next new comment</a>'
    return actions


def _reply(viewer: Viewer, base: str) -> str:
    """A visible comment's reply link. Anonymous readers get it too, leading to the login and
    back to the reply form; the thread's one "log in to vote or reply" prompt stands above it
    (templates/comments/_login_prompt.html). In a locked thread there is nothing to log in for."""
    if viewer.can_act:
        return f'<a class="reply-link" href="{base}reply/" {_REPLY_ATTR}>reply</a>'
    if viewer.id is None and not viewer.locked:
        return f'<a class="reply-link" href="{base}reply/">reply</a>'
    return ""


def _owner_links(row, may: "permissions.Actor", base: str) -> str:
    """Edit, delete, history and the moderator's remove or restore, for who may use them."""
    links = ""
    if may.may_edit(row):
        links += f'<a href="{base}edit/">edit</a>'
    if may.may_delete(row):
        links += f'<a href="{base}delete/">delete</a>'
    if row.edited_at is not None and may.may_read_history(row):
        links += f'<a href="{base}history/">history</a>'
    if may.is_moderator:
        if row.state == REMOVED:
            links += f'<a href="{base}restore/">restore</a>'
        elif row.state == VISIBLE:
            links += f'<a href="{base}remove/">remove</a>'
    return links
