"""User text as the site keeps it: no character that XML 1.0, PostgreSQL or UTF-8 cannot carry.

Everything a person types passes ``clean_text`` on its way in (forms through ``CleanTextMixin``,
the services for the API, the admin's forms), and the feeds pass what they emit through it once
more, for text stored before this existed.

The characters removed are invisible, and nobody means to type them: they come from pasted
terminal output (``\\x1b[0m``), PDFs and mis-decoded legacy encodings. So they are stripped, not
refused: refusing would make a reader hunt for a character they cannot see.

This is a leaf module: every app may import it, it imports no app.
"""

import re

from django import forms

# Removed everywhere:
# - C0 controls but tab and newline (carriage returns become newlines first): XML 1.0 cannot
#   carry them, so one in a title made the feeds answer 500; PostgreSQL text cannot hold NUL.
# - DEL and the C1 controls (U+007F-U+009F): allowed by XML 1.0 but "discouraged", and they are
#   what mis-decoded Windows-1252 quotes look like.
# - Lone surrogates (U+D800-U+DFFF): no UTF-8 encoding exists, so the page or row would fail.
# - The noncharacters U+FFFE and U+FFFF, which XML 1.0 excludes (U+FEFF read backwards).
UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
NEWLINES = re.compile(r"\r\n?")
LINE_BREAKS = re.compile(r"[\t\n]+")


def clean_text(value: str, *, multiline: bool = True) -> str:
    """``value`` with the characters above stripped and newlines as ``\\n``.

    ``multiline=False`` is for one-line fields (titles, names, reasons): tabs and newlines in
    them would only show as odd gaps, so each run becomes one space. Surrounding whitespace is
    the caller's to trim, as it is for Django's fields.
    """
    value = UNWANTED.sub("", NEWLINES.sub("\n", value))
    if not multiline:
        value = LINE_BREAKS.sub(" ", value)
    return value


class CleanTextMixin:
    """A form mixin: every text field's input passes ``clean_text`` before anything else sees it.

    It runs in the field's ``to_python``, ahead of its validators, so ``max_length`` counts the
    stored characters and a NUL is stripped like the others instead of being refused by Django's
    null-character check. A ``Textarea`` keeps its newlines; other fields are one line.
    Passwords are left exactly as typed: they are compared, never shown, and changing one
    silently would lock its owner out.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and not isinstance(
                field.widget, forms.PasswordInput
            ):
                multiline = isinstance(field.widget, forms.Textarea)
                field.to_python = _cleaning(field.to_python, multiline=multiline)


def _cleaning(to_python, *, multiline: bool):
    def cleaned_to_python(value):
        if isinstance(value, str):
            value = clean_text(value, multiline=multiline)
        return to_python(value)

    return cleaned_to_python


class CleanTextModelForm(CleanTextMixin, forms.ModelForm):
    """For ``ModelAdmin.form``: the admin writes rows through model forms, so it cleans too."""
