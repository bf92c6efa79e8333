"""clean_text and the form mixin: what user text loses on its way in, and what it keeps."""

import xml.etree.ElementTree as ET

import pytest
from django import forms

from forum.text import CleanTextMixin, clean_text

# Every character XML 1.0 cannot carry, plus DEL, the C1 controls and a lone surrogate.
UNWANTED = (
    [chr(code) for code in range(0x20) if chr(code) not in "\t\n\r"]
    + [chr(code) for code in range(0x7F, 0xA0)]
    + ["\ud800", "\udfff", "\ufffe", "\uffff"]
)


@pytest.mark.parametrize("char", UNWANTED, ids=[f"U+{ord(c):04X}" for c in UNWANTED])
def test_each_unwanted_character_is_stripped(char):
    assert clean_text(f"a{char}b") == "ab"


def test_what_people_type_is_kept():
    text = "Tabs\tand\nnewlines, «quotes», emoji 🧪, CJK 注意, RTL שלום, U+FEFF\ufeff, e\u0301"
    assert clean_text(text) == text


def test_carriage_returns_become_newlines():
    assert clean_text("one\r\ntwo\rthree\n") == "one\ntwo\nthree\n"


def test_one_line_text_turns_line_breaks_and_tabs_into_one_space():
    assert clean_text("a title\r\n\tcontinued\n\nhere", multiline=False) == (
        "a title continued here"
    )


def test_surrounding_whitespace_is_the_callers_to_trim():
    assert clean_text("  padded \n") == "  padded \n"


def test_the_result_always_fits_in_xml():
    text = "".join(UNWANTED) + "kept"
    element = ET.fromstring(f"<t>{clean_text(text)}</t>")
    assert element.text == "kept"


class ExampleForm(CleanTextMixin, forms.Form):
    title = forms.CharField(max_length=5)
    body = forms.CharField(widget=forms.Textarea, strip=False)
    password = forms.CharField(widget=forms.PasswordInput, required=False)
    email = forms.EmailField(required=False)


def test_the_mixin_cleans_every_text_field_before_validation():
    form = ExampleForm(
        {
            # Five characters once cleaned: max_length counts what is stored.
            "title": "ab\x1b\x07c\x00de",
            "body": "line\x0b one\r\nline two\x07",
            "email": "ada\x01@example.org",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["title"] == "abcde"
    assert form.cleaned_data["body"] == "line one\nline two"
    assert form.cleaned_data["email"] == "ada@example.org"


def test_nul_is_stripped_by_the_mixin_not_refused():
    # Without the mixin Django refuses a NUL ("Null characters are not allowed.").
    form = ExampleForm({"title": "a\x00b", "body": "x\x00y"})
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["title"], form.cleaned_data["body"]) == ("ab", "xy")


def test_one_line_fields_lose_their_newlines_and_textareas_keep_them():
    form = ExampleForm({"title": "a\nb", "body": "a\nb"})
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["title"], form.cleaned_data["body"]) == ("a b", "a\nb")


def test_passwords_are_left_exactly_as_typed():
    form = ExampleForm({"title": "t", "body": "b", "password": " pass\x1bword\n"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["password"] == "pass\x1bword"  # CharField's own strip only
