"""The comment forms carry a hidden random key: a resubmission redirects to the comment already
made instead of posting it twice (forum/idempotency.py)."""

import re

import pytest

from comments.models import Comment
from forum.models import IdempotencyKey

pytestmark = pytest.mark.django_db
KEY_INPUT = re.compile(r'<input type="hidden" name="idempotency_key" value="([^"]+)"')


@pytest.fixture
def as_reader(client, reader):
    client.force_login(reader)
    return client


def test_double_submit_of_the_new_comment_form_stores_one_comment(as_reader, roundup):
    page = as_reader.get(roundup.get_absolute_url()).content.decode()
    key = KEY_INPUT.search(page).group(1)
    url = f"/roundups/{roundup.slug}/comments/"
    first = as_reader.post(url, {"body": "Only once", "idempotency_key": key})
    second = as_reader.post(url, {"body": "Only once", "idempotency_key": key})
    comment = Comment.objects.get()
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"] == f"{roundup.get_absolute_url()}#c{comment.pk}"
    assert second["Idempotent-Replayed"] == "true"


def test_each_rendered_form_has_its_own_key(as_reader, roundup):
    first = KEY_INPUT.search(as_reader.get(roundup.get_absolute_url()).content.decode())
    second = KEY_INPUT.search(as_reader.get(roundup.get_absolute_url()).content.decode())
    assert first.group(1) != second.group(1)


def test_reply_page_resubmission_posts_once(as_reader, roundup, other_reader):
    from comments.services import comment_create

    parent = comment_create(
        roundup=roundup, author=other_reader, body="Parent", enforce_rate_limit=False
    )
    page = as_reader.get(f"/comments/{parent.pk}/reply/").content.decode()
    key = KEY_INPUT.search(page).group(1)
    for _ in range(2):
        response = as_reader.post(
            f"/comments/{parent.pk}/reply/",
            {"body": "My reply", "idempotency_key": key},
            HTTP_ACCEPT="application/json",
        )
        assert response.status_code == 201
    assert Comment.objects.filter(parent=parent).count() == 1


def test_same_key_with_another_text_is_refused(as_reader, roundup):
    url = f"/roundups/{roundup.slug}/comments/"
    as_reader.post(url, {"body": "First", "idempotency_key": "k" * 20})
    response = as_reader.post(url, {"body": "Second", "idempotency_key": "k" * 20})
    assert response.status_code == 409
    assert Comment.objects.count() == 1


def test_a_form_error_keeps_the_key_usable(as_reader, roundup):
    url = f"/roundups/{roundup.slug}/comments/"
    assert as_reader.post(url, {"body": "", "idempotency_key": "k" * 20}).status_code == 400
    assert IdempotencyKey.objects.count() == 0
    assert as_reader.post(url, {"body": "Fixed", "idempotency_key": "k" * 20}).status_code == 302
    assert Comment.objects.count() == 1


def test_the_inline_reply_template_has_a_key_slot_for_the_script(as_reader, roundup):
    page = as_reader.get(roundup.get_absolute_url()).content.decode()
    template = page[page.index('<template id="reply-form-template">') :]
    assert '<input type="hidden" name="idempotency_key" value="">' in template


def test_edit_form_carries_no_key(as_reader, roundup, reader):
    from comments.services import comment_create

    comment = comment_create(roundup=roundup, author=reader, body="Mine", enforce_rate_limit=False)
    page = as_reader.get(f"/comments/{comment.pk}/edit/").content.decode()
    assert "idempotency_key" not in page


@pytest.mark.parametrize("paper_entry_id", [None, 7])
def test_the_blank_box_is_the_forms_own_markup_with_a_fresh_key(paper_entry_id):
    """The thread page's box is rendered once per process (comments.forms.blank_comment_fields):
    it must stay what Django renders for a blank form, byte for byte but for the key."""
    from django.template.loader import render_to_string

    from comments.forms import CommentForm, blank_comment_fields

    first, second = blank_comment_fields(paper_entry_id), blank_comment_fields(paper_entry_id)
    key = KEY_INPUT.search(first).group(1)
    assert key != KEY_INPUT.search(second).group(1)
    initial = {"idempotency_key": key}
    if paper_entry_id is not None:
        initial["paper_entry"] = paper_entry_id
    form = CommentForm(initial=initial)
    assert first == render_to_string("registration/_form_fields.html", {"form": form})
    assert ('name="paper_entry" value="7"' in first) == (paper_entry_id == 7)
