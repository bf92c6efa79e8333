"""Security headers on every response, and pages that actually work under our CSP.

The CSP is the second wall behind the sanitizer: if user markup ever slips through, a policy with
no inline script and no foreign host still keeps it from running.
"""

import html5lib
import pytest
from django.conf import settings
from django.urls import reverse

from tests import factories

PAGES = {  # path, expected status
    "home": ("/", 200),
    "admin_login": ("/admin/login/", 200),
    "not_found": ("/no-such-page-anywhere/", 404),
    "healthz": ("/healthz", 200),
}


def parse_csp(policy: str) -> dict[str, list[str]]:
    directives = {}
    for part in policy.split(";"):
        tokens = part.split()
        if tokens:
            directives[tokens[0].lower()] = tokens[1:]
    return directives


def test_policy_allows_nothing_inline_and_nothing_foreign():
    policy = parse_csp(settings.CONTENT_SECURITY_POLICY)
    for directive in ("script-src", "style-src", "default-src"):
        assert policy[directive] == ["'self'"], directive
    for sources in policy.values():
        for source in sources:
            assert source not in {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*"}
            # Only keywords and the data: scheme (images from the admin's inline SVG icons);
            # any host or scheme-wide source like https: would let foreign code in.
            assert source.startswith("'") or source == "data:", source
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]


@pytest.mark.django_db
@pytest.mark.parametrize("path,status", list(PAGES.values()), ids=list(PAGES))
def test_every_page_carries_the_security_headers(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_headers_on_a_post_that_is_refused(client):
    """Error responses built outside views (here the CSRF failure) get the headers too."""
    client = client.__class__(enforce_csrf_checks=True)
    response = client.post(reverse("admin:login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY


def assert_runs_under_csp(html: str) -> None:
    """Nothing on the page needs what the CSP forbids: no inline script, handler or style."""
    tree = html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        for name in element.attrib:
            assert not name.lower().startswith("on"), f"inline handler {name} on <{element.tag}>"
            assert name.lower() != "style", f"inline style on <{element.tag}>"
        if element.tag == "script":
            src = element.get("src")
            if src is None:
                # JSON data islands (json_script) are not executed, so the CSP allows them.
                assert element.get("type") == "application/json", "inline <script>"
            else:
                # Same origin: a path, never a scheme or a protocol-relative //host.
                assert src.startswith("/") and not src.startswith("//"), f"foreign script {src}"
        if element.tag == "style":
            raise AssertionError("inline <style> element")
        if element.tag == "link" and "stylesheet" in (element.get("rel") or ""):
            href = element.get("href")
            assert href.startswith("/") and not href.startswith("//"), f"foreign style {href}"


@pytest.mark.django_db
def test_admin_login_page_needs_nothing_the_csp_forbids(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 200
    assert_runs_under_csp(response.content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name,args",
    [
        ("admin:index", ()),
        ("admin:auth_user_changelist", ()),
        ("admin:auth_user_add", ()),
        ("admin:auth_group_changelist", ()),
    ],
)
def test_admin_pages_need_nothing_the_csp_forbids(client, url_name, args):
    admin = factories.make_user("root", superuser=True)
    client.force_login(admin)
    response = client.get(reverse(url_name, args=args))
    assert response.status_code == 200
    assert_runs_under_csp(response.content.decode())


@pytest.mark.django_db
def test_admin_change_form_needs_nothing_the_csp_forbids(client):
    admin = factories.make_user("root", superuser=True)
    client.force_login(admin)
    response = client.get(reverse("admin:auth_user_change", args=[admin.pk]))
    assert response.status_code == 200
    assert_runs_under_csp(response.content.decode())


@pytest.mark.django_db
def test_our_pages_need_nothing_the_csp_forbids(client):
    for path in ("/", "/no-such-page-anywhere/", reverse("login")):
        assert_runs_under_csp(client.get(path).content.decode())
