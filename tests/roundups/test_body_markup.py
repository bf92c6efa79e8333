"""The roundup body's papers are written by roundups/body.py, not looped over in the template
(issue #10, the 100-comment page): the markup must be what the template wrote, byte for byte,
for every shape of entry, on the page, in a preview and in a feed, and a write must show on the
very next view (nothing is stored or cached)."""

from pathlib import Path

import pytest
from django.template import engines
from django.test import Client

from roundups.models import ABSTRACT_FOLD_CHARS, PaperEntry, Roundup
from roundups.services import roundup_update
from tests import factories

pytestmark = pytest.mark.django_db

REFERENCE = Path(__file__).parent / "templates" / "reference" / "roundup_body_template.html"


def _reference():
    """The body template as it was before the papers moved to roundups/body.py."""
    return engines["django"].from_string(REFERENCE.read_text())


def _current():
    return engines["django"].get_template("roundups/_roundup_body.html")


@pytest.fixture
def rich_roundup(author):
    """Every field an entry can have, and every one it can lack; markup-looking text to escape;
    a paper covered in an earlier roundup; a series and a crosspost banner."""
    earlier = factories.make_roundup(author=author, title="Earlier <week>")
    factories.make_entry(earlier, url="https://arxiv.org/abs/2401.99999", title="Seen before")
    series = factories.make_series("Weekly & more")
    roundup = factories.make_roundup(
        author=author,
        series=series,
        number=7,
        crosspost_url="https://example.org/post?a=1&b=2",
    )
    factories.make_entry(
        roundup,
        title='Attention <is> "all" & more',
        url="https://arxiv.org/abs/2401.99999",
        authors="Ada <Lovelace> & co",
        year=2024,
        abstract="First line.\nSecond line.\n\nNew <paragraph> & more.",
        opinion="I *liked* it.",
        related="See https://example.org/r",
        code_url="https://github.com/x/y?a=1&b=2",
    )
    factories.make_entry(
        roundup, authors="", year=2023, abstract="", opinion="", related="", code_url=""
    )
    factories.make_entry(roundup, authors="Only Authors", year=None, opinion="", related="")
    factories.make_entry(roundup, abstract="Long sentence here. " * (ABSTRACT_FOLD_CHARS // 15))
    factories.make_entry(roundup, authors="", year=None, abstract="", url="https://example.org/x")
    return roundup


def _context(roundup, **extra):
    roundup = Roundup.objects.for_page().get(pk=roundup.pk)
    return {"roundup": roundup, "entries": roundup.entries.all(), **extra}


def test_body_is_the_templates_markup_for_every_kind_of_entry(rich_roundup):
    entries = list(Roundup.objects.for_page().get(pk=rich_roundup.pk).entries.all())
    counts = {entries[0].pk: 1, entries[2].pk: 4}
    cases = [
        {},  # a draft or preview: coverage alone
        {"paper_comment_counts": counts, "paper_filter": None},
        {"paper_comment_counts": counts, "paper_filter": entries[2]},
        {"in_feed": True},  # feeds and mail: no fold, no extras, the crosspost line
    ]
    for extra in cases:
        expected = _reference().render(_context(rich_roundup, **extra))
        assert _current().render(_context(rich_roundup, **extra)) == expected, extra
    assert "Also covered in" in _reference().render(_context(rich_roundup))
    assert "&lt;is&gt; &quot;all&quot; &amp; more" in expected


def test_roundup_page_carries_the_template_rendered_body(rich_roundup, reader):
    factories.make_comment(roundup=rich_roundup, author=reader)
    html = Client().get(rich_roundup.get_absolute_url()).content.decode()
    context = _context(rich_roundup)
    context["paper_comment_counts"] = {
        entry.pk: entry.comment_count for entry in context["entries"]
    }
    context["paper_filter"] = None
    assert _reference().render(context) in html
    chosen = rich_roundup.entries.get(position=3)
    html = Client().get(f"{rich_roundup.get_absolute_url()}?paper=3").content.decode()
    context["paper_filter"] = next(e for e in context["entries"] if e.pk == chosen.pk)
    assert _reference().render(context) in html
    assert "Discussing this paper" in html


def test_an_edit_shows_on_the_very_next_view(rich_roundup, author):
    client = Client()
    url = rich_roundup.get_absolute_url()
    assert "Renamed paper" not in client.get(url).content.decode()
    entries = [
        {"id": entry.pk, "title": entry.title, "url": entry.url}
        for entry in PaperEntry.objects.filter(roundup=rich_roundup).order_by("position")
    ]
    entries[1]["title"] = "Renamed paper"
    roundup_update(roundup=rich_roundup, by=author, entries=entries)
    html = client.get(url).content.decode()
    assert '<a href="#paper-2">Renamed paper</a>' in html
    assert 'rel="noopener">Renamed paper</a></h2>' in html
