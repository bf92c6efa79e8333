"""Reader suggestions: posted as a comment with a card, listed for authors, taken into a draft."""

import pytest
from django.urls import reverse

from comments.models import Comment
from forum.errors import InvalidInput, NotAllowed
from papers.models import PaperSuggestion
from papers.services import suggestion_create, suggestion_take
from roundups.models import PaperEntry
from tests.factories import make_author, make_roundup, make_user

pytestmark = pytest.mark.django_db

GOOD = {
    "title": "Attention Is All You Need",
    "url": "https://arxiv.org/abs/1706.03762",
    "blurb": "The *transformer* paper; worth a retrospective.",
}


def suggest(roundup, author=None, **fields):
    return suggestion_create(roundup=roundup, author=author or make_user(), **(GOOD | fields))


# --- suggesting ---------------------------------------------------------------------------


def test_a_suggestion_loses_invisible_control_characters(roundup):
    suggestion = suggest(roundup, title="Attention\x1b Is\x0b All", blurb="Read\x07 it.\x7f")
    assert (suggestion.title, suggestion.blurb) == ("Attention Is All", "Read it.")
    assert suggestion.comment.text.body == "Read it."


def test_a_suggestion_is_a_comment_with_a_card_in_the_thread(client, roundup, reader):
    client.force_login(reader)
    response = client.post(reverse("papers:suggest", args=[roundup.slug]), GOOD)
    suggestion = PaperSuggestion.objects.get()
    comment = suggestion.comment
    assert response.status_code == 302
    assert response["Location"] == f"{roundup.get_absolute_url()}#c{comment.pk}"
    assert comment.author == reader and comment.parent is None
    assert comment.text.body == GOOD["blurb"]
    assert suggestion.is_open
    html = client.get(roundup.get_absolute_url()).content.decode()
    assert '<p class="suggestion-card-label">Paper suggestion · open</p>' in html
    assert (
        '<a href="https://arxiv.org/abs/1706.03762" rel="nofollow ugc noopener">'
        "Attention Is All You Need</a>"
    ) in html
    assert '<p class="suggestion-card-link">arxiv.org</p>' in html
    assert "<em>transformer</em>" in html  # the blurb, as the comment's body


def test_the_card_escapes_what_the_reader_typed(client, roundup):
    suggest(roundup, title='<img src=x onerror="alert(1)">', url='https://example.org/?a="b"')
    html = client.get(roundup.get_absolute_url()).content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert 'href="https://example.org/?a=&quot;b&quot;"' in html


def test_the_suggest_form_is_on_the_roundup_page(client, roundup, reader):
    client.force_login(reader)
    html = client.get(roundup.get_absolute_url()).content.decode()
    assert f'action="{reverse("papers:suggest", args=[roundup.slug])}"' in html
    assert 'id="id_suggest_title"' in html


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "  "}, "Give the paper's title."),
        ({"url": "javascript:alert(1)"}, "Give a link to the paper"),
        ({"url": "ftp://example.org/paper"}, "Give a link to the paper"),
        ({"url": "not a link"}, "Give a link to the paper"),
        ({"blurb": " \n "}, "why the paper is worth a look"),
        ({"blurb": "x" * 2001}, "The blurb is too long"),
    ],
)
def test_bad_suggestions_are_refused_and_nothing_is_written(roundup, fields, message):
    with pytest.raises(InvalidInput, match=message):
        suggest(roundup, **fields)
    assert not Comment.objects.exists() and not PaperSuggestion.objects.exists()


def test_a_link_without_scheme_is_read_as_https(roundup):
    assert suggest(roundup, url="arxiv.org/abs/1706.03762").url == GOOD["url"]


def test_bad_form_input_comes_back_with_the_error(client, roundup, reader):
    client.force_login(reader)
    response = client.post(
        reverse("papers:suggest", args=[roundup.slug]), GOOD | {"url": "javascript:x"}
    )
    assert response.status_code == 400
    assert "Give a link to the paper" in response.content.decode()
    assert not Comment.objects.exists()


def test_locked_threads_refuse_suggestions(client, roundup, reader):
    roundup.comments_locked = True
    roundup.save()
    client.force_login(reader)
    response = client.post(reverse("papers:suggest", args=[roundup.slug]), GOOD)
    assert response.status_code == 403
    assert "locked" in response.content.decode()
    assert not PaperSuggestion.objects.exists()


def test_anonymous_readers_are_sent_to_log_in(client, roundup):
    response = client.post(reverse("papers:suggest", args=[roundup.slug]), GOOD)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert not PaperSuggestion.objects.exists()


def test_drafts_take_no_suggestions(client, reader):
    draft = make_roundup(published=False)
    client.force_login(reader)
    assert client.post(reverse("papers:suggest", args=[draft.slug]), GOOD).status_code == 404


# --- taking -------------------------------------------------------------------------------


@pytest.fixture
def draft(author):
    roundup = make_roundup(author=author, published=False, title="Next week")
    PaperEntry.objects.create(
        roundup=roundup, position=1, title="Already here", url="https://x.org"
    )
    return roundup


def test_an_author_takes_a_suggestion_into_their_draft(client, roundup, author, draft):
    reader = make_user("ada_l")
    suggestion = suggest(roundup, author=reader)
    client.force_login(author)
    response = client.post(
        reverse("papers:take_suggestion", args=[suggestion.pk]), {"roundup": draft.pk}
    )
    assert response.status_code == 302
    entry = draft.entries.get(position=2)
    assert (entry.title, entry.url) == (GOOD["title"], GOOD["url"])
    assert entry.paper_key == "arxiv:1706.03762"
    assert entry.opinion == GOOD["blurb"]  # the first draft of the opinion
    assert "Suggested by" in entry.related_html and "ada_l" in entry.related_html  # credit
    assert reverse("users:profile", args=["ada_l"]) in entry.related_html
    assert reverse("comments:permalink", args=[suggestion.comment_id]) in entry.related_html
    suggestion.refresh_from_db()
    assert not suggestion.is_open
    assert (suggestion.taken_entry, suggestion.taken_by) == (entry, author)
    page = client.get(reverse("papers:suggestions")).content.decode()
    assert "Added “Attention Is All You Need” to" in page
    assert f'href="{reverse("roundups:edit", args=[draft.slug])}"' in page


def test_the_thread_card_says_where_a_taken_suggestion_went(client, roundup, author, draft):
    suggestion = suggest(roundup)
    entry = suggestion_take(suggestion=suggestion, by=author, roundup=draft)
    html = client.get(roundup.get_absolute_url()).content.decode()
    assert "Paper suggestion · taken for an upcoming roundup" in html
    draft.status, draft.published_at = "published", draft.created_at
    draft.save()
    html = client.get(roundup.get_absolute_url()).content.decode()
    assert f'taken: <a href="{draft.get_absolute_url()}#paper-{entry.position}">' in html


def test_the_list_shows_open_suggestions_only(client, roundup, author, draft):
    open_one = suggest(roundup, title="Still open")
    taken = suggest(roundup, title="Taken one", url="https://arxiv.org/abs/2001.00001")
    suggestion_take(suggestion=taken, by=author, roundup=draft)
    removed = suggest(roundup, title="Removed one", url="https://arxiv.org/abs/2001.00002")
    Comment.objects.filter(pk=removed.comment_id).update(state=Comment.State.REMOVED)
    client.force_login(author)
    response = client.get(reverse("papers:suggestions"))
    assert list(response.context["page"].object_list) == [open_one]
    html = response.content.decode()
    assert "Recently taken" in html and "Taken one" in html
    assert "Removed one" not in html
    assert f'<option value="{draft.pk}">Next week</option>' in html


def test_readers_see_the_open_list_to_support_but_not_take_or_decline(
    client, roundup, reader, author, draft
):
    assert client.get(reverse("papers:suggestions")).status_code == 302  # to log in
    suggestion = suggest(roundup)
    suggestion_take(
        suggestion=suggest(roundup, url="https://arxiv.org/abs/2001.00001", title="Gone"),
        by=author,
        roundup=draft,
    )
    client.force_login(reader)
    response = client.get(reverse("papers:suggestions"))
    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("papers:support_suggestion", args=[suggestion.pk]) in html
    assert reverse("papers:take_suggestion", args=[suggestion.pk]) not in html
    assert reverse("papers:decline_suggestion", args=[suggestion.pk]) not in html
    assert "Recently taken" not in html and "Next week" not in html  # an author's draft
    url = reverse("papers:take_suggestion", args=[suggestion.pk])
    assert client.post(url, {"roundup": draft.pk}).status_code == 403


def _take(client, user, suggestion, roundup_pk):
    client.force_login(user)
    url = reverse("papers:take_suggestion", args=[suggestion.pk])
    return client.post(url, {"roundup": roundup_pk}, follow=True)


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("published", "Choose one of your draft roundups."),
        ("someone else's draft", "Choose one of your draft roundups."),
        ("no such roundup", "Choose one of your draft roundups."),
        ("already taken", "This suggestion was already taken."),
        ("comment removed", "This suggestion&#x27;s comment was deleted or removed."),
    ],
)
def test_bad_takes_say_why_and_write_nothing(client, roundup, author, draft, case, message):
    suggestion = suggest(roundup)
    target = draft.pk
    if case == "published":
        target = make_roundup(author=author).pk
    elif case == "someone else's draft":
        target = make_roundup(author=make_author(), published=False).pk
    elif case == "no such roundup":
        target = 999_999
    elif case == "already taken":
        other_draft = make_roundup(author=author, published=False)
        suggestion_take(suggestion=suggestion, by=author, roundup=other_draft)
    elif case == "comment removed":
        Comment.objects.filter(pk=suggestion.comment_id).update(state=Comment.State.REMOVED)
    entries_before = PaperEntry.objects.count()
    response = _take(client, author, suggestion, target)
    assert message in response.content.decode()
    assert PaperEntry.objects.count() == entries_before
    assert draft.entries.count() == 1


def test_the_service_checks_ownership_and_status(roundup, author, draft):
    suggestion = suggest(roundup)
    with pytest.raises(NotAllowed, match="own drafts"):
        suggestion_take(suggestion=suggestion, by=make_author(), roundup=draft)
    with pytest.raises(NotAllowed, match="Only authors"):
        suggestion_take(suggestion=suggestion, by=make_user(), roundup=draft)
    published = make_roundup(author=author)
    with pytest.raises(InvalidInput, match="is published; choose a draft"):
        suggestion_take(suggestion=suggestion, by=author, roundup=published)
    assert PaperSuggestion.objects.get().is_open


def test_recently_taken_shows_no_other_authors_draft_titles(client, roundup, author, draft):
    """#17 item 6: the titles of other authors' drafts are theirs until they publish."""
    other = make_author()
    secret = make_roundup(author=other, published=False, title="Secret upcoming issue")
    suggestion_take(
        suggestion=suggest(roundup, title="Into a secret draft"), by=other, roundup=secret
    )
    suggestion_take(suggestion=suggest(roundup, title="Into my draft"), by=author, roundup=draft)
    published_later = make_roundup(author=other, published=False, title="Out now")
    suggestion_take(
        suggestion=suggest(roundup, title="Into a published one"), by=other, roundup=published_later
    )
    published_later.status, published_later.published_at = "published", published_later.created_at
    published_later.save()

    client.force_login(author)
    html = client.get(reverse("papers:suggestions")).content.decode()
    assert "Secret upcoming issue" not in html and "Into a secret draft" not in html
    assert "Into my draft" in html and "Next week" in html  # their own draft
    assert "Into a published one" in html and "Out now" in html  # public anyway

    # Staff may see every draft (as on the roundup pages), so they see every taken suggestion.
    client.force_login(make_user(staff=True))
    html = client.get(reverse("papers:suggestions")).content.decode()
    assert "Secret upcoming issue" in html and "Into my draft" in html
