"""Writes of the papers app: reader suggestions. Check, then do, in one transaction.

Refusals are ``forum.errors`` (``InvalidInput``, ``NotAllowed``), with the HTTP status a view
should answer and a message for the reader. A suggestion is a comment, so ``suggestion_create``
also passes on the refusals of ``comment_create``; a taken paper becomes an entry through
``roundups.services.entry_add``, the roundups' own write path.
"""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
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
from roundups.services import entry_add

from .models import PaperSuggestion

TITLE_MAX_LENGTH = PaperSuggestion._meta.get_field("title").max_length
URL_MAX_LENGTH = PaperSuggestion._meta.get_field("url").max_length
BLURB_MAX_LENGTH = 2_000  # a paragraph on why it is worth reading; the roundup has the rest
_url_validator = URLValidator(schemes=["http", "https"])
_MARKDOWN_SPECIALS = "\\`*_{}[]()#+-.!<>|~"


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
    with transaction.atomic():
        comment = comment_create(roundup=roundup, author=author, body=blurb)
        return PaperSuggestion.objects.create(comment=comment, title=title, url=url, blurb=blurb)


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
        suggestion = (
            PaperSuggestion.objects.select_for_update(of=("self",))
            .select_related("comment__author")
            .get(pk=suggestion.pk)
        )
        if not suggestion.is_open:
            raise InvalidInput("This suggestion was already taken.")
        if suggestion.comment.state != Comment.State.VISIBLE:
            raise InvalidInput("This suggestion's comment was deleted or removed.")
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
    text = f"{by.username} took your suggestion “{suggestion.title}” into an upcoming roundup"
    notify_suggestion(users=[suggestion.comment.author_id], actor=by, roundup=None, text=text)


def on_roundup_published(*, roundup) -> None:
    """Tell the readers whose suggestions a roundup took that it is out (roundups' hook)."""
    taken = PaperSuggestion.objects.filter(taken_entry__roundup=roundup).values_list(
        "comment__author_id", flat=True
    )
    if users := list(taken):
        text = f"“{roundup.title}”, with a paper you suggested, is published"
        notify_suggestion(users=users, actor=roundup.author, roundup=roundup, text=text)
