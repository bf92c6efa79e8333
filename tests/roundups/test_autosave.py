"""Autosave of the roundup form: drafts saved in place without any extra row, a published
roundup's live text untouched (its autosave kept aside and offered for restoring), invalid forms
kept, stale tabs refused with 409, and only the roundup's editors."""

import pytest
from django.urls import reverse

from roundups import autosave
from roundups.models import AutosaveSlot, Roundup
from tests import factories
from tests.roundups.test_authoring import form_data, paper

pytestmark = pytest.mark.django_db
JSON = {"Accept": "application/json"}


def page_version(client, roundup):
    """The version token the edit page hands its autosave, as a browser would read it."""
    return client.get(reverse("roundups:edit", args=[roundup.slug])).context["autosave_version"]


def post(client, roundup, data, version):
    url = reverse("roundups:autosave", args=[roundup.slug])
    return client.post(url, data | {"autosave_version": version}, headers=JSON)


@pytest.fixture
def draft(author):
    return factories.make_roundup(author=author, published=False, entries=1, title="Draft one")


def test_a_draft_is_saved_in_place_and_nothing_else_is_written(client, author, draft):
    from django.apps import apps

    client.force_login(author)
    version = page_version(client, draft)
    counts = {model: model.objects.count() for model in apps.get_models()}
    entry = draft.entries.get()
    data = form_data(
        {"title": "Draft one, retitled", "intro": "Typed so far"}, existing=[(entry, {})]
    )
    response = post(client, draft, data, version)
    assert response.status_code == 200 and response.json()["applied"] is True
    draft.refresh_from_db()
    assert (draft.title, draft.intro, draft.status) == (
        "Draft one, retitled",
        "Typed so far",
        "draft",
    )
    # Roundups keep no revisions; an autosave adds no row of any kind (no slot, no log).
    assert {model: model.objects.count() for model in apps.get_models()} == counts
    # Its answer is the next version: a second autosave from the same page goes through.
    data["intro"] = "Typed more"
    assert post(client, draft, data, response.json()["version"]).status_code == 200
    draft.refresh_from_db()
    assert draft.intro == "Typed more" and not AutosaveSlot.objects.exists()


def test_a_published_roundups_live_text_never_changes_and_the_edit_page_offers_restore(
    client, author
):
    roundup = factories.make_roundup(author=author, entries=1, intro="Live words")
    client.force_login(author)
    data = form_data({"title": roundup.title, "intro": "Not ready yet"},
                     existing=[(roundup.entries.get(), {})])  # fmt: skip
    response = post(client, roundup, data, page_version(client, roundup))
    assert response.status_code == 200 and response.json()["applied"] is False
    roundup.refresh_from_db()
    assert roundup.intro == "Live words" and roundup.intro_html == "<p>Live words</p>"
    assert AutosaveSlot.objects.get(roundup=roundup).data["intro"] == ["Not ready yet"]
    edit = reverse("roundups:edit", args=[roundup.slug])
    html = client.get(edit).content.decode()
    assert "Restore unsaved changes from" in html and f'href="{edit}?restore"' in html
    assert "Not ready yet" not in html  # the saved text is in the form until restored
    restored = client.get(edit + "?restore").content.decode()
    assert "Not ready yet" in restored and "restored into the form" in restored
    roundup.refresh_from_db()
    assert roundup.intro == "Live words"  # restoring only fills the form
    # The explicit save folds it in: the slot is gone, the text is live.
    client.post(edit, data)
    roundup.refresh_from_db()
    assert roundup.intro == "Not ready yet" and not AutosaveSlot.objects.exists()


def test_repeated_autosaves_keep_one_slot(client, author):
    roundup = factories.make_roundup(author=author, entries=1)
    client.force_login(author)
    version = page_version(client, roundup)
    for n in range(3):
        data = form_data({"intro": f"Take {n}"}, existing=[(roundup.entries.get(), {})])
        version = post(client, roundup, data, version).json()["version"]
    assert AutosaveSlot.objects.count() == 1
    assert AutosaveSlot.objects.get().data["intro"] == ["Take 2"]


def test_an_invalid_form_is_kept_though_it_cannot_be_applied(client, author, draft):
    client.force_login(author)
    entry = draft.entries.get()
    data = form_data({"intro": "Half a thought"}, existing=[(entry, {"title": ""})])
    response = post(client, draft, data, page_version(client, draft))
    assert response.status_code == 400
    assert response.json()["error"].startswith("Not saved: Paper 1, Title:")
    draft.refresh_from_db()
    assert draft.intro != "Half a thought"  # not applied
    slot = AutosaveSlot.objects.get(roundup=draft)
    assert slot.data["intro"] == ["Half a thought"] and slot.error
    assert (
        "Half a thought"
        in client.get(reverse("roundups:edit", args=[draft.slug]) + "?restore").content.decode()
    )
    # The answer carried the new version: the page's next autosave is not a conflict.
    data["entries-0-title"] = "Fixed"
    assert post(client, draft, data, response.json()["version"]).status_code == 200
    assert not AutosaveSlot.objects.exists()


def test_a_second_tab_does_not_overwrite_a_newer_save(client, author, draft):
    client.force_login(author)
    stale = page_version(client, draft)
    entry = draft.entries.get()
    first = post(client, draft, form_data({"intro": "Tab A"}, existing=[(entry, {})]), stale)
    assert first.status_code == 200
    second = post(client, draft, form_data({"intro": "Tab B"}, existing=[(entry, {})]), stale)
    assert second.status_code == 409
    assert "changed in another tab or window" in second.json()["error"]
    draft.refresh_from_db()
    assert draft.intro == "Tab A"
    # An explicit save elsewhere makes the page's version stale too.
    client.post(reverse("roundups:edit", args=[draft.slug]),
                form_data({"intro": "Saved"}, existing=[(entry, {})]))  # fmt: skip
    late = post(client, draft, form_data({"intro": "Late"}, existing=[(entry, {})]),
                first.json()["version"])  # fmt: skip
    assert late.status_code == 409 and not AutosaveSlot.objects.exists()


def test_only_its_editors_autosave(client, author, draft):
    data = form_data({"intro": "Intruder"}, existing=[(draft.entries.get(), {})])
    version = autosave.version_of(draft, None)
    signed_out = post(client, draft, data, version)
    assert signed_out.status_code == 403 and signed_out.json()["error"] == "Log in to do that."
    url = reverse("roundups:autosave", args=[draft.slug])
    assert client.post(url, data).status_code == 302  # a browser without the script: log in
    client.force_login(factories.make_user("someone"))
    assert post(client, draft, data, version).status_code == 404  # a draft: not theirs to see
    published = factories.make_roundup(author=author, entries=1)
    client.force_login(factories.make_author("colleague"))
    assert post(client, draft, data, version).status_code == 404  # another's draft is unseen
    other = post(client, published, data, autosave.version_of(published, None))
    assert other.status_code == 403 and "only edit your own" in other.json()["error"]
    client.force_login(factories.make_user("reader2"))
    new = client.post(reverse("roundups:autosave_new"), form_data(), headers=JSON)
    assert new.status_code == 403 and "Authors" in new.json()["error"]
    assert Roundup.objects.count() == 2  # no roundup made by a reader
    draft.refresh_from_db()
    assert draft.intro != "Intruder" and not AutosaveSlot.objects.exists()
    client.force_login(factories.make_user("boss", staff=True))
    assert post(client, draft, data, version).status_code == 200  # staff edit any roundup


def test_autosave_needs_post_and_the_form(client, author, draft):
    client.force_login(author)
    url = reverse("roundups:autosave", args=[draft.slug])
    assert client.get(url).status_code == 405
    version = page_version(client, draft)
    response = client.post(url, {"autosave_version": version}, headers=JSON)
    assert response.status_code == 400 and "not the roundup form" in response.json()["error"]


def test_autosaves_are_rate_limited(client, author, draft, monkeypatch):
    from forum.ratelimit import Rate

    monkeypatch.setattr(autosave, "RATE", Rate(limit=2, window=60))
    client.force_login(author)
    entry = draft.entries.get()
    version = page_version(client, draft)
    for n in range(2):
        data = form_data({"intro": f"n{n}"}, existing=[(entry, {})])
        version = post(client, draft, data, version).json()["version"]
    refused = post(client, draft, form_data({"intro": "n3"}, existing=[(entry, {})]), version)
    assert refused.status_code == 429 and refused["Retry-After"]
    draft.refresh_from_db()
    assert draft.intro == "n1"


def test_a_new_roundups_first_valid_autosave_creates_the_draft(client, author):
    client.force_login(author)
    url = reverse("roundups:autosave_new")
    untitled = client.post(url, form_data({"title": ""}, entries=[paper(1)]), headers=JSON)
    assert untitled.status_code == 400 and untitled.json()["error"].startswith("Not saved yet:")
    assert not Roundup.objects.exists()
    response = client.post(url, form_data({"title": "Fresh"}, entries=[paper(1)]), headers=JSON)
    assert response.status_code == 201
    roundup = Roundup.objects.get()
    assert (roundup.title, roundup.status, roundup.entries.count()) == ("Fresh", "draft", 1)
    answer = response.json()
    assert answer["edit_url"] == reverse("roundups:edit", args=[roundup.slug])
    assert answer["autosave_url"] == reverse("roundups:autosave", args=[roundup.slug])
    assert answer["version"] == page_version(client, roundup)


def test_the_edit_page_carries_the_autosave_address_interval_and_version(client, author, draft):
    client.force_login(author)
    html = client.get(reverse("roundups:edit", args=[draft.slug])).content.decode()
    assert f'data-autosave-url="{reverse("roundups:autosave", args=[draft.slug])}"' in html
    assert f'data-autosave-interval="{autosave.INTERVAL_MS}"' in html
    assert f'name="autosave_version" value="{autosave.version_of(draft, None)}"' in html


def test_papers_added_since_the_page_loaded_are_matched_by_link_on_the_next_autosave(
    client, author
):
    """The page keeps no entry ids for papers its own autosaves created: they are sent again
    without ids, and the services take them over by their link (no duplicate, no error)."""
    client.force_login(author)
    data = form_data({"title": "Fresh"}, entries=[paper(1)])
    answer = client.post(reverse("roundups:autosave_new"), data, headers=JSON).json()
    roundup = Roundup.objects.get()
    data = form_data({"title": "Fresh", "intro": "More"}, entries=[paper(1), paper(2)])
    response = post(client, roundup, data, answer["version"])
    assert response.status_code == 200, response.content
    entries = list(roundup.entries.order_by("position").values_list("title", flat=True))
    assert entries == ["Paper 1", "Paper 2"]
    # And the explicit save, posted to the edit address the page moved to, too.
    data["action"] = "save"
    assert client.post(answer["edit_url"], data).status_code == 302
    assert roundup.entries.count() == 2


@pytest.mark.parametrize("race", [False, True], ids=["early-check", "under-the-lock"])
def test_an_explicit_save_from_a_stale_page_is_refused_once_with_the_text_kept(
    client, author, draft, monkeypatch, race
):
    """Refused by the page's early check (``_stale``), or, when another tab's save lands between
    that check and the write (``race``), by the check again under the roundup's lock."""
    from roundups import views

    client.force_login(author)
    stale = page_version(client, draft)
    entry = draft.entries.get()
    edit = reverse("roundups:edit", args=[draft.slug])
    post(client, draft, form_data({"intro": "Newer, from tab A"}, existing=[(entry, {})]), stale)
    if race:
        monkeypatch.setattr(views, "_stale", lambda request, context: False)  # checked before A
    data = form_data({"intro": "Older, from tab B"}, existing=[(entry, {})])
    response = client.post(edit, data | {"autosave_version": stale})
    assert response.status_code == 200
    html = response.content.decode()
    assert "changed in another tab or window since this page loaded" in html
    assert "Older, from tab B" in html  # nothing typed is lost
    draft.refresh_from_db()
    assert draft.intro == "Newer, from tab A"
    # The refused page carries the version that won: saving again from it is a deliberate choice.
    current = response.context["autosave_version"]
    assert current == autosave.version_of(draft, None) != stale
    assert client.post(edit, data | {"autosave_version": current}).status_code == 302
    draft.refresh_from_db()
    assert draft.intro == "Older, from tab B"


def test_autosave_is_csrf_protected(author, draft):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(author)
    data = form_data({"intro": "Forged"}, existing=[(draft.entries.get(), {})])
    response = post(client, draft, data, autosave.version_of(draft, None))
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.intro != "Forged"
