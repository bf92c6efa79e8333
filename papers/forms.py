"""Forms of the paper pages. They shape and label the input; the rules live in services.py."""

from django import forms

from forum.text import CleanTextMixin

from .models import DECLINE_REASON_MAX_LENGTH
from .services import BLURB_MAX_LENGTH, TITLE_MAX_LENGTH, URL_MAX_LENGTH


class SuggestionForm(CleanTextMixin, forms.Form):
    title = forms.CharField(
        label="Paper title", max_length=TITLE_MAX_LENGTH, widget=forms.TextInput(attrs={"size": 50})
    )
    url = forms.CharField(
        label="Link",
        max_length=URL_MAX_LENGTH,
        help_text="arXiv, DOI or the paper's page.",
        widget=forms.URLInput(attrs={"size": 50, "placeholder": "https://arxiv.org/abs/..."}),
    )
    blurb = forms.CharField(
        label="Why it is worth a look",
        max_length=BLURB_MAX_LENGTH,
        help_text="Posted as your comment; the author may use it as a first draft.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TakeForm(forms.Form):
    """Which of the author's drafts a suggested paper goes into."""

    roundup = forms.ModelChoiceField(
        queryset=None,
        label="Add to draft",
        empty_label=None,
        error_messages={"invalid_choice": "Choose one of your draft roundups."},
    )

    def __init__(self, *args, drafts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roundup"].queryset = drafts


class DeclineForm(CleanTextMixin, forms.Form):
    """Why an author declines a suggestion; the reader is told."""

    reason = forms.CharField(
        label="Reason (the reader is told)",
        max_length=DECLINE_REASON_MAX_LENGTH,
        error_messages={
            "required": "Give the reader a reason for declining.",
            "max_length": f"The reason is too long (at most {DECLINE_REASON_MAX_LENGTH} "
            "characters).",
        },
        widget=forms.Textarea(attrs={"rows": 2}),
    )
