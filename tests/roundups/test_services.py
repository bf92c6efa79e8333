"""The plain-data roundup services (used by the API): entries keep their identity on update."""

import pytest

from comments import services as comment_services
from comments.models import Comment
from roundups import services
from roundups.models import PaperEntry

PAPER_A = {"title": "Paper A", "url": "https://arxiv.org/abs/2101.00001"}
PAPER_B = {"title": "Paper B", "url": "https://arxiv.org/abs/2101.00002"}
PAPER_C = {"title": "Paper C", "url": "https://arxiv.org/abs/2101.00003"}


@pytest.mark.django_db
def test_text_loses_invisible_control_characters_on_create_and_update(author):
    roundup = services.roundup_create(
        author=author,
        title="Week\x1b 1\x00",
        intro="Hello\x0b\r\nworld\x08",
        entries=[{**PAPER_A, "title": "Paper\x01 A", "authors": "Ada\x7f", "opinion": "Good\x0c"}],
    )
    roundup.refresh_from_db()
    entry = roundup.entries.get()
    assert (roundup.title, roundup.intro) == ("Week 1", "Hello\nworld")
    assert (entry.title, entry.authors, entry.opinion) == ("Paper A", "Ada", "Good")
    services.roundup_update(roundup=roundup, by=author, outro="Bye\x1b[0m\ufffe")
    roundup.refresh_from_db()
    assert roundup.outro == "Bye[0m"


@pytest.mark.django_db
def test_update_keeps_entries_of_the_same_paper_and_their_discussion(author, reader):
    roundup = services.roundup_create(
        author=author, title="Week", entries=[PAPER_A, PAPER_B], publish=True
    )
    entry_b = roundup.entries.get(title="Paper B")
    comment = comment_services.comment_create(
        roundup=roundup, author=reader, body="On B", paper_entry=entry_b
    )

    # Reorder, change B's title (same link: same paper), drop A, add C.
    services.roundup_update(
        roundup=roundup,
        by=author,
        entries=[
            {**PAPER_C},
            {**PAPER_B, "title": "Paper B, revised", "url": PAPER_B["url"] + "v2"},
        ],
    )

    entries = list(PaperEntry.objects.filter(roundup=roundup).order_by("position"))
    assert [(e.position, e.title) for e in entries] == [(1, "Paper C"), (2, "Paper B, revised")]
    assert entries[1].pk == entry_b.pk
    assert Comment.objects.get(pk=comment.pk).paper_entry_id == entry_b.pk


@pytest.mark.django_db
def test_update_with_a_paper_listed_twice_keeps_both(author):
    roundup = services.roundup_create(author=author, title="Week", entries=[PAPER_A])
    services.roundup_update(roundup=roundup, by=author, entries=[PAPER_A, PAPER_A])
    assert list(roundup.entries.order_by("position").values_list("position", "title")) == [
        (1, "Paper A"),
        (2, "Paper A"),
    ]
