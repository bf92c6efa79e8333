"""GET/POST/PATCH roundups: fields, order, drafts, and who may write."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from api.endpoints import roundups as roundup_endpoints
from comments.services import comment_create, comment_delete
from roundups.models import MAX_ENTRIES, Roundup
from tests.factories import make_author, make_entry, make_roundup, make_series, make_user

from .conftest import client_for

pytestmark = pytest.mark.django_db

ENTRY = {"title": "Attention", "url": "https://arxiv.org/abs/1706.03762", "authors": "Vaswani"}


def _new(**fields):
    body = {"title": "Papers of the week", "intro": "Hello *there*", "entries": [ENTRY]}
    body.update(fields)
    return body


# --- reading -------------------------------------------------------------------------------------


def test_list_is_published_only_newest_first_with_every_field(anon, author, reader):
    now = timezone.now()
    series = make_series("Weekly", slug="weekly")
    older = make_roundup(author=author, published_at=now - timedelta(days=7), series=series)
    newer = make_roundup(author=author, published_at=now, entries=2, number=12)
    make_roundup(author=author, published=False)
    comment_create(roundup=newer, author=reader, body="visible")
    gone = comment_create(roundup=newer, author=reader, body="deleted")
    comment_delete(comment=gone, by=reader)

    response = anon.get("/api/roundups")
    assert response.status_code == 200
    data = response.json()
    assert (data["count"], data["page"], data["pages"]) == (2, 1, 1)
    assert [r["slug"] for r in data["results"]] == [newer.slug, older.slug]
    first = data["results"][0]
    assert set(first) == {
        "slug", "title", "url", "author", "series", "number", "status", "published_at",
        "publish_at", "intro_html", "outro_html", "comments_locked", "comment_count", "entries",
    }  # fmt: skip
    assert first["author"] == "author"
    assert first["number"] == 12
    assert first["status"] == "published"
    assert first["comment_count"] == 1  # the deleted comment is not counted
    assert first["intro_html"] == "<p>This week: <strong>papers</strong>.</p>"
    assert first["url"] == f"/roundups/{newer.slug}/"
    assert [e["position"] for e in first["entries"]] == [1, 2]
    assert set(first["entries"][0]) == {
        "position", "title", "url", "authors", "year", "abstract", "opinion_html", "code_url",
        "related_html",
    }  # fmt: skip
    assert data["results"][1]["series"] == {"slug": "weekly", "name": "Weekly"}


def test_list_pages(anon, author, monkeypatch):
    monkeypatch.setattr(roundup_endpoints, "PAGE_SIZE", 2)
    now = timezone.now()
    made = [make_roundup(author=author, published_at=now - timedelta(hours=n)) for n in range(5)]
    pages = [anon.get("/api/roundups", {"page": n}).json() for n in (1, 2, 3, 4)]
    assert [len(p["results"]) for p in pages] == [2, 2, 1, 0]
    assert pages[0]["pages"] == 3
    slugs = [r["slug"] for p in pages for r in p["results"]]
    assert slugs == [r.slug for r in made]


def test_list_follows_cursors_to_the_end(anon, author, monkeypatch):
    """``next`` is a keyset cursor: following it yields every roundup once, newest first, even
    when a roundup is published between two fetches (it goes on top, nothing shifts)."""
    monkeypatch.setattr(roundup_endpoints, "PAGE_SIZE", 2)
    now = timezone.now()
    made = [make_roundup(author=author, published_at=now - timedelta(hours=n)) for n in range(5)]
    first = anon.get("/api/roundups").json()
    assert first["next"] and first["page"] == 1
    make_roundup(author=author)  # newer than all: on page one, not in the walk
    pages, cursor = [first], first["next"]
    while cursor:
        pages.append(anon.get("/api/roundups", {"cursor": cursor}).json())
        cursor = pages[-1]["next"]
    assert [len(p["results"]) for p in pages] == [2, 2, 1]
    assert [r["slug"] for p in pages for r in p["results"]] == [r.slug for r in made]
    # ?page= gives a cursor too, to switch to the cheap way mid-list (offsets shift with the
    # new roundup: page 2 is now made[1:3]).
    second = anon.get("/api/roundups", {"page": 2}).json()
    assert [r["slug"] for r in second["results"]] == [r.slug for r in made[1:3]]
    after = anon.get("/api/roundups", {"cursor": second["next"]}).json()
    assert [r["slug"] for r in after["results"]] == [r.slug for r in made[3:5]]


@pytest.mark.parametrize("cursor", ["bm90IGpzb24", "W10", "AAAA"])
def test_a_broken_cursor_is_400(anon, cursor):
    response = anon.get("/api/roundups", {"cursor": cursor})
    assert response.status_code == 400
    assert "page link is broken" in response.json()["detail"]


@pytest.mark.parametrize("cursor", ["", "a b", "x" * 201])
def test_a_malformed_cursor_is_422(anon, cursor):
    assert anon.get("/api/roundups", {"cursor": cursor}).status_code == 422


@pytest.mark.parametrize("page", ["0", "-1", "abc", str(10**30)])
def test_bad_page_is_422(anon, page):
    response = anon.get("/api/roundups", {"page": page})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "page"]


@pytest.mark.parametrize("n", [1, 10])
def test_list_query_count_is_fixed(anon, author, n, django_assert_num_queries):
    """Intended to prevent an n+1 issue: count, roundups with counts, entries, series/authors."""
    for _ in range(n):
        make_roundup(author=author, entries=3, series=make_series())
    # count + roundups (author and series joined, counts as subqueries) + entries prefetch
    with django_assert_num_queries(3):
        assert len(anon.get("/api/roundups").json()["results"]) == n


def test_detail(anon, roundup):
    response = anon.get(f"/api/roundups/{roundup.slug}")
    assert response.status_code == 200
    assert response.json()["slug"] == roundup.slug
    assert [e["position"] for e in response.json()["entries"]] == [1, 2, 3]


def test_entries_come_in_position_order(anon, author):
    roundup = make_roundup(author=author)
    make_entry(roundup, position=2, title="second")
    make_entry(roundup, position=1, title="first")
    titles = [e["title"] for e in anon.get(f"/api/roundups/{roundup.slug}").json()["entries"]]
    assert titles == ["first", "second"]


def test_drafts_are_404_except_to_their_author_and_staff(author, reader, admin_user):
    draft = make_roundup(author=author, published=False)
    url = f"/api/roundups/{draft.slug}"
    from .conftest import ApiClient

    assert ApiClient().get(url).status_code == 404
    assert client_for(reader).get(url).status_code == 404
    assert client_for(make_author("other-author")).get(url).status_code == 404
    assert client_for(author).get(url).json()["status"] == "draft"
    assert client_for(admin_user).get(url).status_code == 200
    assert ApiClient().get(url).json() == {"detail": "Not found."}


def test_unknown_slug_is_404_and_a_malformed_one_422(anon):
    assert anon.get("/api/roundups/no-such-roundup").status_code == 404
    assert anon.get("/api/roundups/has%20space").status_code == 422
    assert anon.get("/api/roundups/" + "a" * 201).status_code == 422


# --- creating ------------------------------------------------------------------------------------


def test_author_creates_a_draft_with_entries_in_order(as_author):
    second = {**ENTRY, "title": "Second", "opinion": "**Good**", "year": 2017}
    response = as_author.post("/api/roundups", _new(entries=[ENTRY, second]))
    assert response.status_code == 201
    data = response.json()
    assert data["slug"] == "papers-of-the-week"
    assert data["status"] == "draft"
    assert data["published_at"] is None
    assert data["intro_html"] == "<p>Hello <em>there</em></p>"
    entries = [(e["position"], e["title"]) for e in data["entries"]]
    assert entries == [(1, "Attention"), (2, "Second")]
    assert data["entries"][1]["opinion_html"] == "<p><strong>Good</strong></p>"
    assert data["entries"][1]["year"] == 2017
    assert Roundup.objects.get(slug="papers-of-the-week").author.username == "author"


def test_create_and_publish_at_once(as_author, anon):
    response = as_author.post("/api/roundups", _new(publish=True, series=None))
    assert response.status_code == 201
    assert response.json()["status"] == "published"
    assert response.json()["published_at"] is not None
    assert anon.get("/api/roundups/papers-of-the-week").status_code == 200


def test_slug_is_made_unique_from_the_title(as_author):
    slugs = [as_author.post("/api/roundups", _new()).json()["slug"] for _ in range(3)]
    assert slugs == ["papers-of-the-week", "papers-of-the-week-2", "papers-of-the-week-3"]


def test_title_without_letters_still_gets_a_slug(as_author):
    assert as_author.post("/api/roundups", _new(title="!!!")).json()["slug"] == "roundup"


def test_asked_for_slug_taken_is_409(as_author, roundup):
    response = as_author.post("/api/roundups", _new(slug=roundup.slug))
    assert response.status_code == 409
    assert "taken" in response.json()["detail"]
    assert list(response.json()["fields"]) == ["slug"]  # as the form shows it, on the field
    assert Roundup.objects.count() == 1


def test_reserved_slug_is_400(as_author):
    response = as_author.post("/api/roundups", _new(slug="new"))
    assert response.status_code == 400
    assert "reserved" in response.json()["fields"]["slug"][0]


def test_series_by_slug(as_author):
    make_series("Weekly", slug="weekly")
    response = as_author.post("/api/roundups", _new(series="weekly"))
    assert response.json()["series"] == {"slug": "weekly", "name": "Weekly"}
    missing = as_author.post("/api/roundups", _new(series="monthly"))
    assert missing.status_code == 400
    assert "monthly" in missing.json()["fields"]["series"][0]


def test_bad_entry_is_400_naming_the_entry(as_author):
    bad = {"title": "x", "url": "not a url", "code_url": "javascript:alert(1)"}
    response = as_author.post("/api/roundups", _new(entries=[ENTRY, bad]))
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert set(fields) == {"entries[1].url", "entries[1].code_url"}
    assert not Roundup.objects.exists()


def test_entry_year_out_of_range_is_400(as_author):
    response = as_author.post("/api/roundups", _new(entries=[{**ENTRY, "year": 202}]))
    assert response.status_code == 400
    assert "entries[0].year" in response.json()["fields"]


def test_publishing_without_entries_is_400(as_author):
    response = as_author.post("/api/roundups", _new(entries=[], publish=True))
    assert response.status_code == 400
    assert not Roundup.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"title": ""},
        {"intro": "no title"},
        {"title": "x" * 301},
        {"title": "ok", "entries": [{"title": "no url"}]},
        {"title": "ok", "entries": [ENTRY] * (MAX_ENTRIES + 1)},
        {"title": "ok", "publish": "perhaps"},
        {"title": "ok", "slug": "white space"},
    ],
)
def test_invalid_roundup_body_is_422(as_author, body):
    response = as_author.post("/api/roundups", body)
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)


def test_only_authors_create(as_reader, as_moderator, anon):
    assert as_reader.post("/api/roundups", _new()).status_code == 403
    assert as_moderator.post("/api/roundups", _new()).status_code == 403
    assert anon.post("/api/roundups", _new()).status_code == 401
    assert not Roundup.objects.exists()


def test_staff_write_roundups_as_on_the_site(db):
    # One rule for the API and the authoring pages (accounts.roles.is_author).
    staff = make_user("staffer", staff=True)
    assert client_for(staff).post("/api/roundups", _new()).status_code == 201


# --- changing ------------------------------------------------------------------------------------


def test_author_changes_fields_and_the_slug_stays(as_author, roundup):
    response = as_author.patch(f"/api/roundups/{roundup.slug}", {"title": "New title"})
    assert response.status_code == 200
    assert response.json()["title"] == "New title"
    assert response.json()["slug"] == roundup.slug
    assert len(response.json()["entries"]) == 3  # entries not sent: kept


def test_entries_are_replaced_in_order(as_author, roundup):
    new = [{**ENTRY, "title": "B"}, {**ENTRY, "title": "A"}]
    response = as_author.patch(f"/api/roundups/{roundup.slug}", {"entries": new})
    assert [(e["position"], e["title"]) for e in response.json()["entries"]] == [(1, "B"), (2, "A")]
    assert roundup.entries.count() == 2


def test_patch_null_keeps_text_but_clears_series(as_author, author):
    roundup = make_roundup(author=author, series=make_series())
    response = as_author.patch(f"/api/roundups/{roundup.slug}", {"title": None, "series": None})
    assert response.json()["title"] == roundup.title
    assert response.json()["series"] is None


def test_patch_publishes_a_draft_once(as_author, author):
    draft = make_roundup(author=author, published=False, entries=1)
    first = as_author.patch(f"/api/roundups/{draft.slug}", {"publish": True}).json()
    assert first["status"] == "published"
    again = as_author.patch(f"/api/roundups/{draft.slug}", {"publish": True}).json()
    assert again["published_at"] == first["published_at"]


def test_publishing_an_empty_draft_is_400(as_author, author):
    draft = make_roundup(author=author, published=False)
    response = as_author.patch(f"/api/roundups/{draft.slug}", {"publish": True})
    assert response.status_code == 400
    assert "at least one paper" in response.json()["detail"]


def test_unpublishing_is_409(as_author, roundup):
    response = as_author.patch(f"/api/roundups/{roundup.slug}", {"publish": False})
    assert response.status_code == 409


def test_changing_to_a_taken_slug_is_409(as_author, author, roundup):
    other = make_roundup(author=author)
    response = as_author.patch(f"/api/roundups/{roundup.slug}", {"slug": other.slug})
    assert response.status_code == 409
    renamed = as_author.patch(f"/api/roundups/{roundup.slug}", {"slug": "a-new-slug"})
    assert renamed.json()["slug"] == "a-new-slug"


def test_only_its_author_or_staff_change_a_roundup(roundup, as_reader, as_admin, anon):
    url = f"/api/roundups/{roundup.slug}"
    assert client_for(make_author("someone-else")).patch(url, {"title": "x"}).status_code == 403
    assert as_reader.patch(url, {"title": "x"}).status_code == 403
    assert anon.patch(url, {"title": "x"}).status_code == 401
    assert as_admin.patch(url, {"title": "By staff"}).json()["title"] == "By staff"


def test_another_authors_draft_is_404_to_patch(author):
    draft = make_roundup(author=author, published=False)
    other = client_for(make_author("someone-else"))
    assert other.patch(f"/api/roundups/{draft.slug}", {"title": "x"}).status_code == 404
    assert other.patch("/api/roundups/no-such-slug", {"title": "x"}).status_code == 404


def test_queries_for_a_detail_do_not_grow_with_entries(anon, author):
    """Intended to prevent an n+1 issue over entries."""
    small = make_roundup(author=author, entries=1)
    big = make_roundup(author=author, entries=20)
    counts = []
    for roundup in (small, big):
        with CaptureQueriesContext(connection) as queries:
            anon.get(f"/api/roundups/{roundup.slug}")
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_patched_entries_keep_their_identity_and_comments_by_paper(as_author, author, reader):
    roundup = make_roundup(author=author, entries=2)
    one, two = roundup.entries.order_by("position")
    comment = comment_create(roundup=roundup, author=reader, body="On two", paper_entry=two)
    entries = [
        {"title": "Two, retitled", "url": two.url + "v3"},
        {"title": one.title, "url": one.url},
    ]
    response = as_author.patch(f"/api/roundups/{roundup.slug}", {"entries": entries})
    assert response.status_code == 200
    assert [e["title"] for e in response.json()["entries"]] == ["Two, retitled", one.title]
    assert list(roundup.entries.order_by("position").values_list("pk", flat=True)) == [
        two.pk,
        one.pk,
    ]
    comment.refresh_from_db()
    assert comment.paper_entry_id == two.pk


def test_publishing_while_removing_every_entry_is_400_and_changes_nothing(as_author, author):
    draft = make_roundup(author=author, published=False, entries=2)
    response = as_author.patch(f"/api/roundups/{draft.slug}", {"entries": [], "publish": True})
    assert response.status_code == 400
    assert response.json() == {"detail": "Add at least one paper before publishing."}
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.entries.count() == 2


def test_patch_publish_at_schedules_and_null_unschedules(
    as_author, author, django_capture_on_commit_callbacks
):
    draft = make_roundup(author=author, published=False, entries=1)
    when = (timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_author.patch(f"/api/roundups/{draft.slug}", {"publish_at": when.isoformat()})
    assert response.status_code == 200, response.content
    assert response.json()["publish_at"].replace("Z", "+00:00") == when.isoformat()
    assert response.json()["status"] == "draft"
    assert DBTaskResult.objects.get().run_after == when
    # Left out: unchanged. null: unscheduled.
    assert as_author.patch(f"/api/roundups/{draft.slug}", {"title": "T"}).json()["publish_at"]
    response = as_author.patch(f"/api/roundups/{draft.slug}", {"publish_at": None})
    assert response.status_code == 200 and response.json()["publish_at"] is None


@pytest.mark.parametrize(
    "value, status",
    [("2020-01-01T10:00:00Z", 400), ("2099-01-01T10:00:00", 400), ("soon", 422)],
    ids=["past", "naive", "not-a-time"],
)
def test_patch_bad_publish_at_is_refused_and_writes_nothing(as_author, author, value, status):
    draft = make_roundup(author=author, published=False, entries=1)
    response = as_author.patch(
        f"/api/roundups/{draft.slug}", {"title": "Changed", "publish_at": value}
    )
    assert response.status_code == status, response.content
    if status == 400:
        assert response.json()["fields"]["publish_at"]
    draft.refresh_from_db()
    assert draft.publish_at is None and draft.title != "Changed"


def test_patch_publish_at_on_a_published_roundup_is_a_conflict(as_author, author):

    published = make_roundup(author=author, entries=1)
    when = (timezone.now() + timedelta(days=1)).isoformat()
    response = as_author.patch(f"/api/roundups/{published.slug}", {"publish_at": when})
    assert response.status_code == 409


def test_the_cursor_and_next_are_in_the_openapi_schema(anon):
    schema = anon.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/roundups"]["get"]
    cursor = next(p for p in operation["parameters"] if p["name"] == "cursor")
    assert cursor["in"] == "query" and not cursor.get("required")
    assert "400" in operation["responses"]  # a cursor that is not ours
    page = schema["components"]["schemas"]["RoundupPage"]
    assert {"count", "page", "pages", "next", "results"} <= set(page["properties"])
    assert "next" in page["required"]  # always sent, null on the last page
