"""``{% url %}`` and ``{% static %}`` as Django writes them, with their answers remembered.

Every page's header and footer reverse a dozen URLs and name six static files, and each
``reverse()`` or manifest lookup costs about as much as rendering ten comments (~40 us): a
tenth of a small roundup page's time (docs/benchmarks.md, "Round 6"). Their answer depends only
on their arguments and on settings fixed for the life of a process, so it is computed once:

* a URL, per (name, arguments, current app, script prefix, URLconf), when every argument is a
  string or an integer (a model instance is passed through to ``reverse`` each time);
* a static file's URL, per path (the manifest is read once per process anyway).

Both are bounded (``lru_cache``) and forgotten when a test overrides the settings they read.
Installed in ``forum/settings.py``: ``url`` as a template builtin, ``static`` as the library
``{% load static %}`` loads; the tags' syntax and output are Django's own.
"""

from functools import lru_cache

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import defaulttags
from django.templatetags import static as django_static
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()
# What ``{% load static %}`` offers besides ``static`` (get_static_prefix, get_media_prefix).
register.tags.update(django_static.register.tags)
register.filters.update(django_static.register.filters)

_PLAIN = (str, int)
CACHED_URLS = 4096  # names x arguments: usernames and slugs on busy pages; bounded


@lru_cache(maxsize=CACHED_URLS)
def _reversed(view_name, args, kwargs, current_app, prefix, urlconf) -> str:
    # ``prefix`` is part of the key only: reverse() reads the same thread's script prefix.
    return reverse(
        view_name, urlconf=urlconf, args=args, kwargs=dict(kwargs), current_app=current_app
    )


@lru_cache(maxsize=1024)
def _static_url(path: str) -> str:
    return django_static.StaticNode.handle_simple(path)


def reverse_cached(view_name: str, args=()) -> str:
    """``reverse(view_name, args=args)`` for string or integer ``args``, remembered as above:
    for Python that writes a link per item (``papers`` template tags)."""
    return _reversed(view_name, tuple(args), (), None, get_script_prefix(), get_urlconf())


class URLNode(defaulttags.URLNode):
    def render(self, context):
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = tuple((k, v.resolve(context)) for k, v in self.kwargs.items())
        if not all(isinstance(v, _PLAIN) for v in (*args, *(v for _, v in kwargs))):
            return super().render(context)
        view_name = self.view_name.resolve(context)
        request = getattr(context, "request", None)
        current_app = getattr(request, "current_app", None)
        if current_app is None:
            current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
        try:
            url = _reversed(view_name, args, kwargs, current_app, get_script_prefix(),
                            get_urlconf())  # fmt: skip
        except NoReverseMatch:
            if self.asvar is None:
                raise
            url = ""
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


class StaticNode(django_static.StaticNode):
    def url(self, context):
        path = self.path.resolve(context)
        return _static_url(path) if isinstance(path, str) else self.handle_simple(path)


@register.tag
def url(parser, token):
    node = defaulttags.url(parser, token)
    return URLNode(node.view_name, node.args, node.kwargs, node.asvar)


@register.tag
def static(parser, token):
    return StaticNode.handle_token(parser, token)


@receiver(setting_changed)
def _forget(*, setting, **kwargs):
    if setting in {"ROOT_URLCONF", "STATIC_URL", "STATIC_ROOT", "STORAGES", "INSTALLED_APPS"}:
        _reversed.cache_clear()
        _static_url.cache_clear()
