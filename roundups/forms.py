"""The authoring form: a roundup and, inline, its paper entries.

The forms shape and label the input; the rules (slugs, limits, which entry is which) are the
services', which the views call with ``cleaned_data`` and ``PaperEntryFormSet.entries()``.
"""

import re
import zoneinfo
from datetime import UTC

from django import forms
from django.db import models
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.text import slugify

from forum.errors import ServiceError, add_to_form
from forum.text import CleanTextMixin

from .models import ENTRY_FIELDS, MAX_ENTRIES, PaperEntry, Roundup

# Blank paper forms under the filled ones: enough to add a few papers without JavaScript
# (saving the draft gives fresh blank forms); site.js adds more on demand.
EXTRA_ENTRY_FORMS = 2
IMPORT_MAX_BYTES = 1_000_000  # a hundred papers with long abstracts is ~200 kB
# A service error about one paper: ``entries[2].url`` (a field) or ``entries[2]`` (the paper).
_ENTRY_ERROR = re.compile(r"entries\[(?P<index>\d+)\](?:\.(?P<field>\w+))?")


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

    def number_clash(self):
        """Another roundup already numbered as this one in the same series (the form's values,
        or the saved ones), for a warning beside the field; None when there is none. It is a
        warning, not an error: an author may renumber the other one next."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        series = data.get("series", self.instance.series if not self.is_bound else None)
        number = data.get("number", self.instance.number if not self.is_bound else None)
        if series is None or number is None:
            return None
        # Published ones only: another author's draft is not this author's to see.
        others = Roundup.objects.published().filter(series=series, number=number)
        if self.instance.pk is not None:
            others = others.exclude(pk=self.instance.pk)
        return others.only("title", "slug", "number").first()

    def clean(self):
        cleaned = super().clean()
        # A blank slug is made from the title by the service; on this page the author can type
        # one, so a title with nothing to make it from is sent back rather than named "roundup".
        creating = self.instance.pk is None
        if creating and not cleaned.get("slug") and cleaned.get("title"):
            if not slugify(cleaned["title"]).strip("-"):
                self.add_error("slug", "Choose a slug: the title has no letters or digits in it.")
        return cleaned


class ScheduleForm(CleanTextMixin, forms.Form):
    """A draft's publish time: on the edit page (blank unschedules) and the preview page.

    The browser's ``datetime-local`` input has no time zone, so the time is read in
    ``time_zone``: UTC as the page is sent, the browser's own zone once site.js has filled it
    in (and converted the shown time to it). Whether the time is in the future, and whether the
    draft can be published, is the services' to say (``roundup_schedule``).
    """

    publish_at = forms.DateTimeField(
        required=False,
        label="Publish at",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "data-local-datetime": ""}, format="%Y-%m-%dT%H:%M"
        ),
    )
    time_zone = forms.CharField(
        required=False, max_length=100, initial="UTC", widget=forms.HiddenInput
    )

    def __init__(self, *args, roundup=None, **kwargs):
        if roundup is not None and roundup.publish_at is not None:
            kwargs.setdefault("initial", {})
            kwargs["initial"]["publish_at"] = timezone.localtime(roundup.publish_at, UTC)
        super().__init__(*args, **kwargs)
        # The help line (roundups/_schedule_fields.html) names the zone; site.js rewrites it.
        self.fields["publish_at"].widget.attrs["aria-describedby"] = "publish-at-help"

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("time_zone") or "UTC"
        try:
            zone = zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            self.add_error("time_zone", f"Unknown time zone “{name}”.")
            return cleaned
        when = cleaned.get("publish_at")
        if when is not None:
            # Django read the wall-clock time in UTC (the site's zone); read it in the author's.
            wall_clock = timezone.make_naive(when, UTC)
            cleaned["publish_at"] = wall_clock.replace(tzinfo=zone)
        return cleaned


class PasteForm(CleanTextMixin, forms.Form):
    """The "paste links, get entries" box: any number of references, sent with the roundup."""

    references = forms.CharField(
        required=False,
        label="Paste paper links",
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        help_text=(
            "Any number of arXiv links or ids (arXiv:2202.05262, hep-th/9901001), DOIs, "
            "OpenReview links or other links, one per line or mixed in text. Each becomes a paper "
            "below with its title, authors, year and abstract filled in, in the order pasted."
        ),
    )


class PaperEntryForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = PaperEntry
        formfield_callback = formfield
        fields = ["position", *ENTRY_FIELDS]
        labels = {
            "url": "Paper link",
            "code_url": "Code link",
            "opinion": "My opinion",
            "related": "Related links",
        }
        help_texts = {
            "position": "Papers are shown in this order; change the numbers to reorder.",
            "authors": "Comma-separated.",
            "abstract": "The paper's abstract (plain text, usually 1,000 to 2,000 characters): "
            'pasted links fill it in. Your own view goes under "My opinion".',
            "opinion": "Markdown.",
            "related": "Markdown.",
        }
        widgets = {
            "abstract": forms.Textarea(attrs={"rows": 12}),  # a 1,000-2,000 character abstract
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

    def entries(self) -> list[dict]:
        """The kept papers as the services take them: in the requested order, each saved one
        with its ``id`` (so it stays the same entry). Only meaningful after ``is_valid()``."""
        return [
            {name: form.cleaned_data.get(name) for name in ENTRY_FIELDS}
            | ({"id": form.instance.pk} if form.instance.pk else {})
            for form in self.ordered_forms()
        ]


def show_service_error(form, formset, error: ServiceError) -> None:
    """Show a refusal of the roundup services on the page: ``entries[i]...`` errors on the i-th
    paper of ``formset.entries()``, field errors on their fields, the rest on top."""
    ordered = formset.ordered_forms()
    rest = {}
    for name, messages in error.fields.items():
        found = _ENTRY_ERROR.fullmatch(name)
        if found and int(found["index"]) < len(ordered):
            entry_form = ordered[int(found["index"])]
            field = found["field"] if found["field"] in entry_form.fields else None
            for message in messages:
                entry_form.add_error(field, message)
        else:
            rest[name] = messages
    if rest or not error.fields:
        add_to_form(form, ServiceError(error.message if not error.fields else "", fields=rest))


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


class ImportForm(CleanTextMixin, forms.Form):
    """A roundup written elsewhere: a Markdown or .bib file, or its text pasted."""

    file = forms.FileField(
        required=False,
        label="Markdown or BibTeX file",
        help_text="A .md or .txt file written as roundups are (or exported here), or a .bib file.",
        widget=forms.ClearableFileInput(attrs={"accept": ".md,.markdown,.txt,.bib,text/*"}),
    )
    text = forms.CharField(
        required=False,
        label="Or paste it here",
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
    )
    title = forms.CharField(
        required=False,
        max_length=Roundup._meta.get_field("title").max_length,
        help_text="Left blank, the title comes from the text's first heading or the file's name.",
    )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload:
            if upload.size > IMPORT_MAX_BYTES:
                raise forms.ValidationError(f"At most {IMPORT_MAX_BYTES // 1000:,} kB.")
            try:
                cleaned["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("file", "The file is not UTF-8 text.")
                return cleaned
            cleaned["filename"] = upload.name
        elif not (cleaned.get("text") or "").strip():
            raise forms.ValidationError("Choose a file or paste the text.")
        return cleaned
