"""The authoring form: a roundup and, inline, its paper entries."""

from django import forms
from django.db import models
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.text import slugify

from forum.text import CleanTextMixin

from .models import PaperEntry, Roundup

# Slugs that a roundup may not take because a fixed URL already sits at /roundups/<slug>/.
RESERVED_SLUGS = frozenset({"new"})
# Blank paper forms under the filled ones: enough to add a few papers without JavaScript
# (saving the draft gives fresh blank forms); site.js adds more on demand.
EXTRA_ENTRY_FORMS = 2
# Upper bound on papers per roundup: a weekly roundup has about ten; this stops a runaway post.
MAX_ENTRIES = 100
EARLIEST_PAPER_YEAR = 1800  # older than anything a roundup will cite; catches typos like 202


def formfield(model_field, **kwargs):
    """Links typed without a scheme are taken as https (Django 6's default, chosen now)."""
    if isinstance(model_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return model_field.formfield(**kwargs)


class RoundupForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = Roundup
        formfield_callback = formfield
        fields = ["title", "slug", "series", "number", "intro", "outro", "crosspost_url"]
        widgets = {
            "intro": forms.Textarea(attrs={"rows": 6}),
            "outro": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "slug": "The address of the roundup. Left blank, it is made from the title.",
            "intro": "Markdown.",
            "outro": "Markdown.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("slug") and cleaned.get("title"):
            slug = slugify(cleaned["title"])[: Roundup._meta.get_field("slug").max_length]
            if not slug:
                self.add_error("slug", "Choose a slug: the title has no letters or digits in it.")
            cleaned["slug"] = slug.strip("-")
        if cleaned.get("slug") in RESERVED_SLUGS:
            self.add_error("slug", f"“{cleaned['slug']}” is reserved; choose another slug.")
        return cleaned


class PaperEntryForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = PaperEntry
        formfield_callback = formfield
        fields = [
            "position",
            "title",
            "url",
            "authors",
            "year",
            "abstract",
            "opinion",
            "code_url",
            "related",
        ]
        labels = {
            "url": "Paper link",
            "code_url": "Code link",
            "opinion": "My opinion",
            "related": "Related links",
        }
        help_texts = {
            "position": "Papers are shown in this order; change the numbers to reorder.",
            "authors": "Comma-separated.",
            "abstract": "A short summary in your own words (plain text).",
            "opinion": "Markdown.",
            "related": "Markdown.",
        }
        widgets = {
            "abstract": forms.Textarea(attrs={"rows": 3}),
            "opinion": forms.Textarea(attrs={"rows": 4}),
            "related": forms.Textarea(attrs={"rows": 2}),
            "position": forms.NumberInput(attrs={"min": 1, "class": "entry-position"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Blank means "after the others"; the formset renumbers positions 1..n on save.
        self.fields["position"].required = False
        # No initial value (the model default is 0), or every blank extra form would count as
        # changed and be validated as a paper.
        self.fields["position"].initial = None

    def clean_year(self):
        year = self.cleaned_data.get("year")
        latest = timezone.now().year + 1
        if year is not None and not EARLIEST_PAPER_YEAR <= year <= latest:
            raise forms.ValidationError(f"Enter a year between {EARLIEST_PAPER_YEAR} and {latest}.")
        return year


class BasePaperEntryFormSet(forms.BaseInlineFormSet):
    def ordered_forms(self):
        """Kept forms in the order the author asked for: by position, then by place on the page.

        Only meaningful after ``is_valid()``.
        """
        kept = [
            (index, form)
            for index, form in enumerate(self.forms)
            if form.has_changed() or form.instance.pk
            if not self._should_delete_form(form)
        ]
        # Forms without a position go last, in page order.
        kept.sort(key=lambda pair: (pair[1].cleaned_data.get("position") or 10**9, pair[0]))
        return [form for _, form in kept]

    def save_in_order(self, roundup):
        """Save entries numbered 1..n in the requested order and delete the removed ones.

        Called inside the caller's transaction.
        """
        self.instance = roundup
        for form in self.deleted_forms:
            if form.instance.pk:
                form.instance.delete()
        for position, form in enumerate(self.ordered_forms(), start=1):
            entry = form.save(commit=False)
            entry.roundup = roundup
            entry.position = position
            entry.save()


PaperEntryFormSet = inlineformset_factory(
    Roundup,
    PaperEntry,
    form=PaperEntryForm,
    formset=BasePaperEntryFormSet,
    extra=EXTRA_ENTRY_FORMS,
    can_delete=True,
    max_num=MAX_ENTRIES,
    validate_max=True,
)
