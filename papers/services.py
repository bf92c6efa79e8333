"""Writes of the papers app: reader suggestions. Check, then do, in one transaction.

Refusals are ``forum.errors`` (``InvalidInput``, ``NotAllowed``), with the HTTP status a view
should answer and a message for the reader. A suggestion is a comment, so ``suggestion_create``
also passes on the refusals of ``comment_create``; a taken paper becomes an entry through
``roundups.services.entry_add``, the roundups' own write path.
"""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.roles import is_author
from comments.models import Comment
from comments.services import comment_create
from forum.errors import InvalidInput, NotAllowed
from forum.hooks import call_on_commit
from forum.text import clean_text
from notifications.services import notify_suggestion
from roundups.models import PaperEntry, Roundup
from roundups.papers import paper_key
from roundups.services import entry_add

from .models import DECLINE_REASON_MAX_LENGTH, PaperSuggestion, SuggestionSupport

TITLE_MAX_LENGTH = PaperSuggestion._meta.get_field("title").max_length
URL_MAX_LENGTH = PaperSuggestion._meta.get_field("url").max_length
BLURB_MAX_LENGTH = 2_000  # a paragraph on why it is worth reading; the roundup has the rest
_url_validator = URLValidator(schemes=["http", "https"])
_MARKDOWN_SPECIALS = "\\`*_{}[]()#+-.!<>|~"
PAPER_LOCK_NAMESPACE = 0x53_55_47_47  # "SUGG": (namespace, hash of paper_key) advisory locks


def clean_suggestion(title, url, blurb) -> tuple[str, str, str]:
    """The three fields as stored, or ``InvalidInput`` naming the first problem."""
    if not all(isinstance(value, str) for value in (title, url, blurb)):
        raise InvalidInput("Title, link and blurb must be text.")
    title = " ".join(clean_text(title).split())
    url = clean_text(url).strip()
    blurb = clean_text(blurb).strip()
    if not title:
        raise InvalidInput("Give the paper's title.")
    if len(title) > TITLE_MAX_LENGTH:
        raise InvalidInput(f"The title is too long (at most {TITLE_MAX_LENGTH} characters).")
    if url and "://" not in url:
        url = "https://" + url  # as the authoring form reads a link typed without a scheme
    try:
        _url_validator(url)
    except ValidationError:
        raise InvalidInput("Give a link to the paper, starting with https:// or http://.") from None
    if len(url) > URL_MAX_LENGTH:
        raise InvalidInput(f"The link is too long (at most {URL_MAX_LENGTH} characters).")
    if not blurb:
        raise InvalidInput("Say in a sentence or two why the paper is worth a look.")
    if len(blurb) > BLURB_MAX_LENGTH:
        raise InvalidInput(f"The blurb is too long (at most {BLURB_MAX_LENGTH:,} characters).")
    return title, url, blurb


def suggestion_create(*, roundup, author, title, url, blurb) -> PaperSuggestion:
    """A reader suggests a paper: posted as a new root comment (the blurb) marked as a
    suggestion, with the comment services' rules (login, open thread, rate limit)."""
    title, url, blurb = clean_suggestion(title, url, blurb)
    key = paper_key(url)
    with transaction.atomic():
        comment = comment_create(roundup=roundup, author=author, body=blurb)
        # One open suggestion per paper, site-wide: /suggestions/ is one list for every author,
        # and a paper is covered once whichever thread asked for it. A later suggestion still
        # posts its comment, and counts its reader on the open one. Two first suggestions of
        # one paper at once queue on the paper's lock, so the second sees the first.
        _lock_paper(key)
        target = (
            PaperSuggestion.objects.open()
            .filter(paper_key=key)
            .select_for_update(of=("self",))
            .order_by("created_at", "pk")
            .first()
        )
        suggestion = PaperSuggestion.objects.create(
            comment=comment, title=title, url=url, blurb=blurb, paper_key=key,
            status=PaperSuggestion.Status.MERGED if target else PaperSuggestion.Status.OPEN,
            merged_into=target,
        )  # fmt: skip
        if target is not None:
            _support_add(target, author, comment=comment)
        else:  # readers of an open suggestion whose comment is gone count on this one
            _gather_hidden(key, into=suggestion)
        return suggestion


def _lock_paper(key: str) -> None:
    """Serialize suggestions of one paper (PostgreSQL advisory lock, until the transaction
    ends); SQLite's one writer at a time (BEGIN IMMEDIATE) already does."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [PAPER_LOCK_NAMESPACE, key]
            )


def _support_add(suggestion, user, *, comment=None) -> bool:
    """Count ``user`` on ``suggestion`` (locked by the caller) unless they suggested it or
    already support it; True when counted."""
    if user.pk == suggestion.comment.author_id:
        return False
    _, created = SuggestionSupport.objects.get_or_create(
        suggestion=suggestion, user=user, defaults={"comment": comment}
    )
    if created:
        PaperSuggestion.objects.filter(pk=suggestion.pk).update(
            supporter_count=F("supporter_count") + 1
        )
    return created


def on_comment_visibility_changed(*, comment, visible) -> None:
    """Keep the paper's one open suggestion one that readers can see (``comments.hooks``).

    When the open suggestion's comment is deleted or removed, the oldest suggestion merged into
    it whose comment is still visible takes over as the open one. It keeps every supporter,
    and the withdrawn suggester is counted among them, as any merged suggester is. Without this,
    the later readers' wish would vanish from ``/suggestions/`` with the first comment.

    When the comment is restored beside another open suggestion of the paper readers see (rows
    from before this hand-over existed), it merges into that one in the same way; otherwise it
    gathers the readers of any other open suggestion of the paper whose comment is gone, as a
    new suggestion does (``_gather_hidden``). Runs in the delete's, remove's or restore's
    transaction, under the paper's lock, as ``suggestion_create`` does.
    """
    key = (
        PaperSuggestion.objects.filter(comment_id=comment.pk, status=PaperSuggestion.Status.OPEN)
        .values_list("paper_key", flat=True)
        .first()
    )
    if not key:  # not an open suggestion (or one with no paper key to match others by)
        return
    _lock_paper(key)
    locked = PaperSuggestion.objects.select_for_update(of=("self",)).select_related("comment")
    suggestion = locked.filter(comment_id=comment.pk, status=PaperSuggestion.Status.OPEN).first()
    if suggestion is None:
        return
    if visible:
        target = (
            locked.filter(pk__in=PaperSuggestion.objects.open().filter(paper_key=key))
            .exclude(pk=suggestion.pk)
            .order_by("created_at", "pk")
            .first()
        )
        if target is not None:
            _fold(suggestion, into=target)
        else:
            _gather_hidden(key, into=suggestion)
        return
    heir = (
        locked.filter(merged_into=suggestion, comment__state=Comment.State.VISIBLE)
        .order_by("created_at", "pk")
        .first()
    )
    if heir is not None:
        PaperSuggestion.objects.filter(pk=heir.pk).update(
            status=PaperSuggestion.Status.OPEN, merged_into=None
        )
        _fold(suggestion, into=heir)


def _gather_hidden(key: str, *, into) -> None:
    """Fold into ``into`` (the paper's open suggestion readers see) every other open suggestion
    of the paper whose comment is gone (deleted or removed, with no visible suggestion merged
    into it to take over): their supporters count on ``into``. Under the paper's lock."""
    hidden = (
        PaperSuggestion.objects.select_for_update(of=("self",))
        .select_related("comment")
        .filter(paper_key=key, status=PaperSuggestion.Status.OPEN)
        .exclude(comment__state=Comment.State.VISIBLE)
        .exclude(pk=into.pk)
        .order_by("created_at", "pk")
    )
    for source in hidden:
        _fold(source, into=into)


def _fold(source, *, into) -> None:
    """``source`` becomes merged into ``into`` (open, locked): the suggestions merged into
    ``source`` and its supporters move to ``into``, its suggester supports ``into``, and
    ``into``'s count is recounted from its rows."""
    PaperSuggestion.objects.filter(merged_into=source).update(merged_into=into)
    counted = {into.comment.author_id}
    counted.update(
        SuggestionSupport.objects.filter(suggestion=into).values_list("user_id", flat=True)
    )
    moving = SuggestionSupport.objects.filter(suggestion=source)
    moving.filter(user_id__in=counted).delete()  # counted on ``into`` already: one row each
    moving.update(suggestion=into)
    PaperSuggestion.objects.filter(pk=source.pk).update(
        status=PaperSuggestion.Status.MERGED, merged_into=into, supporter_count=1
    )  # its readers count on ``into`` now; it keeps its suggester, as a merged one does
    if source.comment.author_id not in counted:
        SuggestionSupport.objects.get_or_create(
            suggestion=into, user_id=source.comment.author_id, defaults={"comment": source.comment}
        )
    supporters = SuggestionSupport.objects.filter(suggestion=into).count()
    PaperSuggestion.objects.filter(pk=into.pk).update(supporter_count=1 + supporters)


def _locked_open(suggestion, *, of_what):
    """``suggestion`` locked and re-read, or ``InvalidInput`` saying why it is not open."""
    suggestion = (
        PaperSuggestion.objects.select_for_update(of=("self",))
        .select_related("comment__author")
        .get(pk=suggestion.pk)
    )
    closed = {
        PaperSuggestion.Status.TAKEN: "This suggestion was already taken.",
        PaperSuggestion.Status.DECLINED: "This suggestion was already declined.",
        PaperSuggestion.Status.MERGED: (
            "This suggestion was merged into another one of the same paper; "
            f"{of_what} that one instead."
        ),
    }
    if suggestion.status in closed:
        raise InvalidInput(closed[suggestion.status])
    if suggestion.comment.state != Comment.State.VISIBLE:
        raise InvalidInput("This suggestion's comment was deleted or removed.")
    return suggestion


def suggestion_support(*, suggestion, user) -> tuple[bool, int]:
    """A reader's +1 on an open suggestion, or takes it back (a toggle).

    Returns whether the reader now supports it and how many readers want the paper. One row per
    reader (a unique constraint); the suggester is counted already and cannot +1 their own.
    """
    if user is None or not user.is_authenticated:
        raise NotAllowed("Log in to do that.")
    with transaction.atomic():
        suggestion = _locked_open(suggestion, of_what="support")
        if suggestion.comment.author_id == user.pk:
            raise InvalidInput("You suggested this paper; you are counted already.")
        removed, _ = SuggestionSupport.objects.filter(suggestion=suggestion, user=user).delete()
        if removed:
            PaperSuggestion.objects.filter(pk=suggestion.pk).update(
                supporter_count=F("supporter_count") - 1
            )
        else:
            _support_add(suggestion, user)
        suggestion.refresh_from_db(fields=["supporter_count"])
    return not removed, suggestion.supporter_count


def clean_decline_reason(reason) -> str:
    """The reason as stored, or ``InvalidInput`` saying what is wrong with it."""
    reason = " ".join(clean_text(reason).split()) if isinstance(reason, str) else ""
    if not reason:
        raise InvalidInput("Give the reader a reason for declining.")
    if len(reason) > DECLINE_REASON_MAX_LENGTH:
        raise InvalidInput(
            f"The reason is too long (at most {DECLINE_REASON_MAX_LENGTH} characters)."
        )
    return reason


def suggestion_decline(*, suggestion, by, reason) -> PaperSuggestion:
    """An author (or staff) declines an open suggestion with a reason; the reader who suggested
    it and its supporters are told, with the reason. It leaves the open list; the reason shows
    on the suggestion's card in the thread."""
    if by is None or not by.is_authenticated:
        raise NotAllowed("Log in to do that.")
    if not is_author(by):
        raise NotAllowed("Only authors can decline suggested papers.")
    reason = clean_decline_reason(reason)
    with transaction.atomic():
        suggestion = _locked_open(suggestion, of_what="decline")
        suggestion.status = PaperSuggestion.Status.DECLINED
        suggestion.declined_reason = reason
        suggestion.declined_by = by
        suggestion.declined_at = timezone.now()
        suggestion.save(update_fields=["status", "declined_reason", "declined_by", "declined_at"])
        call_on_commit(_tell_declined, suggestion=suggestion, by=by)
    return suggestion


def _tell_readers(suggestion, *, by, news: str) -> None:
    """Tell the suggester ("your suggestion ...") and its supporters ("the suggestion ... you
    supported") the same ``news``."""
    title = suggestion.title
    yours = f"{by.username} {news.format(what=f'your suggestion “{title}”')}"
    notify_suggestion(users=[suggestion.comment.author_id], actor=by, roundup=None, text=yours)
    supporters = list(
        SuggestionSupport.objects.filter(suggestion=suggestion).values_list("user_id", flat=True)
    )
    if supporters:
        theirs = f"{by.username} {news.format(what=f'the suggestion “{title}” you supported')}"
        notify_suggestion(users=supporters, actor=by, roundup=None, text=theirs)


def _tell_declined(*, suggestion, by) -> None:
    reason = suggestion.declined_reason.replace("{", "{{").replace("}", "}}")
    _tell_readers(suggestion, by=by, news=f"declined {{what}}: {reason}")


def _markdown_text(text: str) -> str:
    """Text that markdown shows literally (a username such as ``_ada_`` stays as typed)."""
    return "".join("\\" + char if char in _MARKDOWN_SPECIALS else char for char in text)


def credit_line(suggestion) -> str:
    """Markdown for the entry's related field: who suggested it, linked to their comment."""
    username = suggestion.comment.author.get_username()
    profile = reverse("users:profile", args=[username])
    comment = reverse("comments:permalink", args=[suggestion.comment_id])
    return f"Suggested by [{_markdown_text(username)}]({profile}) in [a comment]({comment})."


def suggestion_take(*, suggestion, by, roundup) -> PaperEntry:
    """An author adds a suggested paper to one of their draft roundups, last in its order.

    The blurb becomes the first draft of the opinion, the related field credits the reader, and
    the suggestion is marked taken with the entry it became. Both rows are locked, so two authors
    cannot take one suggestion; ``entry_add`` (in the same transaction) keeps positions and the
    paper limit.
    """
    if by is None or not by.is_authenticated:
        raise NotAllowed("Log in to do that.")
    if not is_author(by):
        raise NotAllowed("Only authors can add suggested papers to roundups.")
    if roundup is None:
        raise InvalidInput("Choose one of your draft roundups.")
    if roundup.author_id != by.pk:
        raise NotAllowed("You can only add papers to your own drafts.")
    with transaction.atomic():
        roundup = Roundup.objects.select_for_update().get(pk=roundup.pk)
        if roundup.is_published:
            raise InvalidInput(
                f"“{roundup.title}” is published; choose a draft (edit a published roundup on "
                "its edit page)."
            )
        suggestion = _locked_open(suggestion, of_what="take")
        entry = entry_add(
            roundup=roundup,
            by=by,
            title=suggestion.title,
            url=suggestion.url,
            opinion=suggestion.blurb,
            related=credit_line(suggestion),
        )
        suggestion.status = PaperSuggestion.Status.TAKEN
        suggestion.taken_entry = entry
        suggestion.taken_by = by
        suggestion.taken_at = timezone.now()
        suggestion.save(update_fields=["status", "taken_entry", "taken_by", "taken_at"])
        call_on_commit(_tell_taken, suggestion=suggestion, by=by)
    return entry


def _tell_taken(*, suggestion, by) -> None:
    # The draft's title is its author's until it is published: the reader hears that much.
    _tell_readers(suggestion, by=by, news="took {what} into an upcoming roundup")


def on_roundup_published(*, roundup) -> None:
    """Tell the readers whose suggestions a roundup took that it is out (roundups' hook)."""
    taken = PaperSuggestion.objects.filter(taken_entry__roundup=roundup)
    supporters = SuggestionSupport.objects.filter(suggestion__in=taken).values_list(
        "user_id", flat=True
    )
    if users := [*taken.values_list("comment__author_id", flat=True), *supporters]:
        text = f"“{roundup.title}”, with a paper you suggested, is published"
        notify_suggestion(users=users, actor=roundup.author, roundup=roundup, text=text)
