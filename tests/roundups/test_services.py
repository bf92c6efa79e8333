"""The roundup services, the one write path of the pages, the API, suggestions and the demo.

Each rule the services' docstring picks has a test here: slug clashes, entry identity,
publishing without papers, and adding one paper (``entry_add``).
"""

import pytest

from comments import services as comment_services
from comments.models import Comment
from forum.errors import Conflict, InvalidInput, NotAllowed
from roundups import services
from roundups.models import PaperEntry, Roundup
from tests.factories import make_author, make_entry, make_roundup, make_user

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


# --- slugs: typed and taken is a conflict; made from the title gets -2, -3 -------------------


@pytest.mark.django_db
def test_a_typed_slug_that_is_taken_is_a_conflict_on_the_slug_field(author):
    make_roundup(author=make_author(), slug="taken")
    with pytest.raises(services.SlugTaken) as refused:
        services.roundup_create(author=author, title="Week", slug="taken", entries=[PAPER_A])
    assert isinstance(refused.value, Conflict) and refused.value.status == 409
    assert list(refused.value.fields) == ["slug"]
    assert Roundup.objects.count() == 1 and not PaperEntry.objects.exists()


@pytest.mark.django_db
def test_a_slug_made_from_the_title_gets_a_number(author):
    make_roundup(author=make_author(), slug="week")
    assert services.roundup_create(author=author, title="Week").slug == "week-2"
    assert services.roundup_create(author=author, title="Week").slug == "week-3"


@pytest.mark.django_db
def test_update_to_a_taken_slug_is_a_conflict_and_a_blank_slug_keeps_the_current_one(author):
    make_roundup(author=author, slug="taken")
    roundup = services.roundup_create(author=author, title="Week", slug="mine")
    with pytest.raises(services.SlugTaken):
        services.roundup_update(roundup=roundup, by=author, slug="taken", title="Changed")
    roundup.refresh_from_db()
    assert (roundup.slug, roundup.title) == ("mine", "Week")
    services.roundup_update(roundup=roundup, by=author, slug="", title="New title")
    roundup.refresh_from_db()
    assert (roundup.slug, roundup.title) == ("mine", "New title")


# --- entry identity: by id when given, else by paper_key ---------------------------------------


@pytest.mark.django_db
def test_an_entry_sent_with_its_id_stays_that_entry_even_with_a_new_link(author, reader):
    roundup = services.roundup_create(
        author=author, title="Week", entries=[PAPER_A, PAPER_B], publish=True
    )
    entry_a = roundup.entries.get(title="Paper A")
    comment = comment_services.comment_create(
        roundup=roundup, author=reader, body="On A", paper_entry=entry_a
    )
    # The author fixes A's link to another paper's and lists B first: A keeps its id (and its
    # discussion) because the form sent the id, though its paper_key changed.
    services.roundup_update(
        roundup=roundup,
        by=author,
        entries=[{**PAPER_B}, {**PAPER_A, "url": PAPER_C["url"], "id": entry_a.pk}],
    )
    entries = list(roundup.entries.order_by("position"))
    assert [(e.title, e.position) for e in entries] == [("Paper B", 1), ("Paper A", 2)]
    assert entries[1].pk == entry_a.pk and entries[1].paper_key == "arxiv:2101.00003"
    assert Comment.objects.get(pk=comment.pk).paper_entry_id == entry_a.pk


@pytest.mark.django_db
def test_an_id_from_another_roundup_is_refused_and_nothing_changes(author):
    roundup = services.roundup_create(author=author, title="Week", entries=[PAPER_A])
    elsewhere = make_entry(make_roundup(author=author))
    with pytest.raises(InvalidInput) as refused:
        services.roundup_update(
            roundup=roundup, by=author, title="Changed", entries=[{**PAPER_B, "id": elsewhere.pk}]
        )
    assert list(refused.value.fields) == ["entries[0]"]
    roundup.refresh_from_db()
    assert roundup.title == "Week"
    assert list(roundup.entries.values_list("title", flat=True)) == ["Paper A"]
    elsewhere.refresh_from_db()
    assert elsewhere.roundup_id != roundup.pk


# --- publishing needs a paper: one check, on every path ----------------------------------------


@pytest.mark.django_db
def test_create_and_publish_without_papers_writes_nothing(author):
    with pytest.raises(InvalidInput, match="Add at least one paper before publishing."):
        services.roundup_create(author=author, title="Week", publish=True)
    assert not Roundup.objects.exists()


@pytest.mark.django_db
def test_removing_every_paper_while_publishing_is_refused_and_rolled_back(author):
    roundup = services.roundup_create(author=author, title="Week", entries=[PAPER_A])
    with pytest.raises(InvalidInput, match="at least one paper"):
        services.roundup_update(roundup=roundup, by=author, entries=[], publish=True)
    roundup.refresh_from_db()
    assert not roundup.is_published
    assert roundup.entries.count() == 1  # the entries written before the check are rolled back


@pytest.mark.django_db
def test_roundup_publish_refuses_an_empty_draft_and_other_authors(author):
    draft = make_roundup(author=author, published=False)
    with pytest.raises(InvalidInput, match="at least one paper"):
        services.roundup_publish(roundup=draft, by=author)
    make_entry(draft)
    with pytest.raises(NotAllowed):
        services.roundup_publish(roundup=draft, by=make_author())
    assert services.roundup_publish(roundup=draft, by=author).is_published


# --- entry_add: one paper, after the others ----------------------------------------------------


@pytest.mark.django_db
def test_entry_add_appends_after_the_last_position(author):
    roundup = make_roundup(author=author, published=False)
    make_entry(roundup, position=7)
    entry = services.entry_add(roundup=roundup, by=author, opinion="*Good*", **PAPER_A)
    assert entry.position == 8 and entry.paper_key == "arxiv:2101.00001"
    assert entry.opinion_html == "<p><em>Good</em></p>"


@pytest.mark.django_db
def test_entry_add_is_for_those_who_may_edit(author, reader, admin_user):
    roundup = make_roundup(author=author)
    for someone in (make_author(), reader, None):
        with pytest.raises(NotAllowed):
            services.entry_add(roundup=roundup, by=someone, **PAPER_A)
    assert not roundup.entries.exists()
    assert services.entry_add(roundup=roundup, by=admin_user, **PAPER_A).position == 1


@pytest.mark.django_db
def test_entry_add_stops_at_the_limit(author, monkeypatch):
    monkeypatch.setattr(services, "MAX_ENTRIES", 2)
    roundup = make_roundup(author=author, published=False, entries=2, title="Full")
    with pytest.raises(InvalidInput, match="“Full” already has 2 papers."):
        services.entry_add(roundup=roundup, by=author, **PAPER_C)
    assert roundup.entries.count() == 2


@pytest.mark.django_db
def test_entry_add_names_bad_fields(author):
    roundup = make_roundup(author=author, published=False)
    with pytest.raises(InvalidInput) as refused:
        services.entry_add(roundup=roundup, by=author, title="", url="javascript:x", year=202)
    assert set(refused.value.fields) == {"title", "url", "year"}
    assert not roundup.entries.exists()


@pytest.mark.django_db
def test_non_staff_non_authors_never_write(author):
    with pytest.raises(NotAllowed):
        services.roundup_create(author=make_user(), title="Week")
    roundup = make_roundup(author=author)
    with pytest.raises(NotAllowed):
        services.roundup_update(roundup=roundup, by=make_author(), title="x")
