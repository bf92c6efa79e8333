"""Forms of the thread pages. They shape and label the input; the rules live in services.py.

The body has no ``max_length`` here on purpose: browsers send a textarea's newlines as ``\\r\\n``,
so a body at exactly the limit would count long in the form and fit in the service, which
normalizes newlines first. Nor does the textarea get ``maxlength``: it would cut a long paste
silently. The box shows a live count against ``data-max-length`` (static/js/thread.js) and the
service (``clean_body``) refuses an over-long body with its length and the limit.
"""

from functools import lru_cache

from django import forms
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from forum.idempotency import new_key
from forum.text import CleanTextMixin

from .services import REASON_MAX_LENGTH


class CommentForm(CleanTextMixin, forms.Form):
    max_length = settings.COMMENT_MAX_LENGTH

    body = forms.CharField(
        label="Your comment",
        strip=False,
        error_messages={"required": "The comment is empty."},
        help_text=(
            "Markdown: *emphasis*, **bold**, [links](https://example.org), `code`, "
            f"> quotes. Up to {settings.COMMENT_MAX_LENGTH:,} characters."
        ),
        widget=forms.Textarea(
            attrs={"rows": 5, "data-max-length": settings.COMMENT_MAX_LENGTH, "required": True}
        ),
    )
    # Set when the form is opened from a paper's "discuss this paper" link; the service checks
    # it belongs to the roundup (and ignores it on replies), so any text is let through here.
    paper_entry = forms.CharField(required=False, widget=forms.HiddenInput)
    # A fresh random key each time the form is rendered: posting it twice (a resubmission, a
    # retry after a dropped connection) gives back the first answer (forum/idempotency.py).
    idempotency_key = forms.CharField(required=False, widget=forms.HiddenInput, initial=new_key)


def blank_comment_fields(paper_entry_id: int | None = None) -> str:
    """The fields of a blank ``CommentForm`` as markup (the thread page's comment box), with a
    fresh idempotency key.

    Every signed-in reader's thread page shows this box, always blank (a refused comment comes
    back on a page of its own, with its errors), and its fields only ever differ by the key and
    the paper it is opened on: so they are rendered through Django's form templates once per
    process and paper, ~1.2 ms a page, and the key is put in on each view (as the suggestion
    form's, ``papers.templatetags.papers.suggestion_form_fields``).
    """
    return mark_safe(_blank_fields(paper_entry_id).replace(_KEY_SLOT, new_key()))  # noqa: S308


# A stand-in for the key: letters only, so escaping leaves it as it is, and found once (checked).
_KEY_SLOT = "IdempotencyKeySlotOfTheBlankCommentForm"


@lru_cache(maxsize=256)  # one per paper a box was opened on ("discuss this paper"), and None
def _blank_fields(paper_entry_id: int | None) -> str:
    initial = {"idempotency_key": _KEY_SLOT}
    if paper_entry_id is not None:
        initial["paper_entry"] = paper_entry_id
    markup = render_to_string(
        "registration/_form_fields.html", {"form": CommentForm(initial=initial)}
    )
    if markup.count(_KEY_SLOT) != 1:
        raise RuntimeError("the blank comment form does not show its key once")
    return markup


class EditForm(CommentForm):
    paper_entry = None  # an edit never changes which paper a comment is about
    idempotency_key = None  # an edit posted twice changes nothing the second time

    reason = forms.CharField(
        label="Reason for the edit",
        required=False,
        max_length=REASON_MAX_LENGTH,
        help_text="Required when you edit someone else's comment: it goes to the public log.",
    )


class ReasonForm(CleanTextMixin, forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=REASON_MAX_LENGTH,
        error_messages={"required": "Give a reason: moderators' actions are logged publicly."},
        help_text="Shown in the public moderation log.",
        widget=forms.TextInput(attrs={"size": 60}),
    )


class LockForm(ReasonForm):
    locked = forms.TypedChoiceField(
        label="Comments",
        choices=[("1", "Lock"), ("0", "Unlock")],
        coerce=lambda value: value == "1",
        required=False,
        empty_value=None,
    )
