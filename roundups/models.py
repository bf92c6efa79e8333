from django.conf import settings
from django.db import models
from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from forum.markdown import render_markdown
from forum.pinned import pinned

from .papers import paper_key

# Limits on what an author writes, beside the fields they bound. The services enforce them; the
# forms and the API's schemas read them from here so every way in refuses the same input.

# Slugs a roundup may not take because a fixed URL already sits at /roundups/<slug>/.
RESERVED_SLUGS = frozenset({"new"})
# Upper bound on papers per roundup: a weekly roundup has about ten; this stops a runaway post.
MAX_ENTRIES = 100
EARLIEST_PAPER_YEAR = 1800  # older than anything a roundup will cite; catches typos like 202
# What an author writes about one paper (the services take entries as mappings of these).
ENTRY_FIELDS = ("title", "url", "authors", "year", "abstract", "opinion", "code_url", "related")


def latest_paper_year() -> int:
    """Next year: preprints dated next year appear in December."""
    return timezone.now().year + 1


def published_filter(prefix: str = "") -> Q:
    """The one definition of "readers can see this roundup": published, with a date.

    ``prefix`` reaches the roundup through a relation (``"roundup__"``), so lookups from entries
    and comments say exactly what ``Roundup.objects.published()`` says.
    """
    return Q(
        **{f"{prefix}status": Roundup.Status.PUBLISHED, f"{prefix}published_at__isnull": False}
    )


class Series(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "series"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("roundups:series", args=[self.slug])


def _for_page_row(queryset):
    return queryset.select_related("series", "author")


def _entries_of(roundup_id):
    return PaperEntry.objects.filter(roundup_id=roundup_id).order_by("position", "pk")


class RoundupQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_filter())

    def drafts_of(self, user):
        """``user``'s drafts for the drafts page: scheduled ones first, soonest first, then the
        rest, most recently changed first."""
        return (
            self.filter(author=user)
            .exclude(published_filter())
            .with_counts()
            .select_related("series")
            .order_by(F("publish_at").asc(nulls_last=True), "-updated_at", "-pk")
        )

    def visible_to(self, user):
        """Published roundups, plus drafts the user wrote (or all drafts, for staff)."""
        if user.is_authenticated and user.is_staff:
            return self.all()
        if user.is_authenticated:
            return self.filter(published_filter() | Q(author=user))
        return self.published()

    def for_page(self):
        """What the roundup page shows: series, author and entries in order, in two queries."""
        return self.select_related("series", "author").prefetch_related(
            Prefetch("entries", queryset=PaperEntry.objects.order_by("position", "pk"))
        )

    def page_roundup(self, user, slug):
        """``visible_to(user).for_page().get(slug=slug)``, or None: the roundup page's two
        queries with their SQL written once per process (``forum/pinned.py``), every page's
        fixed cost. The same instances: series and author selected, entries prefetched in order,
        each entry's ``roundup`` set."""
        db, base = self.db, self.model.objects  # the shapes are fixed: filters on self do not count
        if user.is_authenticated and user.is_staff:
            key, build, values = "staff", lambda s: base.filter(slug=s), [slug]
        elif user.is_authenticated:
            key, values = "user", [slug, user.pk]
            build = lambda s, u: base.filter(published_filter() | Q(author_id=u), slug=s)  # noqa: E731
        else:
            key, build, values = "anonymous", lambda s: base.published().filter(slug=s), [slug]
        found = pinned(f"roundup:{key}", lambda *slots: _for_page_row(build(*slots)), values,
                       using=db)  # fmt: skip
        if not found:
            return None
        roundup = found[0]
        entries = pinned("roundup:entries", _entries_of, [roundup.pk], using=db)
        for entry in entries:  # as prefetch_related leaves them
            PaperEntry.roundup.field.set_cached_value(entry, roundup)
        prefetched = roundup.entries.all()
        prefetched._result_cache, prefetched._prefetch_done = entries, True
        roundup._prefetched_objects_cache = {"entries": prefetched}
        return roundup

    def neighbours(self, roundup):
        """The published roundups just before and after ``roundup`` in its series.

        Returns ``(previous, next)``, either may be None; two small indexed queries.
        """
        if roundup.series_id is None or not roundup.is_published:
            return None, None
        siblings = self.published().filter(series_id=roundup.series_id).exclude(pk=roundup.pk)
        when = roundup.published_at
        previous = (
            siblings.filter(Q(published_at__lt=when) | Q(published_at=when, pk__lt=roundup.pk))
            .order_by("-published_at", "-pk")
            .only("slug", "title", "number")
            .first()
        )
        following = (
            siblings.filter(Q(published_at__gt=when) | Q(published_at=when, pk__gt=roundup.pk))
            .order_by("published_at", "pk")
            .only("slug", "title", "number")
            .first()
        )
        return previous, following

    def with_counts(self):
        """Annotate ``entry_count`` in one query; ``comment_count`` (visible comments) is a
        column of its own, kept by the comment services."""
        entries = (
            PaperEntry.objects.filter(roundup=OuterRef("pk"))
            .order_by()
            .values("roundup")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(entry_count=Coalesce(Subquery(entries), 0))

    def for_list(self):
        """What a list of roundups shows of each (``_roundup_summary.html``): counts, series and
        author, in the one query of the page. Keyset-paginate it: the entry count is then
        computed for the page's rows only."""
        return self.with_counts().select_related("series", "author")


# Written by update() only: save() of an existing roundup leaves them out (see Roundup.save).
UNSAVED_FIELDS = ("id", "comment_count", "thread_version")


# Reading time: an adult reads about 230 words a minute on a screen (the figure most reading-time
# estimates use); Roundup.reading_minutes divides the roundup's words by it.
WORDS_PER_MINUTE = 230
# An abstract longer than this is folded to a few lines on the roundup page (the opinion never is).
ABSTRACT_FOLD_CHARS = 600


class Roundup(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="roundups"
    )
    series = models.ForeignKey(
        Series, on_delete=models.SET_NULL, null=True, blank=True, related_name="roundups"
    )
    number = models.PositiveIntegerField(
        null=True, blank=True, help_text="Issue number within the series."
    )
    intro = models.TextField(blank=True, help_text="Markdown.")
    intro_html = models.TextField(blank=True, editable=False)
    outro = models.TextField(blank=True, help_text="Markdown.")
    outro_html = models.TextField(blank=True, editable=False)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # A draft's scheduled publish time (services.roundup_schedule); a task publishes it then.
    # Cleared when it is published, unscheduled, or the task finds it cannot be published.
    publish_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Why the scheduled publish did not happen (shown on the drafts and edit pages), with the
    # time it was due; empty otherwise. Cleared by the next schedule, unschedule or publish.
    publish_error = models.CharField(max_length=500, blank=True, default="", editable=False)
    publish_error_at = models.DateTimeField(null=True, blank=True, editable=False)
    crosspost_url = models.URLField(
        blank=True, max_length=500, help_text="Where this roundup was also posted."
    )
    comments_locked = models.BooleanField(default=False)
    # Visible comments: moved by comments/services.py in the transaction of each change of
    # visibility, checked and repaired by check_threads, so lists never count per row.
    comment_count = models.PositiveIntegerField(default=0, editable=False)
    # Moves (+1, in the write's own transaction) on every write that can change how any sort
    # ranks the top-level comments, or which there are: a post at any level, a change of state,
    # a vote on either axis (comments/services.py), a repair (check_threads). A first part of a
    # thread reuses its kept ranking while this is unchanged (comments/thread/parts.py). Only
    # ever written by one relative UPDATE: never by save() (UNSAVED_FIELDS), so never backwards.
    thread_version = models.PositiveBigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RoundupQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        # The home page's and a series' keyset order (with the id tiebreaker), after their filter.
        indexes = [
            models.Index(fields=["status", "-published_at", "-id"], name="roundup_pub_idx"),
            models.Index(
                fields=["series", "status", "-published_at", "-id"], name="roundup_series_pub_idx"
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.render_html()
        if not self._state.adding and self.pk is not None and kwargs.get("update_fields") is None:
            # A copy read before a comment was posted must not write its stale count back.
            skip = {*UNSAVED_FIELDS, *self.get_deferred_fields()}
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if f.attname not in skip
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("roundups:detail", args=[self.slug])

    @property
    def is_scheduled(self):
        """A draft waiting for its publish time."""
        return not self.is_published and self.publish_at is not None

    @property
    def is_published(self):
        """As ``published_filter``: published, with a date."""
        return self.status == self.Status.PUBLISHED and self.published_at is not None

    @property
    def reading_minutes(self) -> int:
        """Minutes to read the roundup: its words (intro, outro, and per paper the title,
        abstract, opinion and related reading, as written) divided by WORDS_PER_MINUTE, rounded
        up, at least one. Reads ``entries.all()``: no query where they are prefetched (for_page)."""
        texts = [self.title, self.intro, self.outro]
        for entry in self.entries.all():
            texts += [entry.title, entry.abstract, entry.opinion, entry.related]
        words = sum(len(text.split()) for text in texts)
        return max(1, -(-words // WORDS_PER_MINUTE))

    def can_edit(self, user) -> bool:
        """Authors edit their own roundups; staff edit any."""
        from accounts.roles import is_author

        if not user.is_authenticated:
            return False
        return user.is_staff or (is_author(user) and self.author_id == user.pk)

    def render_html(self):
        """Render the markdown fields into their ``*_html`` twins; called before saving."""
        self.intro_html = render_markdown(self.intro)
        self.outro_html = render_markdown(self.outro)


class AutosaveSlot(models.Model):
    """What the roundup form held at its last autosave, kept aside (``roundups/autosave.py``).

    One per roundup, overwritten by each autosave, so autosaves never pile up. A published
    roundup's live text only changes by an explicit save: its autosaves wait here, offered on the
    edit page as "restore unsaved changes". A draft's valid autosaves go straight to the draft;
    one that cannot be applied (a paper without a title) waits here too, so nothing typed is
    lost. The next explicit save folds it in: ``roundup_update`` deletes it.
    """

    roundup = models.OneToOneField(Roundup, on_delete=models.CASCADE, related_name="autosave")
    # The form's fields as posted ({name: [values]}), applied by binding the form to them again.
    data = models.JSONField()
    error = models.CharField(max_length=500, blank=True, help_text="Why it was not applied.")
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    saved_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Autosave of roundup {self.roundup_id} at {self.saved_at:%Y-%m-%d %H:%M}"


class PaperEntry(models.Model):
    roundup = models.ForeignKey(Roundup, on_delete=models.CASCADE, related_name="entries")
    position = models.PositiveIntegerField(default=0, db_index=True)
    title = models.CharField(max_length=500)
    url = models.URLField(max_length=500)
    authors = models.CharField(max_length=1000, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    abstract = models.TextField(blank=True)
    opinion = models.TextField(blank=True, help_text="Markdown.")
    opinion_html = models.TextField(blank=True, editable=False)
    code_url = models.URLField(max_length=500, blank=True)
    related = models.TextField(blank=True, help_text="Markdown: related links and reading.")
    related_html = models.TextField(blank=True, editable=False)
    paper_key = models.CharField(max_length=500, blank=True, db_index=True, editable=False)
    # Visible comments about this paper in this roundup (replies included): moved by
    # comments/services.py with the roundup's count, checked and repaired by check_threads.
    comment_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["roundup", "position", "pk"]
        verbose_name_plural = "paper entries"

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.render_html()
        if not self._state.adding and self.pk is not None and kwargs.get("update_fields") is None:
            # The services rebuild entries from input (count 0): never write that count back.
            skip = {*UNSAVED_FIELDS, *self.get_deferred_fields()}
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if f.attname not in skip
            ]
        super().save(*args, **kwargs)

    @property
    def abstract_is_long(self) -> bool:
        """Whether the roundup page folds the abstract to a few lines ("show the whole
        abstract"): longer than ABSTRACT_FOLD_CHARS, about six lines at the page's measure."""
        return len(self.abstract) > ABSTRACT_FOLD_CHARS

    @property
    def anchor(self):
        return self.anchor_for(self.position)

    @staticmethod
    def anchor_for(position) -> str:
        """The id of the paper at ``position`` on its roundup's page."""
        return f"paper-{position}"

    def render_html(self):
        self.opinion_html = render_markdown(self.opinion)
        self.related_html = render_markdown(self.related)
        self.paper_key = paper_key(self.url)


class PaperQuerySet(models.QuerySet):
    def covered(self):
        """Papers at least one published roundup covers, for ``/papers/``: newest coverage first
        (keyset on ``paper_covered_idx``)."""
        return self.filter(last_covered_at__isnull=False)


class Paper(models.Model):
    """One paper, whatever the spellings of its link: its coverage, kept on one row per
    ``paper_key`` so ``/papers/`` reads one page of rows and never groups every entry.

    Written only by ``papers_refresh`` (recounts the keys an entry write or a publish touched,
    from their published entries) and by the comment services (``comment_count``, moved in the
    transaction of each change of visibility). ``check_threads`` verifies every row and
    ``--repair`` (or ``manage.py refresh_papers``) rebuilds them. It lives here, not in the papers
    app, because the write paths that keep it (roundups, comments) sit below papers.
    """

    paper_key = models.CharField(max_length=500, unique=True)
    roundup_count = models.PositiveIntegerField(default=0)  # published roundups covering it
    last_covered_at = models.DateTimeField(null=True, blank=True)  # newest of those
    comment_count = models.PositiveIntegerField(default=0)  # visible comments on its entries

    objects = PaperQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(
                fields=["last_covered_at", "id"],
                name="paper_covered_idx",
                condition=models.Q(last_covered_at__isnull=False),
            )
        ]

    def __str__(self):
        return self.paper_key


def paper_stats(keys) -> dict[str, dict]:
    """What the ``Paper`` rows of ``keys`` should hold, from their published entries: one query."""
    rows = (
        PaperEntry.objects.filter(published_filter("roundup__"), paper_key__in=list(keys))
        .order_by()
        .values("paper_key")
        .annotate(
            roundup_count=Count("roundup", distinct=True),
            last_covered_at=models.Max("roundup__published_at"),
            comment_count=models.Sum("comment_count"),
        )
    )
    return {
        row["paper_key"]: {
            "roundup_count": row["roundup_count"],
            "last_covered_at": row["last_covered_at"],
            "comment_count": row["comment_count"] or 0,
        }
        for row in rows
    }


def papers_refresh(keys) -> int:
    """Recount the ``Paper`` rows of ``keys`` (blank keys are skipped); two queries.

    Called inside the transaction of every entry write and publish, with the keys before and
    after; a key no published roundup covers keeps its row, emptied (off ``/papers/``).
    """
    keys = sorted({key for key in keys if key})
    if not keys:
        return 0
    stats = paper_stats(keys)
    empty = {"roundup_count": 0, "last_covered_at": None, "comment_count": 0}
    Paper.objects.bulk_create(
        [Paper(paper_key=key, **stats.get(key, empty)) for key in keys],
        update_conflicts=True,
        unique_fields=["paper_key"],
        update_fields=["roundup_count", "last_covered_at", "comment_count"],
    )
    return len(keys)
