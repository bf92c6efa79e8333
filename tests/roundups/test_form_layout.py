"""The roundup form: Series and Number each in their own cell with their own help text; the
abstract field asks for the paper's abstract and is sized for one."""

import re

import pytest
from django.urls import reverse

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
