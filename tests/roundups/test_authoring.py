"""Writing roundups: permissions, the form and its paper-entry formset, preview and publish."""

import feedparser
import pytest
from django.urls import reverse

from comments.services import comment_create
from roundups.forms import RoundupForm
from roundups.models import PaperEntry, Roundup
from tests import factories

pytestmark = pytest.mark.django_db

ENTRY_FIELDS = ["position", "title", "url", "authors", "year", "abstract", "opinion"]
ENTRY_FIELDS += ["code_url", "related"]


def form_data(roundup_fields=None, entries=(), existing=(), prefix="entries"):
    """POST data for the authoring form.

    ``existing`` are (entry, changes) pairs for saved entries, sent first as Django expects;
    ``entries`` are dicts for new ones.
    """
    data = {
        "title": "Week 42: Interpretability",
        "slug": "",
        "series": "",
        "number": "",
        "intro": "This week: *interpretability*.",
        "outro": "Bye.",
        "crosspost_url": "",
        "action": "save",
    }
    data.update(roundup_fields or {})
    rows = []
    for entry, changes in existing:
        row = {name: getattr(entry, name) or "" for name in ENTRY_FIELDS}
        row.update(id=entry.pk, roundup=entry.roundup_id)
        row.update(changes)
        rows.append(row)
    rows.extend(entries)
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{index}-{name}"] = "" if value is None else value
    data[f"{prefix}-TOTAL_FORMS"] = len(rows)
    data[f"{prefix}-INITIAL_FORMS"] = len(existing)
    data[f"{prefix}-MIN_NUM_FORMS"] = 0
    data[f"{prefix}-MAX_NUM_FORMS"] = 1000
    return data


def paper(n, **changes):
    row = {
        "position": n,
        "title": f"Paper {n}",
        "url": f"https://arxiv.org/abs/2312.0000{n}",
        "authors": "A. Author, B. Author",
        "year": 2023,
        "abstract": f"Summary of paper {n}.",
        "opinion": f"Opinion **{n}**.",
        "code_url": "",
        "related": "",
    }
    row.update(changes)
    return row


def titles(roundup):
    return list(roundup.entries.order_by("position").values_list("title", flat=True))


# --- Permissions -----------------------------------------------------------------------------


def author_urls(slug):
    return [
        ("get", reverse("roundups:create")),
        ("get", reverse("roundups:edit", args=[slug])),
        ("get", reverse("roundups:preview", args=[slug])),
        ("post", reverse("roundups:publish", args=[slug])),
    ]


def test_anonymous_users_are_sent_to_login(client, author):
    draft = factories.make_roundup(author=author, published=False)
    for method, url in author_urls(draft.slug):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login") + "?next="), url


def test_readers_and_moderators_get_a_403_page(client, author):
    draft = factories.make_roundup(author=author, published=False)
    published = factories.make_roundup(author=author)
    for user in [factories.make_user(), factories.make_moderator()]:
        client.force_login(user)
        for slug in [draft.slug, published.slug]:
            for method, url in author_urls(slug):
                response = getattr(client, method)(url)
                assert response.status_code == 403, url
                assert b"You can't do that here" in response.content


def test_other_authors_get_403_on_published_and_404_on_drafts(client, author):
    draft = factories.make_roundup(author=author, published=False, entries=1)
    published = factories.make_roundup(author=author)
    client.force_login(factories.make_author())
    for method, url in author_urls(published.slug)[1:]:
        assert getattr(client, method)(url).status_code == 403, url
    for method, url in author_urls(draft.slug)[1:]:
        assert getattr(client, method)(url).status_code == 404, url
    draft.refresh_from_db()
    assert draft.status == Roundup.Status.DRAFT


def test_staff_may_edit_preview_and_publish_anyones_roundup(client, author):
    draft = factories.make_roundup(author=author, published=False, entries=1)
    client.force_login(factories.make_user(staff=True))
    assert client.get(reverse("roundups:edit", args=[draft.slug])).status_code == 200
    assert client.get(reverse("roundups:preview", args=[draft.slug])).status_code == 200
    assert client.post(reverse("roundups:publish", args=[draft.slug])).status_code == 302
    draft.refresh_from_db()
    assert draft.is_published and draft.author == author


def test_publish_needs_post(client, author):
    draft = factories.make_roundup(author=author, published=False, entries=1)
    client.force_login(author)
    assert client.get(reverse("roundups:publish", args=[draft.slug])).status_code == 405


def test_unknown_slug_is_404_for_authors(client, author):
    client.force_login(author)
    for method, url in author_urls("no-such-roundup")[1:]:
        assert getattr(client, method)(url).status_code == 404, url


# --- The flow, end to end --------------------------------------------------------------------


def test_author_writes_reorders_previews_and_publishes_a_roundup(client, author):
    series = factories.make_series("Weekly paper roundup", slug="weekly-paper-roundup")
    client.force_login(author)

    # 1. The empty form, then a draft with three papers; the slug comes from the title.
    page = client.get(reverse("roundups:create"))
    assert page.status_code == 200
    assert b'name="entries-TOTAL_FORMS"' in page.content
    response = client.post(
        reverse("roundups:create"),
        form_data({"series": series.pk, "number": 42}, entries=[paper(1), paper(2), paper(3)]),
    )
    roundup = Roundup.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("roundups:edit", args=["week-42-interpretability"])
    assert roundup.slug == "week-42-interpretability" and roundup.author == author
    assert roundup.status == Roundup.Status.DRAFT and roundup.published_at is None
    assert roundup.intro_html == "<p>This week: <em>interpretability</em>.</p>"
    assert titles(roundup) == ["Paper 1", "Paper 2", "Paper 3"]
    second = PaperEntry.objects.get(title="Paper 2")
    assert second.opinion_html == "<p>Opinion <strong>2</strong>.</p>"

    # Drafts are not public yet.
    client.logout()
    assert client.get(roundup.get_absolute_url()).status_code == 404
    assert roundup.title not in client.get(reverse("home")).content.decode()
    client.force_login(author)

    # 2. Reorder by typing positions (no JavaScript): 3 first, then 1, then 2.
    one, two, three = roundup.entries.order_by("position")
    data = form_data(
        {"series": series.pk, "number": 42, "slug": roundup.slug, "action": "preview"},
        existing=[(one, {"position": 2}), (two, {"position": 3}), (three, {"position": 1})],
    )
    response = client.post(reverse("roundups:edit", args=[roundup.slug]), data)
    assert response.status_code == 302
    assert response.url == reverse("roundups:preview", args=[roundup.slug])
    assert titles(roundup) == ["Paper 3", "Paper 1", "Paper 2"]
    assert list(roundup.entries.order_by("position").values_list("position", flat=True)) == [
        1,
        2,
        3,
    ]

    # 3. The preview is the reader's page with a draft banner, papers in the new order.
    preview = client.get(response.url).content.decode()
    assert "Preview of a draft" in preview
    assert preview.index("Paper 3") < preview.index("Paper 1") < preview.index("Paper 2")
    assert 'id="paper-1"' in preview and "<h3>My opinion</h3>" in preview

    # 4. Publish.
    response = client.post(reverse("roundups:publish", args=[roundup.slug]))
    assert response.status_code == 302 and response.url == roundup.get_absolute_url()
    roundup.refresh_from_db()
    assert roundup.is_published and roundup.published_at is not None

    # 5. Readers see it on the home page, the roundup page and every feed.
    client.logout()
    assert roundup.title in client.get(reverse("home")).content.decode()
    page = client.get(roundup.get_absolute_url()).content.decode()
    assert page.index("Paper 3") < page.index("Paper 1")
    for name, args in [
        ("roundups:feed_rss", []),
        ("roundups:feed_atom", []),
        ("roundups:series_rss", [series.slug]),
        ("roundups:series_atom", [series.slug]),
    ]:
        feed = feedparser.parse(client.get(reverse(name, args=args)).content)
        assert [entry.title for entry in feed.entries] == [roundup.title], name


def test_preview_of_a_published_roundup_says_so(client, roundup, author):
    client.force_login(author)
    response = client.get(reverse("roundups:preview", args=[roundup.slug]))
    assert b"Preview of a published roundup" in response.content


def test_remove_and_add_entries(client, author):
    roundup = factories.make_roundup(author=author, published=False, entries=3)
    one, two, three = roundup.entries.order_by("position")
    client.force_login(author)
    data = form_data(
        {"slug": roundup.slug, "title": roundup.title},
        existing=[(one, {}), (two, {"DELETE": "on"}), (three, {})],
        entries=[paper(9, position="", title="Added paper")],
    )
    response = client.post(reverse("roundups:edit", args=[roundup.slug]), data)
    assert response.status_code == 302
    assert titles(roundup) == [one.title, three.title, "Added paper"]
    assert not PaperEntry.objects.filter(pk=two.pk).exists()


def test_the_form_strips_invisible_control_characters(client, author):
    client.force_login(author)
    data = form_data(
        {"title": "Week\x1b[0m 42\x00", "intro": "Line\x0b one\r\nline two\x07"},
        entries=[paper(1, title="Paper\x01 one", abstract="Short\x08.")],
    )
    response = client.post(reverse("roundups:create"), data)
    assert response.status_code == 302
    roundup = Roundup.objects.get()
    assert (roundup.title, roundup.intro) == ("Week[0m 42", "Line one\nline two")
    assert roundup.slug == "week0m-42"
    entry = roundup.entries.get()
    assert (entry.title, entry.abstract) == ("Paper one", "Short.")


def test_blank_extra_forms_are_ignored(client, author):
    client.force_login(author)
    blank = {name: "" for name in ENTRY_FIELDS}
    response = client.post(reverse("roundups:create"), form_data(entries=[paper(1), blank, blank]))
    assert response.status_code == 302
    assert Roundup.objects.get().entries.count() == 1


def test_author_edits_a_published_roundup_and_it_stays_published(client, author, roundup):
    client.force_login(author)
    entries = list(roundup.entries.order_by("position"))
    data = form_data(
        {"slug": roundup.slug, "title": "New title"}, existing=[(e, {}) for e in entries]
    )
    assert client.post(reverse("roundups:edit", args=[roundup.slug]), data).status_code == 302
    roundup.refresh_from_db()
    assert roundup.title == "New title" and roundup.is_published


# --- Bad input: clear errors, nothing written --------------------------------------------------


@pytest.mark.parametrize(
    "roundup_fields, entry_changes, message",
    [
        ({"title": ""}, {}, "This field is required."),
        ({"crosspost_url": "not a url"}, {}, "Enter a valid URL."),
        ({"slug": "new"}, {}, "is reserved"),
        ({"title": "!!!"}, {}, "the title has no letters or digits"),
        ({}, {"url": "javascript:alert(1)"}, "Enter a valid URL."),
        ({}, {"title": ""}, "This field is required."),
        ({}, {"year": 20230}, "Enter a year between"),
        ({}, {"code_url": "ftp//nope"}, "Enter a valid URL."),
    ],
)
def test_invalid_input_rerenders_with_errors_and_writes_nothing(
    client, author, roundup_fields, entry_changes, message
):
    client.force_login(author)
    data = form_data(roundup_fields, entries=[paper(1), paper(2, **entry_changes)])
    response = client.post(reverse("roundups:create"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert b"Nothing was saved" in response.content
    assert not Roundup.objects.exists() and not PaperEntry.objects.exists()


def test_duplicate_slug_is_a_form_error(client, author):
    factories.make_roundup(author=factories.make_author(), slug="taken", published=False)
    client.force_login(author)
    response = client.post(reverse("roundups:create"), form_data({"slug": "taken"}))
    assert response.status_code == 200
    assert b"Roundup with this Slug already exists." in response.content
    assert Roundup.objects.count() == 1


def test_invalid_entry_on_edit_changes_nothing(client, author):
    roundup = factories.make_roundup(author=author, published=False, entries=2, title="Before")
    one, two = roundup.entries.order_by("position")
    client.force_login(author)
    data = form_data(
        {"slug": roundup.slug, "title": "After"},
        existing=[(one, {"position": 2}), (two, {"url": "nope", "position": 1})],
    )
    response = client.post(reverse("roundups:edit", args=[roundup.slug]), data)
    assert response.status_code == 200
    roundup.refresh_from_db()
    assert roundup.title == "Before"
    assert titles(roundup) == [one.title, two.title]


def test_a_failure_while_saving_entries_rolls_back_the_roundup(client, author, monkeypatch):
    def explode(roundup, entries):
        raise RuntimeError("disk full")

    monkeypatch.setattr("roundups.services._replace_entries", explode)
    client.force_login(author)
    client.raise_request_exception = True
    with pytest.raises(RuntimeError):
        client.post(reverse("roundups:create"), form_data(entries=[paper(1)]))
    assert not Roundup.objects.exists()


def test_publishing_without_papers_is_refused(client, author):
    draft = factories.make_roundup(author=author, published=False)
    client.force_login(author)
    response = client.post(reverse("roundups:publish", args=[draft.slug]), follow=True)
    assert b"Add at least one paper before publishing." in response.content
    draft.refresh_from_db()
    assert not draft.is_published


def test_publishing_twice_keeps_the_first_date(client, author):
    draft = factories.make_roundup(author=author, published=False, entries=1)
    client.force_login(author)
    client.post(reverse("roundups:publish", args=[draft.slug]))
    draft.refresh_from_db()
    first = draft.published_at
    client.post(reverse("roundups:publish", args=[draft.slug]))
    draft.refresh_from_db()
    assert draft.published_at == first


# --- The services' rules, through the form (roundups/services.py's docstring) ---------------------


def test_a_slug_made_from_the_title_gets_a_number_instead_of_an_error(client, author):
    factories.make_roundup(author=factories.make_author(), slug="week-42-interpretability")
    client.force_login(author)
    response = client.post(reverse("roundups:create"), form_data(entries=[paper(1)]))
    assert response.status_code == 302
    assert response.url == reverse("roundups:edit", args=["week-42-interpretability-2"])


def test_the_author_changes_the_slug_on_the_edit_page(client, author):
    roundup = factories.make_roundup(author=author, published=False, entries=1)
    entry = roundup.entries.get()
    client.force_login(author)
    data = form_data({"slug": "a-better-address", "title": roundup.title}, existing=[(entry, {})])
    response = client.post(reverse("roundups:edit", args=[roundup.slug]), data)
    assert response.url == reverse("roundups:edit", args=["a-better-address"])
    roundup.refresh_from_db()
    assert roundup.slug == "a-better-address"


def test_a_typed_slug_taken_after_the_form_checked_it_is_shown_on_the_slug_field(
    client, author, monkeypatch
):
    # Another author takes the slug between the form's check and the service's (a race).
    monkeypatch.setattr(RoundupForm, "validate_unique", lambda self: None)
    factories.make_roundup(author=factories.make_author(), slug="taken")
    client.force_login(author)
    response = client.post(reverse("roundups:create"), form_data({"slug": "taken"}))
    assert response.status_code == 200
    assert response.context["form"].errors["slug"] == [
        "The slug “taken” is taken by another roundup."
    ]
    assert b"Nothing was saved" in response.content
    assert Roundup.objects.count() == 1


def test_edited_entries_keep_their_identity_and_discussion(client, author, reader):
    roundup = factories.make_roundup(author=author, entries=2)
    one, two = roundup.entries.order_by("position")
    comment = comment_create(roundup=roundup, author=reader, body="On two", paper_entry=two)
    client.force_login(author)
    data = form_data(
        {"slug": roundup.slug, "title": roundup.title},
        existing=[(one, {"position": 2}), (two, {"position": 1, "title": "Two, retitled"})],
    )
    assert client.post(reverse("roundups:edit", args=[roundup.slug]), data).status_code == 302
    first, second = roundup.entries.order_by("position")
    assert (first.pk, first.title, second.pk) == (two.pk, "Two, retitled", one.pk)
    comment.refresh_from_db()
    assert comment.paper_entry_id == two.pk


def test_a_paper_removed_and_added_again_in_one_save_keeps_its_discussion(client, author, reader):
    roundup = factories.make_roundup(author=author, entries=2)
    one, two = roundup.entries.order_by("position")
    comment = comment_create(roundup=roundup, author=reader, body="On two", paper_entry=two)
    client.force_login(author)
    again = paper(3, title="Two again", url=two.url, position="")
    data = form_data(
        {"slug": roundup.slug, "title": roundup.title},
        existing=[(one, {}), (two, {"DELETE": "on"})],
        entries=[again],
    )
    assert client.post(reverse("roundups:edit", args=[roundup.slug]), data).status_code == 302
    assert titles(roundup) == [one.title, "Two again"]
    assert roundup.entries.get(title="Two again").pk == two.pk  # same paper_key: same entry
    comment.refresh_from_db()
    assert comment.paper_entry_id == two.pk


def test_a_service_error_about_one_paper_shows_on_that_paper(client, author):
    client.force_login(author)
    # Sent in another order than shown: the service names the paper by its place in that order.
    data = form_data(
        entries=[paper(1, position=3), paper(2, year=20230, position=1), paper(3, position=2)]
    )
    response = client.post(reverse("roundups:create"), data)
    assert response.status_code == 200
    entry_forms = response.context["formset"].forms
    assert [bool(form.errors) for form in entry_forms] == [False, True, False]
    assert entry_forms[1].errors["year"][0].startswith("Enter a year between 1800 and")
    assert not response.context["form"].errors
    assert not Roundup.objects.exists()


def test_a_refused_edit_with_the_slug_left_blank_still_shows_the_page(client, author):
    """The bound form writes its input onto its instance: the page's links must keep the saved
    slug (they once reversed with the blank one and answered 500)."""
    roundup = factories.make_roundup(author=author, published=False, entries=1)
    client.force_login(author)
    data = form_data({"slug": ""}, existing=[(roundup.entries.get(), {"url": "nope"})])
    response = client.post(reverse("roundups:edit", args=[roundup.slug]), data)
    assert response.status_code == 200
    assert reverse("roundups:preview", args=[roundup.slug]).encode() in response.content
