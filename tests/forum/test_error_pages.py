"""Our own error pages, rendered the way Django renders them in production (DEBUG off)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def test_404_is_our_page_inside_the_site_layout(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-roundup-here/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body
    assert 'class="site-header"' in body  # extends base.html, so navigation is there
    assert "Back to the latest roundups" in body


def test_404_does_not_echo_the_path_unescaped(client, settings):
    settings.DEBUG = False
    response = client.get("/<script>alert(1)</script>/")
    assert response.status_code == 404
    assert b"<script>alert(1)</script>" not in response.content


@override_settings(ROOT_URLCONF="tests.forum.urls_errors", DEBUG=False)
def test_403_is_our_page(client):
    response = client.get("/__forbidden__/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "You can't do that here" in body
    assert 'class="site-header"' in body


@override_settings(ROOT_URLCONF="tests.forum.urls_errors", DEBUG=False)
def test_500_is_our_standalone_page():
    client = Client(raise_request_exception=False)
    response = client.get("/__boom__/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong on our side" in body
    assert "deliberate failure" not in body  # never leak the exception


def test_500_renders_without_any_context():
    """Django renders 500.html with an empty Context: no request, user or URL reversing."""
    body = render_to_string("500.html")
    assert body.lstrip().startswith("<!doctype html>")
    assert "Something went wrong" in body


def test_429_page_says_when_to_retry(rf):
    request = rf.get("/")
    request.user = AnonymousUser()
    body = render_to_string("429.html", {"retry_after": 30}, request=request)
    assert "Slow down" in body
    assert "30 seconds" in body


def test_csrf_failure_is_our_page():
    """An expired form is the 403 ordinary users actually meet; Django's default page is bare."""
    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "That form has expired" in body
    assert 'class="site-header"' in body
