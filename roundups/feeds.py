"""RSS 2.0 and Atom feeds of published roundups, site-wide and per series.

Every item carries the full roundup HTML, rendered from the same partial as the roundup page.
"""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from .models import Roundup, Series

FEED_SIZE = 20  # about five months of weekly roundups; readers poll often


class AtomWithContentFeed(Atom1Feed):
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
    feed_type = Rss201rev2Feed
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
