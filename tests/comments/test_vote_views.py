"""The two vote axes on the page: the form's buttons without JavaScript, the fields scripts
send, both scores with their hover text, the reader's own votes, and collapse on approval only."""

import re

import pytest

from comments import services
from comments.models import Comment, Karma, Vote

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


def post(roundup, user, body="A thought."):
    return services.comment_create(
        roundup=roundup, author=user, body=body, enforce_rate_limit=False
    )


@pytest.fixture
def as_reader(client, reader):
    client.force_login(reader)
    return client


def comment_li(html, comment):
    """One comment's own markup, up to the end of its actions."""
    start = html.rindex("<li", 0, html.index(f'id="c{comment.pk}"'))
    actions = html.index('<div class="comment-actions">', start)
    return html[start : html.index("</div>", actions) + len("</div>")]


def standing(comment, user):
    return sorted(
        Vote.objects.filter(comment=comment, user=user).values_list("axis", "value", "strong")
    )


# A button posts its axis and a state (-2 .. 2); each row is one press, in order.
PRESSES = [
    ({"approval": "1"}, [("approval", 1, False)]),
    ({"approval": "2"}, [("approval", 1, True)]),
    ({"agreement": "-2"}, [("agreement", -1, True), ("approval", 1, True)]),
    ({"approval": "-1"}, [("agreement", -1, True), ("approval", -1, False)]),
    ({"agreement": "0"}, [("approval", -1, False)]),
    ({"approval": "0"}, []),
]


def test_form_buttons_vote_on_both_axes_without_javascript(
    as_reader, roundup, reader, other_reader
):
    comment = post(roundup, other_reader)
    url = f"/comments/{comment.pk}/vote/"
    for fields, expected in PRESSES:
        response = as_reader.post(url, fields)
        assert response.status_code == 302
        assert response["Location"] == f"/roundups/{roundup.slug}/#c{comment.pk}"
        assert standing(comment, reader) == expected, fields


def test_the_fields_the_api_takes_work_here_too(as_reader, roundup, other_reader):
    comment = post(roundup, other_reader)
    url = f"/comments/{comment.pk}/vote/"
    body = as_reader.post(url, {"axis": "agreement", "value": "1", "strong": "true"}, **JSON)
    result = body.json()
    assert (result["axis"], result["value"], result["strong"], result["agreement"]) == (
        "agreement", 1, True, 1,
    )  # fmt: skip
    assert as_reader.post(url, {"value": "-1"}, **JSON).json()["score"] == -1  # approval


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"approval": "3"}, "A vote is 1 (up), -1 (down) or 0"),
        ({"agreement": "up"}, "A vote is 1 (up), -1 (down) or 0"),
        ({"axis": "karma", "value": "1"}, "axis is approval or agreement"),
        ({"value": "1", "strong": "very"}, "strength is true (strong) or false (normal)"),
    ],
)
def test_bad_vote_fields_are_400_and_write_nothing(as_reader, roundup, other_reader, fields,
                                                   message):  # fmt: skip
    comment = post(roundup, other_reader)
    response = as_reader.post(f"/comments/{comment.pk}/vote/", fields, **JSON)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not Vote.objects.exists()


def test_page_shows_both_scores_with_counts_on_hover_and_the_readers_votes(
    client, roundup, reader, other_reader, author
):
    comment = post(roundup, author)
    Karma.objects.create(user=other_reader, value=100)
    services.vote_cast(comment=comment, user=other_reader, value=1, strong=True)  # +3
    services.vote_cast(comment=comment, user=reader, value=-1)
    services.vote_cast(comment=comment, user=reader, value=1, axis="agreement", strong=True)
    client.force_login(reader)
    li = comment_li(client.get(roundup.get_absolute_url()).content.decode(), comment)
    assert '<span class="scores" title="2 karma from 2 votes; agreement +1 from 1 vote">' in li
    assert '<span class="score" data-score>2 points</span>' in li
    assert '<span class="agreement" data-agreement>+1 agreement</span>' in li
    pressed = re.findall(r'class="vote ([a-z -]+)" name="(\w+)" value="(-?\d)" aria-pressed="true"',
                         li)  # fmt: skip
    # The reader's own votes: down on approval, strong agree; pressed buttons post 0.
    assert pressed == [("vote-down", "approval", "0"), ("vote-agree-strong vote-strong",
                                                         "agreement", "0")]  # fmt: skip
    assert 'class="vote vote-up-strong vote-strong" name="approval" value="2"' in li
    assert 'class="vote-help"' in client.get(roundup.get_absolute_url()).content.decode()


def test_anonymous_readers_see_both_scores_and_no_buttons(client, roundup, reader, other_reader):
    comment = post(roundup, reader)
    services.vote_cast(comment=comment, user=other_reader, value=-1, axis="agreement")
    li = comment_li(client.get(roundup.get_absolute_url()).content.decode(), comment)
    assert '<span class="agreement" data-agreement>-1 agreement</span>' in li
    assert 'title="0 karma from 0 votes; agreement -1 from 1 vote"' in li
    assert "vote-form" not in li


def test_collapse_at_minus_five_follows_approval_only(client, roundup, reader):
    disputed = post(roundup, reader, "disputed")
    Comment.objects.filter(pk=disputed.pk).update(agreement=-12, disagree_votes=6)
    buried = post(roundup, reader, "buried")
    Comment.objects.filter(pk=buried.pk).update(score=-5, downvotes=5, agreement=8)
    html = client.get(roundup.get_absolute_url()).content.decode()
    assert '<details class="comment-fold" open>' in comment_li(html, disputed)
    assert '<details class="comment-fold">' in comment_li(html, buried)


def test_controversial_is_offered_beside_the_six(client, roundup, reader):
    calm = post(roundup, reader, "calm")
    split = post(roundup, reader, "split")
    Comment.objects.filter(pk=calm.pk).update(agreement=9, agree_votes=9)
    Comment.objects.filter(pk=split.pk).update(agree_votes=4, disagree_votes=4)
    html = client.get(roundup.get_absolute_url() + "?sort=controversial").content.decode()
    assert ">Controversial</a>" in html and 'href="?sort=controversial#comments"' in html
    assert html.index(f'id="c{split.pk}"') < html.index(f'id="c{calm.pk}"')
    assert client.get(roundup.get_absolute_url() + "?sort=top").status_code == 200
