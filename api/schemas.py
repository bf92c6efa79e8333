"""Request and response shapes. The OpenAPI schema at /api/openapi.json is generated from these.

Every bound here exists so that input the database or a service would choke on is refused as
bad input (422) before it reaches them: ids past the bigint range, slugs with characters a slug
cannot hold, text that is absurdly long.
"""

from datetime import datetime
from typing import Annotated, Literal

from annotated_types import Ge, Le
from django.conf import settings
from ninja import Field, Schema
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict

from comments.thread.parts import MAX_PART_COMMENTS
from roundups.models import MAX_ENTRIES

BIGINT_MAX = 2**63 - 1  # the id columns are bigint; a larger id cannot name a row
INT_MAX = 2**31 - 1  # PositiveIntegerField columns
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"  # what Django's SlugField accepts
SLUG_MAX_LENGTH = 200  # Roundup.slug and Series.slug
TITLE_MAX_LENGTH = 300  # Roundup.title
URL_MAX_LENGTH = 500  # the URLFields
# Long-form markdown (intro, outro, abstracts, opinions): a long essay fits; a pasted dump does not.
LONG_TEXT_MAX_LENGTH = 50_000
# The comment limit itself is the service's (400 with a friendly message); this bound only stops
# megabytes from being parsed and rendered before that check.
COMMENT_BODY_MAX_LENGTH = settings.COMMENT_MAX_LENGTH * 10
REASON_MAX_LENGTH = 500  # as comments.services.REASON_MAX_LENGTH
USERNAME_MAX_LENGTH = 150  # auth.User.username
PASSWORD_MAX_LENGTH = 1024  # long passphrases fit; megabyte "passwords" are not hashed
MAX_PAGE = 100_000  # far past the last page of any real forum; keeps OFFSET in range

SORTS = Literal[
    "top", "new", "old", "best", "hot", "active", "controversial"
]  # comments.thread.tree.SORTS


def _drop_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL, and nobody means to type one (the services do the same).
    return value.replace("\x00", "")


def _json_integer(value):
    """An integer as JSON Schema means it: 3 and 3.0, but not true or "3".

    pydantic's lax mode would take true as 1 (a vote nobody cast) and "3" as 3 (more than the
    schema promises, which the fuzzer rightly reports).
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be an integer")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("must be an integer")
        return int(value)
    return value


def json_int(ge: int, le: int):
    """A JSON integer between ``ge`` and ``le``; the bounds appear in the OpenAPI schema.

    (``Field(ge=...)`` around a type that carries a validator is silently left out of the
    generated schema, so the bounds are annotated-types constraints here.)
    """
    return Annotated[int, Ge(ge), Le(le), BeforeValidator(_json_integer)]


# Credentials are compared, not stored, so NUL is refused (in the schema too) rather than dropped.
NO_NUL_PATTERN = r"^[^\x00]*$"


Slug = Annotated[str, Field(min_length=1, max_length=SLUG_MAX_LENGTH, pattern=SLUG_PATTERN)]
CommentId = Annotated[int, Field(ge=1, le=BIGINT_MAX)]
# Something besides whitespace: the services trim text and refuse what is left blank.
NOT_BLANK_PATTERN = r"\S"
CommentBody = Annotated[
    str,
    Field(max_length=COMMENT_BODY_MAX_LENGTH, pattern=NOT_BLANK_PATTERN, description="Markdown."),
]
Page = Annotated[int, Field(ge=1, le=MAX_PAGE)]
# An opaque keyset cursor (forum/keyset.py): URL-safe base64, a time and an id.
ListCursor = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="The `next` of the previous page: the page after it. Opaque.",
    ),
]
# Threads come in parts (comments/thread/parts.py): how many comments a part holds, about.
PartLimit = Annotated[
    int,
    Field(
        ge=1,
        le=MAX_PART_COMMENTS,
        description="About how many comments the part holds (its last thread may run over).",
    ),
]
# An opaque, signed cursor from a previous answer's "next" (django.core.signing: URL-safe
# base64 and ":"), about 150 characters. Bounded in length and alphabet so that even a refused
# one keeps the request line far under the server's limit (gunicorn: 8,190 bytes), where a
# percent-encoded non-ASCII string of the old 1,000 characters answered 414 before Django.
PartCursor = Annotated[
    str,
    Field(
        min_length=1,
        max_length=500,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description='The "next" of the previous part; anything else is a 400.',
    ),
]
Reason = Annotated[str, Field(max_length=REASON_MAX_LENGTH), AfterValidator(_drop_nul)]


class Input(BaseModel):
    """Base of every request body.

    Not ninja's ``Schema``: that one reads attributes off any object and calls them, so a bare
    JSON string would pass as a roundup (its ``title`` being ``str.title``). A body must be a JSON
    object.
    """

    model_config = ConfigDict(extra="ignore")


# --- errors --------------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, for people.")
    fields: dict[str, list[str]] | None = Field(
        None, description="For bad input to roundups: the message for each field."
    )


class ValidationIssue(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(Schema):
    detail: list[ValidationIssue]


# Every operation may answer these, whatever it does: 400 for an address holding control
# characters (forum/middleware.py) or a body over the upload limit (api/errors.py), 503 with
# Retry-After while the database or Redis is down (forum/outages.py).
ANY_OPERATION = (400, 503)


def errors(*statuses: int) -> dict:
    """The error part of an operation's ``response=`` mapping (with ``ANY_OPERATION``'s)."""
    return {
        status: (ValidationErrorOut if status == 422 else ErrorOut)
        for status in sorted({*statuses, *ANY_OPERATION})
    }


# --- tokens --------------------------------------------------------------------------------------


class TokenIn(Input):
    username: Annotated[
        str, Field(min_length=1, max_length=USERNAME_MAX_LENGTH, pattern=NO_NUL_PATTERN)
    ]
    password: Annotated[
        str, Field(min_length=1, max_length=PASSWORD_MAX_LENGTH, pattern=NO_NUL_PATTERN)
    ]


class TokenOut(Schema):
    token: str = Field(description="Send as 'Authorization: Bearer <token>'. Shown only once.")


# --- roundups ------------------------------------------------------------------------------------


class SeriesOut(Schema):
    slug: str
    name: str


class EntryOut(Schema):
    position: int
    title: str
    url: str
    authors: str
    year: int | None
    abstract: str
    opinion_html: str
    code_url: str
    related_html: str


class RoundupOut(Schema):
    slug: str
    title: str
    url: str = Field(description="The roundup's page on the site.")
    author: str
    series: SeriesOut | None
    number: int | None
    status: Literal["draft", "published"]
    published_at: datetime | None
    publish_at: datetime | None = Field(
        description="A draft's scheduled publish time; null when it is not scheduled."
    )
    intro_html: str
    outro_html: str
    comments_locked: bool
    comment_count: int = Field(description="Visible comments.")
    entries: list[EntryOut]


class RoundupPage(Schema):
    count: int = Field(description="Published roundups in all.")
    page: int = Field(description="The ?page= asked for (1 when following a cursor).")
    pages: int
    next: str | None = Field(
        description=(
            "Cursor of the next (older) page: pass it as ?cursor=. null on the last page. "
            "Cursors cost the same on every page; ?page= reads past every skipped roundup."
        )
    )
    results: list[RoundupOut]


LongText = Annotated[str, Field(max_length=LONG_TEXT_MAX_LENGTH)]
Url = Annotated[str, Field(max_length=URL_MAX_LENGTH)]


class EntryIn(Input):
    title: Annotated[str, Field(min_length=1, max_length=500)]
    url: Annotated[str, Field(min_length=1, max_length=URL_MAX_LENGTH)]
    authors: Annotated[str, Field(max_length=1000)] = ""
    year: json_int(0, 32767) | None = None
    abstract: LongText = ""
    opinion: LongText = Field("", description="Markdown.")
    code_url: Url = ""
    related: LongText = Field("", description="Markdown: related links and reading.")


class RoundupIn(Input):
    title: Annotated[str, Field(max_length=TITLE_MAX_LENGTH, pattern=NOT_BLANK_PATTERN)]
    slug: Slug | None = Field(None, description="Made from the title when left out.")
    intro: LongText = Field("", description="Markdown.")
    outro: LongText = Field("", description="Markdown.")
    series: Slug | None = Field(None, description="The slug of an existing series.")
    number: json_int(0, INT_MAX) | None = None
    crosspost_url: Url = ""
    entries: Annotated[list[EntryIn], Field(max_length=MAX_ENTRIES)] = []
    publish: bool = Field(False, description="Publish now (needs at least one entry).")


class RoundupPatch(Input):
    """Only the fields sent change; ``entries``, when sent, replaces every entry."""

    title: Annotated[str, Field(max_length=TITLE_MAX_LENGTH, pattern=NOT_BLANK_PATTERN)] | None = (
        None
    )
    slug: Slug | None = None
    intro: LongText | None = None
    outro: LongText | None = None
    series: Slug | None = Field(None, description="A series slug; an empty string clears it.")
    number: json_int(0, INT_MAX) | None = None
    crosspost_url: Url | None = None
    entries: Annotated[list[EntryIn], Field(max_length=MAX_ENTRIES)] | None = None
    publish: bool | None = Field(
        None, description="true publishes a draft; false is refused once published."
    )
    publish_at: datetime | None = Field(
        None,
        description=(
            "Schedule a draft: a time with its zone, in the future (to the minute); the site "
            "publishes it then. null unschedules it."
        ),
    )


# --- comments ------------------------------------------------------------------------------------


class VoteState(Schema):
    value: Literal[-1, 0, 1] = Field(description="1 up, -1 down, 0 no vote.")
    strong: bool


class ViewerVotes(Schema):
    approval: VoteState
    agreement: VoteState


class CommentOut(Schema):
    id: int
    parent: int | None
    author: str | None = Field(description="null for deleted and removed comments.")
    body: str = Field(description="Markdown source; empty for deleted and removed comments.")
    body_html: str
    score: int = Field(description="Approval: the weighted sum of the approval votes (karma).")
    upvotes: int = Field(description="Approval votes up.")
    downvotes: int = Field(description="Approval votes down.")
    agreement: int = Field(description="Agreement: the weighted sum of the agreement votes.")
    agree_votes: int
    disagree_votes: int
    created_at: datetime
    edited_at: datetime | None
    state: Literal["visible", "deleted", "removed"]
    viewer_votes: ViewerVotes | None = Field(
        description="The reader's own votes on both axes; null without credentials."
    )
    replies: list["CommentOut"] = Field(
        description="Its replies in the sort; in a part, at most a few (see more_replies)."
    )
    more_replies: int | None = Field(
        None,
        description="Present when the part cut some replies: how many comments were left out "
        "below this one (GET /api/comments/{id} shows them).",
    )


CommentOut.model_rebuild()


class CommentPartOut(CommentOut):
    next: str | None = Field(
        description="Cursor of the next part of this comment's direct replies; null at the end."
    )


class ThreadOut(Schema):
    count: int = Field(description="Visible comments in the thread.")
    comments: list[CommentOut] = Field(
        description="A part of the thread: top-level comments in the sort, with their replies."
    )
    next: str | None = Field(
        description="Cursor of the next part (pass it as ?cursor=); null at the end. Following "
        "cursors from the first part shows each top-level comment once, even while the thread "
        "changes."
    )


class CommentIn(Input):
    body: CommentBody
    parent: json_int(1, BIGINT_MAX) | None = Field(None, description="The comment this replies to.")


class CommentEditIn(Input):
    body: CommentBody
    reason: Reason = Field(
        "", description="Required when a moderator edits someone else's comment."
    )


class VoteIn(Input):
    """``{"value"}`` alone votes on approval with normal strength, as before both axes."""

    value: json_int(-1, 1) = Field(description="1 up, -1 down, 0 takes the vote back.")
    axis: Literal["approval", "agreement"] = Field(
        "approval", description="approval (karma and the sorts) or agreement (neither)."
    )
    strong: bool = Field(
        False, strict=True, description="A strong vote: weighs more as your karma grows."
    )


class VoteOut(Schema):
    """Both axes' counters after the vote, and your vote now standing on the axis voted on."""

    score: int
    upvotes: int
    downvotes: int
    agreement: int
    agree_votes: int
    disagree_votes: int
    axis: Literal["approval", "agreement"]
    value: Literal[-1, 0, 1]
    strong: bool
    weight: int = Field(description="What your vote adds to its axis (0 with none).")


# --- notifications -------------------------------------------------------------------------------

NOTIFICATION_KINDS = Literal["reply", "follow", "moderation", "suggestion", "mention"]


class NotificationOut(Schema):
    id: int
    kind: NOTIFICATION_KINDS
    created_at: datetime
    read: bool
    roundup: str | None = Field(description="The roundup's slug, when there is one to show.")
    comment_id: int | None
    actor: str | None = Field(description="Who did it (a username); null for a moderator.")
    text: str = Field(description="A plain-text sentence saying what happened.")


class NotificationPage(Schema):
    count: int = Field(description="Notifications in all (unread ones only with ?unread=1).")
    unread: int = Field(description="Unread notifications in all.")
    notifications: list[NotificationOut] = Field(description="Newest first.")


class MarkReadIn(Input):
    ids: Annotated[list[json_int(1, BIGINT_MAX)], Field(min_length=1, max_length=500)] | None = (
        Field(None, description="Mark these read (ignored when all is true).")
    )
    all: bool = Field(False, description="Mark every notification read.", strict=True)


class MarkReadOut(Schema):
    marked: int = Field(description="How many were unread and are now read.")
    unread: int
