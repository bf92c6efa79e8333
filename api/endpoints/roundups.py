"""Roundups: list, read, write; and the thread under each one."""

import math

from django.http import Http404, HttpResponse
from ninja import Router, Status

from comments.services import comment_create
from comments.thread.parts import PART_COMMENTS, Cursor
from comments.thread.tree import DEFAULT_SORT
from forum.errors import InvalidInput
from forum.keyset import InvalidCursor, keyset_page
from roundups.models import Roundup
from roundups.services import roundup_create, roundup_update

from ..auth import WRITE_AUTH, reader
from ..schemas import (
    SORTS,
    CommentIn,
    CommentOut,
    ListCursor,
    Page,
    PartCursor,
    PartLimit,
    RoundupIn,
    RoundupOut,
    RoundupPage,
    RoundupPatch,
    Slug,
    ThreadOut,
    errors,
)
from ..threads import subtree_json, thread_json

router = Router(tags=["roundups"])
PAGE_SIZE = 20  # roundups per page: about five months of weekly issues


def roundup_out(roundup: Roundup) -> dict:
    """A roundup fetched with ``for_page()`` and ``with_counts()``, as the API shows it."""
    return {
        "slug": roundup.slug,
        "title": roundup.title,
        "url": roundup.get_absolute_url(),
        "author": roundup.author.username,
        "series": (
            {"slug": roundup.series.slug, "name": roundup.series.name} if roundup.series else None
        ),
        "number": roundup.number,
        "status": roundup.status,
        "published_at": roundup.published_at,
        "publish_at": roundup.publish_at if not roundup.is_published else None,
        "intro_html": roundup.intro_html,
        "outro_html": roundup.outro_html,
        "comments_locked": roundup.comments_locked,
        "comment_count": roundup.comment_count,
        "entries": [
            {
                "position": e.position,
                "title": e.title,
                "url": e.url,
                "authors": e.authors,
                "year": e.year,
                "abstract": e.abstract,
                "opinion_html": e.opinion_html,
                "code_url": e.code_url,
                "related_html": e.related_html,
            }
            for e in roundup.entries.all()
        ],
    }


def _visible(user, **lookup) -> Roundup:
    """The roundup if ``user`` may see it; drafts are 404 to everyone but their author and staff."""
    roundup = Roundup.objects.visible_to(user).filter(**lookup).first()
    if roundup is None:
        raise Http404
    return roundup


def _fresh(roundup: Roundup) -> dict:
    return roundup_out(Roundup.objects.for_page().with_counts().get(pk=roundup.pk))


@router.get("", response={200: RoundupPage, **errors(400, 401, 422)})
def roundup_list(request, page: Page = 1, cursor: ListCursor | None = None):
    """Published roundups, newest first, PAGE_SIZE a page; a page past the end is empty.

    Follow ``next`` with ``?cursor=`` (keyset: every page costs the same); ``?page=`` still works.
    """
    reader(request)
    published = Roundup.objects.published()
    count = published.count()
    rows = published.for_page()
    if cursor is None and page > 1:  # skip to the row before the page asked for, in the index
        rows = rows.filter(pk__in=_page_start(published, page))
    try:
        found = keyset_page(rows, "published_at", PAGE_SIZE, after=cursor)
    except InvalidCursor as error:
        raise InvalidInput(str(error)) from None
    return {
        "count": count,
        "page": page if cursor is None else 1,
        "pages": max(1, math.ceil(count / PAGE_SIZE)),
        "next": found.older,
        "results": [roundup_out(r) for r in found],
    }


def _page_start(published, page: int):
    """Page ``page`` by OFFSET, as a subquery of ids (read from the index), one more than a page
    so ``next`` is known: the old way in."""
    start = (page - 1) * PAGE_SIZE
    return published.order_by("-published_at", "-pk").values("pk")[start : start + PAGE_SIZE + 1]


@router.post("", response={201: RoundupOut, **errors(400, 401, 403, 409, 422)}, auth=WRITE_AUTH)
def roundup_new(request, data: RoundupIn):
    """Write a roundup (Authors only); a draft unless ``publish`` is true."""
    fields = data.model_dump()
    fields["slug"] = fields["slug"] or ""
    roundup = roundup_create(author=request.user, **fields)
    return Status(201, _fresh(roundup))


@router.get("/{slug}", response={200: RoundupOut, **errors(401, 404, 422)})
def roundup_detail(request, slug: Slug):
    """One roundup with its entries in order. Drafts: their author and staff only."""
    user = reader(request)
    roundup = _visible(user, slug=slug)
    return _fresh(roundup)


@router.patch(
    "/{slug}", response={200: RoundupOut, **errors(400, 401, 403, 404, 409, 422)}, auth=WRITE_AUTH
)
def roundup_change(request, data: RoundupPatch, slug: Slug):
    """Change a roundup (its author or staff): only the fields sent; ``publish: true`` publishes,
    ``publish_at`` schedules a draft (null unschedules)."""
    roundup = _visible(request.user, slug=slug)
    sent = data.model_dump(exclude_unset=True)
    # null means "leave as is", except where null is a value: no series, no number, no schedule.
    nullable = ("series", "number", "publish_at")
    changes = {k: v for k, v in sent.items() if v is not None or k in nullable}
    roundup = roundup_update(roundup=roundup, by=request.user, **changes)
    return _fresh(roundup)


@router.get("/{slug}/comments", response={200: ThreadOut, **errors(400, 401, 404, 422)})
def thread(
    request,
    slug: Slug,
    sort: SORTS = DEFAULT_SORT,
    limit: PartLimit = PART_COMMENTS,
    cursor: PartCursor | None = None,
):
    """The thread in parts: top-level comments in ``sort`` order with their replies (siblings
    in ``sort`` order at every depth, a few each, then ``more_replies``), about ``limit``
    comments; ``next`` is the cursor of the next part. A cursor keeps the sort it was made with."""
    user = reader(request)
    roundup = _visible(user, slug=slug)
    position = Cursor.decode(cursor) if cursor else None
    body = thread_json(roundup, sort=sort, limit=limit, cursor=position, user=user)
    return HttpResponse(body, content_type="application/json")


@router.post(
    "/{slug}/comments",
    response={201: CommentOut, **errors(400, 401, 403, 404, 422, 429)},
    auth=WRITE_AUTH,
)
def comment_new(request, data: CommentIn, slug: Slug):
    """Post a comment, or a reply when ``parent`` is given."""
    roundup = _visible(request.user, slug=slug)
    comment = comment_create(
        roundup=roundup, author=request.user, body=data.body, parent=data.parent
    )
    body = subtree_json(comment, sort=DEFAULT_SORT, user=request.user)
    return HttpResponse(body, status=201, content_type="application/json")
