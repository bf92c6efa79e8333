"""One comment: read it with its replies, edit, delete, vote."""

from dataclasses import asdict

from django.http import Http404, HttpResponse
from ninja import Router, Status

from comments import permissions
from comments.models import Comment
from comments.services import comment_delete, comment_edit, comment_remove, vote_cast
from comments.thread.parts import PART_COMMENTS, Cursor
from comments.thread.tree import DEFAULT_SORT
from roundups.models import Roundup

from ..auth import WRITE_AUTH, reader
from ..schemas import (
    SORTS,
    CommentEditIn,
    CommentId,
    CommentOut,
    CommentPartOut,
    PartCursor,
    PartLimit,
    Reason,
    VoteIn,
    VoteOut,
    errors,
)
from ..threads import subtree_json

router = Router(tags=["comments"])
WRITE_ERRORS = errors(400, 401, 403, 404, 422)  # what every write on one comment may answer


def _comment(user, comment_id) -> Comment:
    """The comment if ``user`` may see its roundup (one query)."""
    comment = (
        Comment.objects.select_related("roundup")
        .filter(pk=comment_id, roundup__in=Roundup.objects.visible_to(user))
        .first()
    )
    if comment is None:
        raise Http404
    return comment


def _subtree_response(comment, *, sort=DEFAULT_SORT, user=None, **part):
    body = subtree_json(comment, sort=sort, user=user, **part)
    if body is None:
        raise Http404  # deleted or removed, with no visible reply left below it
    return HttpResponse(body, content_type="application/json")


@router.get("/{comment_id}", response={200: CommentPartOut, **errors(400, 401, 404, 422)})
def comment_detail(
    request,
    comment_id: CommentId,
    sort: SORTS = DEFAULT_SORT,
    limit: PartLimit = PART_COMMENTS,
    cursor: PartCursor | None = None,
):
    """A comment with a part of its replies nested below it, cut as a thread's part is
    (``more_replies``); ``next`` is the cursor of the next part of its direct replies."""
    user = reader(request)
    comment = _comment(user, comment_id)
    position = Cursor.decode(cursor) if cursor else None
    return _subtree_response(
        comment, sort=sort, user=user, limit=limit, cursor=position, with_next=True
    )


@router.patch("/{comment_id}", response={200: CommentOut, **WRITE_ERRORS}, auth=WRITE_AUTH)
def comment_change(request, data: CommentEditIn, comment_id: CommentId):
    """Edit the text: the author, or a moderator giving a reason (logged publicly)."""
    comment = _comment(request.user, comment_id)
    comment_edit(comment=comment, by=request.user, body=data.body, reason=data.reason)
    return _subtree_response(comment, user=request.user)


@router.delete("/{comment_id}", response={204: None, **WRITE_ERRORS}, auth=WRITE_AUTH)
def comment_withdraw(
    request,
    comment_id: CommentId,
    reason: Reason = "",
):
    """Soft delete: the author deletes their own; a moderator removes anyone's, with a reason."""
    comment = _comment(request.user, comment_id)
    if comment.author_id != request.user.pk and permissions.may_moderate(request.user):
        comment_remove(comment=comment, by=request.user, reason=reason)
    else:
        comment_delete(comment=comment, by=request.user)
    return Status(204, None)


@router.post("/{comment_id}/vote", response={200: VoteOut, **WRITE_ERRORS}, auth=WRITE_AUTH)
def comment_vote(request, data: VoteIn, comment_id: CommentId):
    """Vote up (1), down (-1), or take the vote back (0), on approval or agreement, normal or
    strong."""
    comment = _comment(request.user, comment_id)
    result = vote_cast(
        comment=comment, user=request.user, value=data.value, axis=data.axis, strong=data.strong
    )
    return asdict(result)
