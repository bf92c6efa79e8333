"""The comment thread shown under a roundup, and on a comment's permalink page.

A page reads the whole thread in one query (authors' names and karma joined in), plus one for the
viewer's votes and one for the viewer's read marker: a fixed number however many comments and
authors there are. The tree is built and sorted in Python (``tree.py``) and written out as UTF-8
bytes (``render.py``).

``render_thread_page`` is the one entry point for views: the context's ``thread`` is shown by
``templates/comments/_thread.html``, and the thread's bytes go into the response once the page
around them is rendered. Views and templates never see how.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from html import unescape
from urllib.parse import urlencode

from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from forum.gcpause import paused_gc

from ..forms import CommentForm, LockForm, blank_comment_fields
from ..models import Comment
from ..permissions import may_lock
from ..services import read_marker_touch
from . import parts, queries
from .render import THREAD_CLOSE, THREAD_OPEN, Urls, Viewer, age, render_one, render_thread
from .tree import DEFAULT_SORT, MAX_DEPTH, SORTS, build_tree, count_shown, normalize_sort

# Where ``_thread.html`` shows the thread; its bytes replace this once the page is rendered.
# An HTML comment: the sanitizer strips comments, so user text can never contain it.
_SLOT = "<!--roundups:thread-->"
# The reader's chosen sort, remembered in a plain cookie: a display preference of the browser,
# for everyone. A session would cost a stored session (two weeks in Redis) for every anonymous
# reader who ever clicked a sort, and a session write for a signed-in one.
SORT_COOKIE = "sort"
SORT_COOKIE_AGE = 365 * 86_400
# ``?since=`` outside these bounds cannot mean a visit: before the epoch, or after tomorrow.
# (Year 1 with a positive offset is before datetime.min in UTC: it overflowed into a 500.)
SINCE_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
SINCE_LATEST_AHEAD = timedelta(days=1)
SORT_LABELS = {
    "top": "Top",
    "new": "New",
    "old": "Old",
    "best": "Best",
    "hot": "Hot",
    "active": "Active",
    "controversial": "Controversial",
}


def chosen_sort(request) -> str:
    """``?sort=`` when it names a sort, else the remembered one (the cookie), else top.

    A bad value is not an error: the page falls back, as for a missing one.
    """
    asked = normalize_sort(request.GET.get("sort"))
    if asked is not None:
        return asked
    return normalize_sort(request.COOKIES.get(SORT_COOKIE)) or DEFAULT_SORT


def remember_sort(request, response) -> None:
    """Keep ``?sort=`` for the next page; the cookie is written only when the choice changes."""
    asked = normalize_sort(request.GET.get("sort"))
    if asked is not None and request.COOKIES.get(SORT_COOKIE) != asked:
        response.set_cookie(
            SORT_COOKIE,
            asked,
            max_age=SORT_COOKIE_AGE,
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )


def parse_since(value) -> tuple[datetime | None, str]:
    """``?since=`` as an aware datetime, or ``(None, notice)`` when it cannot be read.

    Accepts an ISO date or date-time; a time without an offset is taken as UTC. An unencoded
    ``+01:00`` offset arrives as `` 01:00`` (a ``+`` in a query string means a space), so that
    is read back as a plus.
    """
    if not value:
        return None, ""
    moment = _read_since(value)
    if moment is None:
        return None, (
            f"“{value[:50]}” is not a date we can read (try 2026-01-31 or 2026-01-31T18:00Z), "
            "so new comments are counted from your last visit."
        )
    try:
        in_range = SINCE_EARLIEST <= moment <= timezone.now() + SINCE_LATEST_AHEAD
    except OverflowError:  # an offset that moves the moment past datetime's range
        in_range = False
    if not in_range:
        return None, (
            f"“{value[:50]}” is not a date between 1970 and today, "
            "so new comments are counted from your last visit."
        )
    return moment, ""


# ``?since=``: what counts as new. "visit" (a signed-in reader's default): since their last visit,
# kept for the whole visit (models.VISIT_GAP); "day", "week": the last 24 hours, 7 days; "all":
# no comment is marked new (as Reddit's "no highlighting": marking every one would mark none
# out, and "next new" would walk the whole thread). A date (parse_since) keeps working too.
SINCE_CHOICES = {
    "visit": "your last visit",
    "day": "the last day",
    "week": "the last week",
    "all": "all (mark none new)",
}
SINCE_SPANS = {"day": timedelta(days=1), "week": timedelta(weeks=1)}


def chosen_since(request, roundup, now) -> dict:
    """What counts as new on this page, from ``?since=``: a dict with ``new_since`` (the
    moment, or None: nothing is new), ``since`` (a date asked for, or None), ``since_choice``
    (a key of SINCE_CHOICES, or "date"), ``since_param`` (the value links keep, "" for the
    default), ``since_choices`` (the control's options) and ``since_notice``.

    Reads the reader's marker (one query) only for "visit"; anonymous readers have no visits, so
    their default is "all".
    """
    signed_in = request.user.is_authenticated
    value = (request.GET.get("since") or "").strip()
    since, notice = None, ""
    choice = value if value in SINCE_CHOICES else ""
    if value and not choice:
        since, notice = parse_since(value)
        choice = "date" if since else ""
    if not choice or (choice == "visit" and not signed_in):
        choice = "visit" if signed_in else "all"
    if choice == "visit":
        new_since = queries.last_seen(request.user, roundup, now)
    elif choice in SINCE_SPANS:
        new_since = now - SINCE_SPANS[choice]
    else:
        new_since = since  # a date asked for, or None for "all"
    choices = [(key, label) for key, label in SINCE_CHOICES.items() if signed_in or key != "visit"]
    return {
        "new_since": new_since,
        "since": since,
        "since_choice": choice,
        "since_param": value if choice == "date" or value == choice else "",
        "since_choices": choices,
        "since_notice": notice,
    }


def _read_since(value: str) -> datetime | None:
    text = value.strip()
    for candidate in (text, text.replace(" ", "+")):
        try:
            moment = parse_datetime(candidate)
            if moment is None:
                day = parse_date(candidate)
                moment = datetime.combine(day, time.min) if day else None
        except ValueError:  # well-formed but impossible, such as month 13
            moment = None
        if moment is not None:
            if timezone.is_naive(moment):
                moment = moment.replace(tzinfo=UTC)
            return moment
    return None


def chosen_paper(request, roundup):
    """The paper of ``?paper=<position>`` whose discussion the page shows, and a notice.

    Reads the roundup's entries as the page already has them (prefetched by ``for_page``). A bad
    or unknown position is not an error: the page shows every comment and says why.
    """
    asked = request.GET.get("paper")
    if not asked:
        return None, ""
    for entry in roundup.entries.all():
        if str(entry.position) == asked.strip():
            return entry, ""
    return None, f"This roundup has no paper number “{asked[:20]}”, so every comment is shown."


def paper_counts(rows) -> Counter:
    """Visible comments per paper entry id, from the thread's rows (no query)."""
    return Counter(
        row.paper_entry_id for row in rows if row.paper_entry_id and row.state == "visible"
    )


def kept_paper_counts(roundup) -> dict[int, int]:
    """Visible comments per paper entry id, as ``PaperEntry.comment_count`` keeps them (moved by
    the comment services in each write's transaction, checked by ``check_threads``): read from
    the roundup's prefetched entries, so a thread in parts counts nothing per view."""
    return {entry.pk: entry.comment_count for entry in roundup.entries.all() if entry.comment_count}


def build_thread(request, roundup, part, *, sort, now, since, root_id=None, papers=None) -> dict:
    """Render a part (``parts.Part``) for the viewer: what the roundup and permalink pages share.

    Runs the viewer's-votes query; everything else is pure Python. ``since``: what counts as
    new (``chosen_since``). ``papers``: the roundup's entries, to label comments about one paper
    (already read: no query).
    """
    forest = part.siblings
    user = request.user
    viewer = Viewer(
        user=user,
        votes=queries.viewer_votes(user, roundup),
        csrf_token=get_token(request) if user.is_authenticated else "",
        new_since=since["new_since"],
        locked=roundup.comments_locked,
        page_url=request.path,
        roundup_author_id=roundup.author_id,
        papers={entry.pk: (entry.title, entry.anchor) for entry in papers or ()},
        link_query=f"?{urlencode({'since': since['since_param']})}" if since["since_param"] else "",
    )
    markup, fresh = render_thread(
        forest, viewer=viewer, urls=Urls.build(), now=now, target_id=root_id
    )
    shown = {key: value for key, value in since.items() if key != "new_since"}
    return shown | {
        "thread": RenderedThread(markup),
        "shown_count": part.shown,
        "next_url": _part_url(request, part.next, since["since_param"]),
        "part_start": part.start,
        "new_count": len(fresh),
        "first_new_id": fresh[0] if fresh else None,
        "sort": sort,
        "sort_choices": [(name, SORT_LABELS[name]) for name in SORTS],
        "thread_seen_at": now,
        "is_moderator": viewer.is_moderator,
        "can_comment": viewer.can_act,
        "comments_locked": roundup.comments_locked,
        "comment_max_length": CommentForm.max_length,
    }


# A paper's page shows the start of its discussions, as a thread page shows its first part: the
# top-level comments read at most (best first), across the roundups that cover the paper.
PAPER_ROOTS = parts.PART_COMMENTS


def paper_threads(request, entries, *, sort=DEFAULT_SORT) -> list:
    """The discussions of one paper on its page: per entry (its roundups, ``entries`` with
    ``roundup`` selected) that has comments about it, ``(entry, markup)``, drawn by the roundup
    page's renderer (same nesting, reply and vote).

    Queries: the trees about the paper (one), then the rows of those trees in every roundup at
    once (one), and for a signed-in viewer their votes (one): a fixed count, however many
    roundups cover the paper. Replies carry their root's paper, so the trees are whole.

    Bounded as a thread's first part is, whatever the size of the discussion: at most
    ``PAPER_ROOTS`` top-level comments are read (the best-scored), and each roundup's forest is
    cut to ``parts.PART_COMMENTS`` comments with "N more replies" (``parts.take_part``); the
    heading above each links the whole discussion on the roundup page (``?paper=``), in parts.
    """
    discussed = [entry for entry in entries if entry.comment_count]
    if not discussed:
        return []
    trees = _paper_trees(discussed)
    if not trees:  # counted, but gone since (check_threads repairs the count)
        return []
    user = request.user
    votes = queries.viewer_votes(user, [entry.roundup_id for entry in discussed])
    csrf_token = get_token(request) if user.is_authenticated else ""
    now, urls, threads = timezone.now(), Urls.build(), []
    # Every discussed tree of every roundup in one query; tree ids are unique site-wide.
    tree_ids = [tree_id for ids in trees.values() for tree_id in ids]
    by_tree: dict[int, list] = {}
    for row in queries.thread_rows(list(trees), tree_ids=tree_ids):
        by_tree.setdefault(row.tree_id, []).append(row)
    for entry in discussed:
        roundup = entry.roundup
        if roundup.pk not in trees:
            continue
        rows = [row for tree_id in sorted(trees[roundup.pk]) for row in by_tree.get(tree_id, ())]
        rows = [row for row in rows if row.paper_entry_id == entry.pk]
        viewer = Viewer(
            user=user,
            votes=votes,
            csrf_token=csrf_token,
            locked=roundup.comments_locked,
            page_url=request.path,
            roundup_author_id=roundup.author_id,  # each roundup's own author (selected: no query)
        )
        forest = build_tree(rows, sort=sort, now=now)
        forest, _cut = parts.take_part(forest, budget=parts.PART_COMMENTS)
        markup, _fresh = render_thread(forest, viewer=viewer, urls=urls, now=now)
        threads.append((entry, mark_safe(markup.decode())))  # render.py escapes every user string
    return threads


def _paper_trees(discussed) -> dict[int, list[int]]:
    """``{roundup id: [tree id]}``: the best-scored ``PAPER_ROOTS`` top-level comments about
    the entries ``discussed``, in one query."""
    trees: dict[int, list[int]] = {}
    roots = (
        Comment.objects.filter(
            paper_entry__in=[entry.pk for entry in discussed], parent__isnull=True
        )
        .order_by("-score", "created_at", "id")
        .values_list("roundup_id", "tree_id")[:PAPER_ROOTS]
    )
    for roundup_id, tree_id in roots:
        trees.setdefault(roundup_id, []).append(tree_id)
    return trees


def _part_url(request, cursor, since_param="") -> str:
    """The address of the next part: this page with ``?cursor=`` (and its sort, for humans),
    keeping the reader's ``?since=``."""
    if cursor is None:
        return ""
    query = {"sort": cursor.sort, "cursor": cursor.encode()}
    if since_param:
        query["since"] = since_param
    return f"{request.path}?{urlencode(query)}"


def chosen_cursor(request):
    """``?cursor=`` decoded, or None; a cursor we did not sign is ``InvalidInput`` (400)."""
    value = request.GET.get("cursor")
    return parts.Cursor.decode(value) if value else None


def thread_context(request, roundup) -> dict:
    """Context for ``comments/_thread_section.html``: a part of the thread, sorted, ready to show.

    The rows and the tree are built with the cyclic collector paused (``forum/gcpause.py``):
    they hold no cycles, and are freed as soon as the markup is written. A bad ``?cursor=``
    raises ``InvalidInput``.
    """
    with paused_gc():
        return _thread_context(request, roundup)


def _thread_context(request, roundup) -> dict:
    now = timezone.now()
    cursor = chosen_cursor(request)
    sort = cursor.sort if cursor else chosen_sort(request)
    since = chosen_since(request, roundup, now)
    if cursor is not None and cursor.paper_id:
        paper = next((e for e in roundup.entries.all() if e.pk == cursor.paper_id), None)
        paper_notice = ""
    else:
        paper, paper_notice = chosen_paper(request, roundup)
    rows = None
    if cursor is None and parts.fits_whole(roundup):
        rows = queries.thread_rows(roundup)  # one query, as big as a part: the ranking's too
        counts = paper_counts(rows)
        if paper is not None:  # replies carry their root's paper, so this keeps whole trees
            rows = [row for row in rows if row.paper_entry_id == paper.pk]
    else:  # the counts the comment services keep on each entry (prefetched: no query)
        counts = kept_paper_counts(roundup)
    part = parts.roots_part(
        roundup,
        sort=sort,
        now=now,
        paper_id=paper.pk if paper else None,
        cursor=cursor,
        around=_around(request, roundup),
        rows=rows,
        budget=parts.PART_COMMENTS,
    )
    # The full thread labels comments about one paper; the entries are prefetched (for_page).
    context = build_thread(
        request,
        roundup,
        part,
        sort=sort,
        now=now,
        since=since,
        papers=None if paper else roundup.entries.all(),
    )
    context["comment_count"] = counts.get(paper.pk, 0) if paper else roundup.comment_count
    context.update(paper_filter=paper, paper_notice=paper_notice, paper_comment_counts=counts)
    # Only a reader who may comment sees the box (its fields: rendered once per process).
    if context["can_comment"]:
        context["comment_fields"] = blank_comment_fields(paper.pk if paper else None)
    context["lock_form"] = LockForm() if may_lock(request.user) else None
    return context


def _around(request, roundup):
    """``?comment=<id>``: the comment a link points at, so the page opens on the part holding it.

    Two queries, only on such links: the comment, then the comments above it (its nested set).
    """
    raw = request.GET.get("comment", "")
    if not raw.isdigit() or len(raw) > 18:
        return None
    found = Comment.objects.filter(pk=int(raw), roundup=roundup).values_list(
        "tree_id", "lft", "rght"
    )
    if not found:
        return None
    tree_id, lft, rght = found[0]
    path = Comment.objects.filter(
        roundup=roundup, tree_id=tree_id, lft__lte=lft, rght__gte=rght
    ).values_list("pk", flat=True)
    return parts.Around(tree_id=tree_id, path=frozenset(path))


def part_json(request, context) -> dict:
    """A part for the page's script to insert in place: its comments' markup and the next link."""
    markup = context["thread"].markup
    items = markup[len(THREAD_OPEN) : -len(THREAD_CLOSE)].decode()
    return {"html": items, "next": context["next_url"] or None}


def record_visit(request, roundup, context) -> None:
    """Remember that the reader saw the thread; called after the page is built.

    The moment recorded is when the thread was read, not now: a comment posted while the page
    was being built is still new on the next visit.
    """
    read_marker_touch(user=request.user, roundup=roundup, seen_at=context.get("thread_seen_at"))


def permalink_context(request, comment, *, replies_only=False) -> dict:
    """Context for the permalink page: the comment with a part of its replies, and the path up
    to the roundup. ``?cursor=`` shows a later part of its replies; ``replies_only`` renders
    the replies without the comment (for the page's script to insert them in place).

    Reads the comment's whole tree in the same one query as the roundup page (filtered to the
    tree), so the parents come from the same rows.
    """
    now = timezone.now()
    roundup = comment.roundup
    cursor = chosen_cursor(request)
    sort = cursor.sort if cursor else chosen_sort(request)
    with paused_gc():  # as for the roundup page (see thread_context)
        rows = queries.thread_rows(roundup, tree_id=comment.tree_id)
        forest = build_tree(rows, sort=sort, now=now, root_id=comment.pk)
        total = count_shown(forest)
        if forest:
            part = parts.replies_part(roundup, comment.pk, forest, sort=sort, now=now,
                                      cursor=cursor, budget=parts.PART_COMMENTS)  # fmt: skip
            if replies_only:
                part.siblings = part.siblings[0].children
        else:
            part = parts.Part(siblings=[], shown=0, next=None, start=0)
        context = build_thread(
            request,
            roundup,
            part,
            sort=sort,
            now=now,
            since=chosen_since(request, roundup, now),
            root_id=comment.pk,
        )
    context["shown_count"] = total  # the comment and every reply below it
    ancestors = ancestor_lines(rows, comment, now)
    context.update(
        comment=comment,
        roundup=roundup,
        ancestors=ancestors,
        thread_url=_full_thread_url(roundup, comment, ancestors),
        lock_form=None,
    )
    return context


# How much of a parent's text its one line above a permalink shows: a hint of what was said.
ANCESTOR_EXCERPT_CHARS = 90


@dataclass(frozen=True)
class AncestorLine:
    """A parent of the permalink's comment, as one line: who, when, and the start of what."""

    id: int
    state: str
    author_name: str
    created_at: datetime
    age: str
    excerpt: str  # plain text; "" for a placeholder (deleted or removed)


def ancestor_lines(rows, comment, now) -> list[AncestorLine]:
    """The comment's parents, root first, from its tree's rows (already read: no query).

    A deleted or removed parent keeps its place in the chain with no author and no text (the
    template shows its placeholder label), as in the thread.
    """
    by_id = {row.id: row for row in rows}
    lines = []
    parent_id = comment.parent_id
    while parent_id in by_id:
        row = by_id[parent_id]
        visible = row.state == Comment.State.VISIBLE
        lines.append(
            AncestorLine(
                id=row.id,
                state=row.state,
                author_name=row.author_name if visible else "",
                created_at=row.created_at,
                age=age(row.created_at, now),
                excerpt=plain_excerpt(row.body_html) if visible else "",
            )
        )
        parent_id = row.parent_id
    return lines[::-1]


def plain_excerpt(body_html: str, limit: int = ANCESTOR_EXCERPT_CHARS) -> str:
    """The start of a comment's (sanitized) HTML as plain text on one line, cut at a word."""
    text = " ".join(unescape(strip_tags(body_html or "")).split())
    return Truncator(text).chars(limit)


def _full_thread_url(roundup, comment, ancestors) -> str:
    """Back to the roundup's thread, at the comment, or past the depth cut-off at its deepest
    parent the roundup page shows (on the part holding it when the thread comes in parts)."""
    shown = comment.level < MAX_DEPTH or len(ancestors) < MAX_DEPTH
    target = comment.pk if shown else ancestors[MAX_DEPTH - 1].id
    around = "" if parts.fits_whole(roundup) else f"?comment={target}"
    return f"{roundup.get_absolute_url()}{around}#c{target}"


def render_single(request, comment) -> str:
    """One comment's markup: a fresh reply, for the page's script to insert where it belongs.

    Read as a thread row like every comment on a page (one query, narrowed to the comment).
    """
    roundup = comment.roundup
    (row,) = queries.thread_rows(roundup, comment_id=comment.pk)
    viewer = Viewer(
        user=request.user,
        csrf_token=get_token(request),
        locked=roundup.comments_locked,
        page_url=roundup.get_absolute_url(),
        roundup_author_id=roundup.author_id,
    )
    return render_one(row, viewer=viewer, urls=Urls.build(), now=timezone.now())


class RenderedThread:
    """A rendered thread in a page's context. Printed by ``comments/_thread.html``, it leaves a
    marker that ``render_thread_page`` replaces with the thread's bytes."""

    __slots__ = ("markup",)

    def __init__(self, markup: bytes):
        self.markup = markup

    def __html__(self) -> str:
        return _SLOT

    def __str__(self) -> str:
        return mark_safe(_SLOT)  # the template engine calls str() before escaping


def render_thread_page(request, template_name, context):
    """Render a page that shows a thread: the one way a view answers with a thread on it.

    A big thread is megabytes of markup, and every level of nested template (extends, blocks,
    includes) joins and copies what it renders: so the page is rendered around a marker and the
    thread goes into the response bytes in one join. Also keeps the reader's ``?sort=``.
    """
    response = render(request, template_name, context)
    thread = context.get("thread")
    if thread is not None:
        head, slot, tail = response.content.partition(_SLOT.encode())
        if slot:
            response.content = (head, thread.markup, tail)
    remember_sort(request, response)
    return response


def anchor_url(comment) -> str:
    """Where a comment shows: its roundup's page (with ``?comment=`` when the thread comes in
    parts, so the page opens on the part holding it), or past the depth cut-off its parent's
    page."""
    if comment.level < MAX_DEPTH:
        roundup = comment.roundup
        around = "" if parts.fits_whole(roundup) else f"?comment={comment.pk}"
        return f"{roundup.get_absolute_url()}{around}#c{comment.pk}"
    return f"{reverse('comments:permalink', args=[comment.parent_id])}#c{comment.pk}"
