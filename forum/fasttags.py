"""``{% url %}`` as Django writes it, with its answers remembered.

Every page's header and footer reverse a dozen URLs, and each ``reverse()`` costs about as much
as rendering ten comments (~40 us): with the static files' URLs (``forum/staticfiles.py``) a
tenth of a small roundup page's time (docs/benchmarks.md, "Round 6"). A URL depends only on its
arguments and on settings fixed for the life of a process, so it is computed once per (name,
arguments, current app, script prefix, URLconf), when every argument is a string or an integer
(a model instance is passed through to ``reverse`` each time). Bounded (``lru_cache``) and
forgotten when a test overrides the URLconf.

Installed in ``forum/settings.py`` as a template builtin; the tag's syntax and output are
Django's own.
"""

from functools import lru_cache

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import defaulttags
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()

_PLAIN = (str, int)
CACHED_URLS = 4096  # names x arguments: usernames and slugs on busy pages; bounded


@lru_cache(maxsize=CACHED_URLS)
def _reversed(view_name, args, kwargs, current_app, prefix, urlconf) -> str:
    # ``prefix`` is part of the key only: reverse() reads the same thread's script prefix.
    return reverse(
        view_name, urlconf=urlconf, args=args, kwargs=dict(kwargs), current_app=current_app
    )


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


@register.tag
def url(parser, token):
    node = defaulttags.url(parser, token)
    return URLNode(node.view_name, node.args, node.kwargs, node.asvar)


@receiver(setting_changed)
def _forget(*, setting, **kwargs):
    if setting in {"ROOT_URLCONF", "INSTALLED_APPS"}:
        _reversed.cache_clear()
