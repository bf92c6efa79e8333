"""The roundup form: Series and Number each in their own cell with their own help text; the
abstract field asks for the paper's abstract and is sized for one."""

import re

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def test_series_and_number_keep_their_help_text_in_their_own_cell(client, author):
    client.force_login(author)
    html = client.get(reverse("roundups:create")).content.decode()
    row = html[html.index('<div class="field-row">') :]
    cells = re.findall(r'<div class="field-cell">(.*?)</div>\s*(?=<div class="field-cell">|</div>)',
                       row, flags=re.S)  # fmt: skip
    assert len(cells) == 2
    series, number = cells
    assert 'id="id_series"' in series and "Issue number within the series." not in series
    assert 'id="id_number"' in number and "Issue number within the series." in number


def test_the_abstract_field_takes_the_papers_abstract(client, author):
    client.force_login(author)
    html = client.get(reverse("roundups:create")).content.decode()
    textarea = re.search(r'<textarea name="entries-0-abstract"[^>]*>', html).group(0)
    assert 'rows="12"' in textarea
    assert "The paper's abstract (plain text, usually 1,000 to 2,000 characters)" in html


def test_a_number_already_taken_in_the_series_is_warned_about(client, author):
    series = factories.make_series()
    factories.make_roundup(author=author, series=series, number=7, title="Issue seven")
    draft = factories.make_roundup(author=author, series=series, number=8, published=False)
    client.force_login(author)
    url = reverse("roundups:edit", args=[draft.slug])
    assert "already exists" not in client.get(url).content.decode()
    draft.number = 7
    draft.save()
    html = client.get(url).content.decode()
    assert "Issue 7 of this series already exists" in html and "Issue seven</a>" in html


def test_another_authors_draft_is_not_named_in_the_warning(client, author):
    series = factories.make_series()
    other = factories.make_author()
    factories.make_roundup(author=other, series=series, number=3, published=False, title="Secret")
    mine = factories.make_roundup(author=author, series=series, number=3, published=False)
    client.force_login(author)
    html = client.get(reverse("roundups:edit", args=[mine.slug])).content.decode()
    assert "Secret" not in html and "already exists" not in html


def test_each_entry_folds_to_its_title(client, author):
    roundup = factories.make_roundup(author=author, entries=2, published=False)
    client.force_login(author)
    html = client.get(reverse("roundups:edit", args=[roundup.slug])).content.decode()
    folds = re.findall(r'<details class="entry-fold" open>(.*?)</details>', html, flags=re.S)
    assert len(folds) >= 3  # the two papers and a blank form (plus the template's)
    for fold in folds:
        assert "-abstract" in fold and "-opinion" in fold and "-title" not in fold
