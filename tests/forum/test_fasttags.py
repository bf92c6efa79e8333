"""forum/fasttags.py and forum/staticfiles.py: {% url %} and static files' URLs answer as
Django's do, computed once per process."""

import json
from unittest import mock

import pytest
from django.db import connection
from django.template import Context, Engine, Template, TemplateSyntaxError
from django.test import override_settings
from django.urls import NoReverseMatch, reverse

from forum import fasttags
from forum.staticfiles import ManifestStaticFilesStorage


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


@pytest.fixture(autouse=True)
def fresh():
    fasttags._reversed.cache_clear()


def test_the_site_engine_uses_it():
    engine = Engine.get_default()
    assert engine.template_builtins[-1].tags["url"] is fasttags.url
    assert Template("{% url 'home' %}").nodelist[0].__class__ is fasttags.URLNode


def test_url_answers_as_reverse_does_and_reverses_once():
    source = "{% url 'users:profile' name %}|{% url 'home' %}|{% url 'papers:detail' key=k %}"
    with mock.patch.object(fasttags, "reverse", wraps=reverse) as spy:
        first = render(source, name="alice", k="arxiv:1706.03762")
        again = render(source, name="alice", k="arxiv:1706.03762")
        other = render(source, name="bob", k="arxiv:1706.03762")
    expected = "|".join([reverse("users:profile", args=["alice"]), reverse("home"),
                         reverse("papers:detail", kwargs={"key": "arxiv:1706.03762"})])  # fmt: skip
    assert first == again == expected
    assert other.startswith(reverse("users:profile", args=["bob"]) + "|")
    assert spy.call_count == 4  # three the first time, one for bob; none the second time


def test_url_escapes_and_keeps_as_var_and_its_errors():
    assert render("{% url 'users:profile' name %}", name="a&b") == reverse(
        "users:profile", args=["a&b"]
    ).replace("&", "&amp;")
    assert render("{% url 'nothing-by-this-name' as gone %}[{{ gone }}]") == "[]"
    assert render("{% url 'home' as there %}[{{ there }}]") == f"[{reverse('home')}]"
    with pytest.raises(NoReverseMatch):
        render("{% url 'nothing-by-this-name' %}")
    with pytest.raises(TemplateSyntaxError):
        Template("{% url %}")


def test_url_of_a_model_instance_is_reversed_each_time(django_user_model):
    user = django_user_model(pk=7, username="seven")
    with mock.patch.object(fasttags, "reverse", wraps=reverse) as spy:
        render("{% url 'users:profile' u %}{% url 'users:profile' u %}", u=user)
    assert spy.call_count == 0  # not memoized: Django's own node reverses it


def test_static_urls_come_from_the_manifest_once_per_storage(tmp_path):
    manifest = {"paths": {"css/site.css": "css/site.0123abcd.css"}, "version": "1.1"}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    storage = ManifestStaticFilesStorage(location=tmp_path, base_url="/static/")
    with mock.patch.object(storage, "stored_name", wraps=storage.stored_name) as spy:
        assert storage.url("css/site.css") == "/static/css/site.0123abcd.css"
        assert storage.url("css/site.css") == "/static/css/site.0123abcd.css"
        assert spy.call_count == 1
        with pytest.raises(ValueError):  # not in the manifest: refused every time, not kept
            storage.url("css/missing.css")
        with pytest.raises(ValueError):
            storage.url("css/missing.css")
    assert "css/missing.css" not in storage._urls


def test_a_url_override_is_seen():
    with override_settings(ROOT_URLCONF="tests.forum.urls_for_fasttags"):
        assert render("{% url 'home' %}") == "/elsewhere/home/"
    assert render("{% url 'home' %}") == reverse("home")


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_postgresql_connections_have_no_jit():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
