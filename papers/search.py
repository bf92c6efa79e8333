"""Site search over roundups, paper entries and comments.

Two backends share one shape. Each builds, per kind of result, a queryset of
``(id, kind, rank, date)`` rows restricted to what readers can see; the three are combined with
UNION ALL, ranked, and paginated in the database. A page then costs a fixed number of queries:
the count, the page of ids, and one query per kind to fetch the objects shown (at most five).

* PostgreSQL: full-text search (``django.contrib.postgres``) with weighted vectors, titles (A)
  above authors, abstracts and opinions (B) above intros and comment bodies (C), ranked by
  ``ts_rank``, snippets by ``ts_headline``. GIN expression indexes on the same vectors are
  created by ``papers/migrations/0001_search_indexes.py``; the vectors here must stay identical
  to those, or the indexes stop being used.
* SQLite (development): every word must start a word somewhere in the row (case-insensitive);
  the rank counts, per word, 4 for a title match, 2 for an authors/abstract/opinion match and
  1 for a body match, so a title match still ranks above a body match. It ignores the
  websearch extras (quoted phrases match word by word, ``-word`` exclusions are dropped).
"""

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    CharField,
    F,
    FloatField,
    Q,
    Value,
)
from django.db.models.expressions import Case, When
from django.db.models.functions import Concat

from comments.models import Comment
from forum.errors import InvalidInput
from roundups.models import PaperEntry, Roundup, published_filter

from .highlight import START_SEL, STOP_SEL, from_headline, highlight

SEARCH_CONFIG = "english"  # the site is written in English: stem and drop English stop words
RESULTS_PER_PAGE = 20
MAX_QUERY_CHARS = 200  # a long sentence; longer is a paste of a whole abstract, not a search
MAX_TERMS = 10  # each word adds a clause per searched field on SQLite

# Field groups by weight, per kind. The PostgreSQL vectors and the SQLite ranks both use these.
ROUNDUP_FIELDS = {"A": ["title"], "C": ["intro", "outro"]}
ENTRY_FIELDS = {"A": ["title"], "B": ["authors", "abstract", "opinion"], "C": ["related"]}
COMMENT_FIELDS = {"C": ["text__body"]}  # the comment's text (CommentText), joined
SQLITE_WEIGHTS = {"A": 4, "B": 2, "C": 1}
HEADLINE_TITLE = {"highlight_all": True}
HEADLINE_SNIPPET = {
    "max_words": 35,
    "min_words": 15,
    "max_fragments": 2,
    "fragment_delimiter": " … ",
}


class SearchError(InvalidInput):
    """The query cannot be searched; the message says why, for the reader (400)."""


def parse_terms(query: str) -> list[str]:
    """The words a result must contain, lower-cased, de-duplicated, or ``SearchError``.

    Words written ``-like-this`` are exclusions (PostgreSQL's websearch syntax): they are not
    terms, and a query of exclusions only is refused, since it would match nearly everything.
    """
    if len(query) > MAX_QUERY_CHARS:
        raise SearchError(f"Search for at most {MAX_QUERY_CHARS} characters.")
    wanted = " ".join(token for token in query.split() if not token.startswith("-"))
    words = list(dict.fromkeys(word.lower() for word in re.findall(r"\w+", wanted)))
    if not words:
        raise SearchError("Type at least one word to search for.")
    if len(words) > MAX_TERMS:
        raise SearchError(f"Search for at most {MAX_TERMS} words.")
    return words


@dataclass
class Hit:
    kind: str  # "roundup", "paper" or "comment"
    obj: object
    title: str  # safe HTML
    snippet: str  # safe HTML
    rank: float


def _visible_roundups():
    return Roundup.objects.published().order_by()


def _visible_entries():
    return PaperEntry.objects.filter(published_filter("roundup__")).order_by()


def _visible_comments():
    return Comment.objects.visible().filter(published_filter("roundup__")).order_by()


class SearchBackend:
    """Builds the ranked rows and fills in the objects of one page."""

    def __init__(self, query: str):
        self.query = query
        self.terms = parse_terms(query)

    def ranked(self):
        """Every match as (id, kind, rank, date), best first: one UNION ALL queryset."""
        roundups = self._rows(_visible_roundups(), ROUNDUP_FIELDS, "roundup", "published_at")
        entries = self._rows(_visible_entries(), ENTRY_FIELDS, "paper", "roundup__published_at")
        comments = self._rows(_visible_comments(), COMMENT_FIELDS, "comment", "created_at")
        # Ties (same rank) go newest first, then by kind and id so pages never overlap.
        return roundups.union(entries, comments, all=True).order_by("-rank", "-date", "kind", "-pk")

    def _rows(self, queryset, fields, kind, date_field):
        """The matches of one kind as (id, kind, rank, date) rows, ready for the UNION."""
        return (
            self.match(queryset, fields)
            .annotate(
                kind=Value(kind, output_field=CharField()),
                rank=self.rank(fields),
                date=F(date_field),
            )
            .values_list("pk", "kind", "rank", "date")
        )

    def hits(self, rows) -> list[Hit]:
        """The page's rows as hits, in rank order: one query per kind present on the page."""
        ids = {"roundup": [], "paper": [], "comment": []}
        for pk, kind, _rank, _date in rows:
            ids[kind].append(pk)
        found = {}
        if ids["roundup"]:
            for roundup in self.fetch_roundups(ids["roundup"]):
                found["roundup", roundup.pk] = roundup
        if ids["paper"]:
            for entry in self.fetch_entries(ids["paper"]):
                found["paper", entry.pk] = entry
        if ids["comment"]:
            for comment in self.fetch_comments(ids["comment"]):
                found["comment", comment.pk] = comment
        hits = []
        for pk, kind, rank, _date in rows:
            obj = found.get((kind, pk))
            if obj is not None:  # deleted between the two queries
                hits.append(Hit(kind, obj, obj.search_title, obj.search_snippet, rank))
        return hits

    def fetch_roundups(self, ids):
        return Roundup.objects.filter(pk__in=ids)

    def fetch_entries(self, ids):
        return PaperEntry.objects.filter(pk__in=ids).select_related("roundup")

    def fetch_comments(self, ids):
        return Comment.objects.filter(pk__in=ids).select_related("author", "roundup")


class SQLiteSearch(SearchBackend):
    """Word-prefix matching with a where-it-matched rank; for development databases."""

    def _word(self, name, term):
        # \b: "net" finds "net" and "networks", not "planet".
        return Q(**{f"{name}__iregex": r"\b" + re.escape(term)})

    def match(self, queryset, fields):
        names = [name for group in fields.values() for name in group]
        for term in self.terms:
            any_field = Q()
            for name in names:
                any_field |= self._word(name, term)
            queryset = queryset.filter(any_field)
        return queryset

    def rank(self, fields):
        total = Value(0.0, output_field=FloatField())
        for term in self.terms:
            whens = []
            for weight in ("A", "B", "C"):
                condition = Q()
                for name in fields.get(weight, []):
                    condition |= self._word(name, term)
                if condition:
                    whens.append(When(condition, then=Value(float(SQLITE_WEIGHTS[weight]))))
            total = total + Case(*whens, default=Value(0.0), output_field=FloatField())
        return total

    def fetch_roundups(self, ids):
        return self._highlighted(super().fetch_roundups(ids), ("intro", "outro"))

    def fetch_entries(self, ids):
        return self._highlighted(
            super().fetch_entries(ids), ("authors", "abstract", "opinion", "related")
        )

    def _highlighted(self, queryset, snippet_fields) -> list:
        """The rows with their title, and a snippet of ``snippet_fields``, marked up in Python."""
        rows = list(queryset)
        for row in rows:
            row.search_title = highlight(row.title, self.terms)
            text = " ".join(getattr(row, name) for name in snippet_fields)
            row.search_snippet = highlight(text, self.terms, snippet=True)
        return rows

    def fetch_comments(self, ids):
        comments = list(super().fetch_comments(ids).select_related("text"))  # the body, joined
        for comment in comments:
            comment.search_title = highlight(comment.roundup.title, [])
            comment.search_snippet = highlight(comment.text.body, self.terms, snippet=True)
        return comments


class PostgresSearch(SearchBackend):
    """Full-text search with weighted vectors, ts_rank and ts_headline."""

    def __init__(self, query: str):
        super().__init__(query)
        from django.contrib.postgres.search import SearchQuery

        # websearch syntax: "quoted phrases", -excluded words and "or", as readers expect.
        self.tsquery = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)

    def match(self, queryset, fields):
        # A field on a related row (a comment's ``text__body``) is joined INNER: the vector's
        # COALESCE is not strict, so over an outer join PostgreSQL could not start from the GIN
        # index on the related table and would test every row.
        related = {name.rsplit("__", 1)[0] for names in fields.values() for name in names
                   if "__" in name}  # fmt: skip
        return (
            queryset.filter(**{f"{path}__isnull": False for path in sorted(related)})
            .alias(search_vector=search_vector(fields))
            .filter(search_vector=self.tsquery)
        )

    def rank(self, fields):
        from django.contrib.postgres.search import SearchRank

        return SearchRank(search_vector(fields), self.tsquery)

    def _headline(self, expression, *, whole=False):
        from django.contrib.postgres.search import SearchHeadline

        # A title is shown whole; a body as up to two fragments of about 15-35 words.
        options = HEADLINE_TITLE if whole else HEADLINE_SNIPPET
        return SearchHeadline(
            expression,
            self.tsquery,
            config=SEARCH_CONFIG,
            start_sel=START_SEL,
            stop_sel=STOP_SEL,
            **options,
        )

    def _text(self, *names):
        """The fields joined by spaces, as one text expression."""
        parts = []
        for name in names:
            parts += [F(name), Value(" ")]
        return Concat(*parts[:-1], output_field=CharField()) if len(names) > 1 else F(names[0])

    def fetch_roundups(self, ids):
        return self._headlined(super().fetch_roundups(ids), "intro", "outro")

    def fetch_entries(self, ids):
        return self._headlined(
            super().fetch_entries(ids), "authors", "abstract", "opinion", "related"
        )

    def _headlined(self, queryset, *snippet_fields) -> list:
        """The rows with their title, and a snippet of ``snippet_fields``, marked up by the
        database (``ts_headline``)."""
        rows = list(
            queryset.annotate(
                title_hl=self._headline(F("title"), whole=True),
                snippet_hl=self._headline(self._text(*snippet_fields)),
            )
        )
        for row in rows:
            row.search_title = from_headline(row.title_hl)
            row.search_snippet = from_headline(row.snippet_hl)
        return rows

    def fetch_comments(self, ids):
        comments = list(
            super().fetch_comments(ids).annotate(snippet_hl=self._headline(F("text__body")))
        )
        for comment in comments:
            comment.search_title = highlight(comment.roundup.title, [])
            comment.search_snippet = from_headline(comment.snippet_hl)
        return comments


def search_vector(fields):
    """The weighted tsvector of a kind's fields; the GIN indexes are built on exactly this."""
    from django.contrib.postgres.search import SearchVector

    vector = None
    for weight, names in fields.items():
        part = SearchVector(*names, weight=weight, config=SEARCH_CONFIG)
        vector = part if vector is None else vector + part
    return vector


def backend_for(query: str) -> SearchBackend:
    """The search backend for the current database; ``SearchError`` for an unusable query."""
    if connection.vendor == "postgresql":
        return PostgresSearch(query)
    return SQLiteSearch(query)
