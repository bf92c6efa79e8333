"""The site's URLs, and after them two pages served only while ``bench.thread_page`` measures.

They split the roundup page's time into what any page pays and what ours adds, each served
through the same ``django.test.Client``, middleware and URL resolution as the page itself:

* ``/bench/floor/<roundup id>/``: the floor (``bench.thread_page.floor_html``, one query and an
  escaped join of the comments the page shows) as the whole response: the floor plus Django's
  request cycle.
* ``/bench/thread/<slug>/``: the reads the page makes of its roundup and the thread's first part
  (``comments.thread.page.thread_context``: rows, tree, part, markup) with the markup as the
  whole response: no template, no article, no header: what our thread costs before the page
  around it is drawn.

The page's own patterns come first, unchanged, so it resolves exactly as on the site.
"""

from django.http import Http404, HttpResponse
from django.urls import path

from forum.urls import handler500  # noqa: F401 - the site's own error page
from forum.urls import urlpatterns as site_patterns

# roundup id -> ids of the comments the page's first part shows (set by bench.thread_page)
FLOOR_IDS: dict[int, list[int]] = {}


def floor_served(request, roundup_id):
    from bench.thread_page import floor_html

    if roundup_id not in FLOOR_IDS:
        raise Http404("No floor was set up for this roundup.")
    return HttpResponse(floor_html(roundup_id, FLOOR_IDS[roundup_id]))


def thread_served(request, slug):
    from comments.thread.page import thread_context
    from roundups.models import Roundup

    roundup = Roundup.objects.page_roundup(request.user, slug)
    if roundup is None or not roundup.is_published:
        raise Http404("No published roundup at this address.")
    Roundup.objects.neighbours(roundup)  # the page reads them too
    return HttpResponse(thread_context(request, roundup)["thread"].markup)


urlpatterns = [
    *site_patterns,
    path("bench/floor/<int:roundup_id>/", floor_served),
    path("bench/thread/<slug:slug>/", thread_served),
]
