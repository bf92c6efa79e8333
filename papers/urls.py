from django.urls import path, register_converter

from . import views


class PaperKeyConverter:
    """A paper key as it is, in the path: ``arxiv:1706.03762``, ``doi:10.1145/3290605.3300857``,
    ``example.org/paper?id=3``. reverse() percent-encodes what a path cannot hold (``?``, ``#``,
    ``%``) and Django decodes it again before matching, so every key round-trips unchanged."""

    regex = ".+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(PaperKeyConverter, "paperkey")

app_name = "papers"
urlpatterns = [
    path("papers/", views.index, name="index"),
    # Fixed paths before the key pattern, which would take any text.
    path("papers/arxiv-lookup", views.arxiv_lookup, name="arxiv_lookup"),
    # A paper's page ends with "/", its BibTeX with "/bibtex": a key that itself ends in
    # "/bibtex" is still told apart by the trailing slash.
    path("papers/<paperkey:key>/bibtex", views.paper_bibtex, name="paper_bibtex"),
    path("papers/<paperkey:key>/", views.detail, name="detail"),
    path("roundups/<slug:slug>/bibtex", views.roundup_bibtex, name="roundup_bibtex"),
    path("roundups/<slug:slug>/suggest/", views.suggest, name="suggest"),
    path("search/", views.search, name="search"),
    path("suggestions/", views.suggestions, name="suggestions"),
    path("suggestions/<int:pk>/take/", views.take_suggestion, name="take_suggestion"),
    path("suggestions/<int:pk>/decline/", views.decline_suggestion, name="decline_suggestion"),
    path("suggestions/<int:pk>/support/", views.support_suggestion, name="support_suggestion"),
]
