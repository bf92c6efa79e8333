"""Every list page at any size: keyset pages ("newer / older") that cost the same number of
queries for 1 item or 50, and that walk every item exactly once in both directions."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from comments.models import ModerationAction
from papers.models import PaperSuggestion
from tests import factories

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def _roundups(n, **fields):
    author = factories.make_author()
    for i in range(n):
        factories.make_roundup(
            author=author, entries=2, published_at=NOW - timedelta(hours=i), **fields
        )


def _home(n):
    _roundups(n, series=factories.make_series())
    return reverse("home")


def _series(n):
    series = factories.make_series(slug="weekly")
    _roundups(n, series=series)
    return reverse("roundups:series", args=["weekly"])


def _log(n):
    moderator, reader = factories.make_moderator(), factories.make_user()
    roundup = factories.make_roundup()
    for i in range(n):
        comment = factories.make_comment(roundup=roundup, author=reader)
        ModerationAction.objects.create(
            moderator=moderator, action="remove", comment=comment, roundup=roundup, user=reader,
            reason="Spam.", created_at=NOW - timedelta(minutes=i),
        )  # fmt: skip
    return reverse("comments:moderation_log")


def _suggestions(n):
    reader = factories.make_user()
    roundup = factories.make_roundup()
    for i in range(n):
        comment = factories.make_comment(roundup=roundup, author=reader, body="Read this.")
        PaperSuggestion.objects.create(
            comment=comment, title=f"Paper {i}", url=f"https://example.org/{i}", blurb="Read this.",
            created_at=NOW - timedelta(minutes=i),
        )  # fmt: skip
    return reverse("papers:suggestions")


def _papers(n):
    roundups = [factories.make_roundup(published_at=NOW - timedelta(days=d)) for d in (1, 2)]
    for i in range(n):
        for roundup in roundups:
            factories.make_entry(roundup, url=f"https://arxiv.org/abs/2301.{i:05d}")
    return reverse("papers:index")


def _api(n):
    _roundups(n)
    return "/api/roundups"


# page -> (builder, items per page marker, queries). Every count is the same for 1 item or 50:
#   home: the page of roundups with series, author and both counts (1);
#   series: the series, then its page (2);
#   moderation log: the page of actions with moderator, comment, roundup and user (1);
#   suggestions (an author, signed in): the user, their user and group permissions (one
#     query: author_required), the open page with comment, author and roundup, the header's unread
#     count, the author's drafts, the recently taken, and the header's open-suggestions count
#     that authors see beside "Suggestions" (papers.context_processors.open_suggestions)
#     (7 + the session store's);
#   papers: the page of Paper rows, their entries with roundups (2);
#   API: the count, the page of roundups with series and author, their entries (3).
PAGES = {
    "home": (_home, b'class="roundup-summary"', 1),
    "series": (_series, b'class="roundup-summary"', 2),
    "log": (_log, b"<tr>\n        <td><time", 1),
    "suggestions": (_suggestions, b'class="suggestion-item"', 7),
    "papers": (_papers, b'class="paper-row"', 2),
    "api": (_api, None, 3),
}


@pytest.mark.parametrize("items", [1, 50])
@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_list_page_costs_the_same_for_1_or_50_items(
    client, name, items, django_assert_num_queries, session_queries
):
    """Intended to prevent an n+1 issue (the series page once ran 53 queries for 50 roundups)."""
    build, marker, queries = PAGES[name]
    url = build(items)
    if name == "suggestions":
        client.force_login(factories.make_author("suggestions-author"))
        queries += session_queries
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200
    if marker is not None:
        assert 0 < response.content.count(marker) <= items


def _links(response):
    html = response.content.decode()
    found = dict(re.findall(r'rel="(prev|next)" href="(\?[^"]+)"', html))
    return {rel: href.replace("&amp;", "&") for rel, href in found.items()}


def test_walking_older_then_newer_shows_every_item_once_even_with_ties(client, monkeypatch):
    """Keyset pages: ties on the time break by id, so nothing repeats or is skipped either way."""
    monkeypatch.setattr("roundups.views.HOME_PAGE_SIZE", 3)
    author = factories.make_author()
    made = [factories.make_roundup(author=author, published_at=NOW - timedelta(hours=i // 4))
            for i in range(11)]  # fmt: skip
    expected = sorted(made, key=lambda r: (r.published_at, r.pk), reverse=True)
    seen, url, pages = [], reverse("home"), []
    while url:
        response = client.get(url)
        pages.append([r.pk for r in response.context["roundups"]])
        seen += pages[-1]
        older = _links(response).get("next")
        url = reverse("home") + older if older else None
    assert seen == [r.pk for r in expected]
    assert [len(page) for page in pages] == [3, 3, 3, 2]
    # And back up from the last page, newer each time, to the first.
    back, newer = [], _links(response).get("prev")
    while newer:
        response = client.get(reverse("home") + newer)
        back.insert(0, [r.pk for r in response.context["roundups"]])
        newer = _links(response).get("prev")
    assert back == pages[:-1]


def test_a_page_past_a_deleted_row_still_links_back(client, monkeypatch):
    monkeypatch.setattr("roundups.views.HOME_PAGE_SIZE", 2)
    author = factories.make_author()
    made = [factories.make_roundup(author=author, published_at=NOW - timedelta(hours=i))
            for i in range(3)]  # fmt: skip
    first = client.get(reverse("home"))
    older = _links(first)["next"]
    made[2].delete()  # the only row of the next page goes away
    empty = client.get(reverse("home") + older)
    assert list(empty.context["roundups"]) == []
    back = client.get(reverse("home") + _links(empty)["prev"])
    assert [r.pk for r in back.context["roundups"]] == [made[0].pk, made[1].pk]


@pytest.mark.parametrize("name", ["series", "log", "papers"])
def test_broken_cursors_are_a_400(client, name):
    url = PAGES[name][0](1)
    for cursor in ("?after=!!", "?before=bm90IGpzb24", "?after=" + "A" * 500):
        assert client.get(url + cursor).status_code == 400


def _profile_comments():
    from comments.models import Comment
    from roundups.models import published_filter

    user = factories.make_user()
    return Comment.objects.filter(published_filter("roundup__"), author=user, state="visible")


def _list_querysets():
    from comments.models import ModerationAction
    from roundups.models import Paper, Roundup, Series

    published = Roundup.objects.published()
    return {
        "comment_author_time_idx": _profile_comments().order_by("-created_at", "-pk")[:50],
        "modlog_time_idx": ModerationAction.objects.order_by("-created_at", "-pk")[:50],
        "suggestion_state_time_idx": PaperSuggestion.objects.open().for_list()[:26],
        "roundup_pub_idx": published.order_by("-published_at", "-pk")[:21],
        # as the series page asks: by the series' id, fetched first
        "roundup_series_pub_idx": published.filter(
            series_id=Series.objects.filter(slug="s-0").values_list("pk", flat=True).first()
        ).order_by("-published_at", "-pk")[:51],
        "paper_covered_idx": Paper.objects.covered().order_by("-last_covered_at", "-pk")[:51],
    }


@pytest.mark.postgres
@pytest.mark.skipif(
    __import__("django.db").db.connection.vendor != "postgresql",
    reason="the plans are PostgreSQL's",
)
@pytest.mark.parametrize(
    "index",
    [
        "comment_author_time_idx",
        "modlog_time_idx",
        "suggestion_state_time_idx",
        "roundup_pub_idx",
        "roundup_series_pub_idx",
        "paper_covered_idx",
    ],
)
def test_each_list_reads_its_page_from_an_index_in_its_order(index):
    """A page must be a walk of an index in the list's order that stops after a page, not a sort
    of every row (the profile once read all 10,000 comments of a user to show 50). The tables
    here are tiny, so sequential scans and sorts are switched off to see what the planner can do
    without them."""
    from django.db import connection

    if index == "roundup_series_pub_idx":  # many series: then the series is the selective part
        author = factories.make_author()
        series = [factories.make_series(slug=f"s-{n}") for n in range(20)]
        for n in range(200):
            factories.make_roundup(author=author, series=series[n % 20])
    queryset = _list_querysets()[index]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_incremental_sort = off")
        plan = queryset.explain()
    assert index in plan, plan
