"""The comment box: no silent cut at the limit, a server-rendered preview, CSRF and a rate
limit on it, and the no-JavaScript Preview button on every comment form."""

import pytest
from django.conf import settings
from django.test import Client

from comments import services
from comments.models import Comment, CommentRevision
from forum import ratelimit
from forum.models import IdempotencyKey

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}
PREVIEW = "/comments/preview/"


@pytest.fixture
def as_reader(client, reader):
    client.force_login(reader)
    return client


def test_the_comment_box_has_no_maxlength_but_a_counted_limit(as_reader, roundup):
    html = as_reader.get(f"/roundups/{roundup.slug}/").content.decode()
    assert "maxlength=" not in html.split('id="comments"')[1].split("</form>")[0]
    assert f'data-max-length="{settings.COMMENT_MAX_LENGTH}"' in html
    assert 'data-preview-url="/comments/preview/"' in html
    assert 'name="preview"' in html
    assert "js/compose.js" in html


def test_an_over_long_comment_is_refused_with_its_length_and_kept_in_the_box(as_reader, roundup):
    body = "x" * (settings.COMMENT_MAX_LENGTH + 5)
    response = as_reader.post(f"/roundups/{roundup.slug}/comments/", {"body": body})
    assert response.status_code == 400
    html = response.content.decode()
    assert f"{settings.COMMENT_MAX_LENGTH + 5:,} characters long" in html
    assert body in html  # nothing the reader wrote is lost
    assert not Comment.objects.exists()


def test_preview_renders_through_the_same_sanitizer_and_writes_nothing(as_reader, roundup):
    body = "Hi *there* <script>alert(1)</script> [x](javascript:alert(1))"
    response = as_reader.post(PREVIEW, {"body": body}, **JSON)
    assert response.status_code == 200
    expected, _ = services.render_body(services.clean_body(body))
    assert response.json() == {"html": expected}
    assert "<em>there</em>" in expected and "<script>" not in expected
    assert "javascript:" not in expected
    assert not Comment.objects.exists()


def test_preview_refuses_empty_and_over_long_bodies(as_reader):
    response = as_reader.post(PREVIEW, {"body": "   "}, **JSON)
    assert response.status_code == 400 and response.json()["error"] == "The comment is empty."
    response = as_reader.post(PREVIEW, {"body": "y" * (settings.COMMENT_MAX_LENGTH + 1)}, **JSON)
    assert response.status_code == 400
    assert "the limit is" in response.json()["error"]


def test_preview_needs_login_post_and_csrf(client, reader):
    assert client.post(PREVIEW, {"body": "x"}, **JSON).status_code == 403
    client.force_login(reader)
    assert client.get(PREVIEW).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(reader)
    assert strict.post(PREVIEW, {"body": "x"}, **JSON).status_code == 403


def test_preview_is_rate_limited_per_user(as_reader, reader, monkeypatch):
    monkeypatch.setattr(services, "PREVIEW_RATE", ratelimit.Rate(limit=2, window=60))
    for _ in range(2):
        assert as_reader.post(PREVIEW, {"body": "x"}, **JSON).status_code == 200
    response = as_reader.post(PREVIEW, {"body": "x"}, **JSON)
    assert response.status_code == 429
    assert "Too many previews" in response.json()["error"]
    assert int(response["Retry-After"]) > 0


def test_preview_button_without_javascript_rerenders_the_form_and_posts_nothing(as_reader, roundup):
    url = f"/roundups/{roundup.slug}/comments/"
    data = {"body": "A **bold** claim", "idempotency_key": "k1", "preview": "1"}
    response = as_reader.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>bold</strong>" in html and "A **bold** claim</textarea>" in html
    assert not Comment.objects.exists() and not IdempotencyKey.objects.exists()
    # The same form (same key) then posts for real: the preview was not kept as its answer.
    data.pop("preview")
    assert as_reader.post(url, data).status_code == 302
    assert Comment.objects.get().text.body == "A **bold** claim"


def test_preview_button_on_the_reply_page_shows_the_refusal(as_reader, roundup, other_reader):
    parent = services.comment_create(
        roundup=roundup, author=other_reader, body="Parent", enforce_rate_limit=False
    )
    response = as_reader.post(f"/comments/{parent.pk}/reply/", {"body": "", "preview": "1"})
    assert response.status_code == 200
    assert "The comment is empty." in response.content.decode()
    assert Comment.objects.count() == 1


def test_preview_button_on_the_edit_page_changes_nothing(as_reader, roundup, reader):
    comment = services.comment_create(
        roundup=roundup, author=reader, body="Old", enforce_rate_limit=False
    )
    response = as_reader.post(
        f"/comments/{comment.pk}/edit/", {"body": "New _text_", "preview": "1"}
    )
    assert response.status_code == 200
    assert "<em>text</em>" in response.content.decode()
    comment.text.refresh_from_db()
    assert comment.text.body == "Old" and not CommentRevision.objects.exists()


def test_reply_template_has_no_maxlength(as_reader, roundup):
    html = as_reader.get(f"/roundups/{roundup.slug}/").content.decode()
    template = html.split('id="reply-form-template"')[1].split("</template>")[0]
    assert "maxlength" not in template and "data-max-length" in template
