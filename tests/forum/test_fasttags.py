"""forum/fasttags.py: {% url %} and {% static %} answer as Django's do, computed once."""

from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.template import Context, Engine, Template, TemplateSyntaxError
from django.templatetags.static import static
from django.test import override_settings
from django.urls import NoReverseMatch, reverse

from forum import fasttags


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


@pytest.fixture(autouse=True)
def fresh():
    fasttags._reversed.cache_clear()
    fasttags._static_url.cache_clear()


def test_the_site_engine_uses_them():
    engine = Engine.get_default()
    assert engine.template_builtins[-1].tags["url"] is fasttags.url
    assert engine.template_libraries["static"].tags["static"] is fasttags.static


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


def test_static_answers_as_django_does_and_forgets_on_a_settings_change():
    source = "{% load static %}{% static 'css/site.css' %}"
    assert render(source) == static("css/site.css")
    with override_settings(STATIC_URL="/elsewhere/"):
        assert render(source) == static("css/site.css")
        assert render(source).startswith("/elsewhere/")
    assert render(source) == static("css/site.css")
    assert render("{% load static %}{% get_static_prefix %}") == settings.STATIC_URL


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
