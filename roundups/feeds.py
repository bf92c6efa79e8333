"""RSS 2.0 and Atom feeds of published roundups, site-wide and per series.

Every item carries the full roundup HTML, rendered from the same partial as the roundup page.

Every string a feed emits passes ``clean_text`` first (``CleanTextFeed``): text stored before
input was cleaned may hold control characters, and one of those in any roundup made Django's XML
writer fail (a 500) or the XML malformed for every reader until someone edited it.
"""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from forum.text import clean_text

from .models import Roundup, Series

FEED_SIZE = 20  # about five months of weekly roundups; readers poll often


def _cleaned(value):
    """``value`` with ``clean_text`` applied to each string in it (categories are a list)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list | tuple):
        return type(value)(_cleaned(item) for item in value)
    return value


class CleanTextFeed:
    """A feed-generator mixin: the feed's and each item's strings are cleaned on the way in.

    Cleaning here, where Django hands every value to the generator, covers what the views put
    in and what Django adds (titles, links, names, categories, our ``content_html``) alike.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*_cleaned(args), **{key: _cleaned(v) for key, v in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*_cleaned(args), **{key: _cleaned(v) for key, v in kwargs.items()})


class CleanRssFeed(CleanTextFeed, Rss201rev2Feed):
    """RSS 2.0, every string cleaned."""


class AtomWithContentFeed(CleanTextFeed, Atom1Feed):
    """Atom with the full HTML in ``<content>``; Django's Atom feed only writes ``<summary>``."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})


def roundup_html(roundup) -> str:
    """The body of a roundup exactly as the roundup page shows it."""
    return render_to_string(
        "roundups/_roundup_body.html",
        {"roundup": roundup, "entries": roundup.entries.all(), "in_feed": True},
    )


class LatestRssFeed(Feed):
    feed_type = CleanRssFeed
    title = "Roundups"
    description = "Weekly research-paper roundups, newest first."

    def link(self):
        return reverse("home")

    def roundups(self, obj):
        return Roundup.objects.published()

    def items(self, obj=None):
        return self.roundups(obj).for_page().order_by("-published_at", "-pk")[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return roundup_html(item)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.author.get_full_name() or item.author.username

    def item_categories(self, item):
        return [item.series.name] if item.series else []


class LatestAtomFeed(LatestRssFeed):
    feed_type = AtomWithContentFeed
    subtitle = LatestRssFeed.description

    def item_description(self, item):
        # Atom's <summary>: the intro; the full body goes in <content>.
        return item.intro_html or None

    def item_extra_kwargs(self, item):
        return {"content_html": roundup_html(item)}


class SeriesRssFeed(LatestRssFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Series, slug=slug)

    def title(self, obj):
        return f"{obj.name} · Roundups"

    def description(self, obj):
        return obj.description or f"Published roundups in {obj.name}."

    def link(self, obj):
        return obj.get_absolute_url()

    def roundups(self, obj):
        return Roundup.objects.published().filter(series=obj)


class SeriesAtomFeed(SeriesRssFeed):
    feed_type = AtomWithContentFeed

    def subtitle(self, obj):
        return self.description(obj)

    item_description = LatestAtomFeed.item_description
    item_extra_kwargs = LatestAtomFeed.item_extra_kwargs
