"""Fixed-seed, realistic comment threads for the benchmarks, inserted in bulk.

The shape (issue 5): a quarter of the comments are roots; every other comment replies to an
earlier one, at most 12 deep (a root is depth 1, so ``level`` <= 11); a few hundred characters of
markdown each; 50 authors; votes on most comments. ``make_spec`` builds the shape as plain data,
with no database, so the django-comments-xtd peer (another settings module, another process) loads
exactly the same thread from the same seed.

Loading is bulk: the MPTT fields (``tree_id``, ``lft``, ``rght``, ``level``) are computed here in
one depth-first pass, rows go in as multi-row INSERTs with ids chosen here (so parents are known
up front), and ``check_tree`` verifies the result against MPTT's invariants. Siblings are
inserted in posting order, which is where django-mptt puts a new reply (last among its siblings,
no ``order_insertion_by``), so ``partial_rebuild`` leaves every row as it is (the tests check it).

    python -m bench.generate --db sqlite     # recreate the bench database and fill it
"""

import random
from dataclasses import dataclass, field
from datetime import timedelta

SEED = 20_250_605
AUTHORS = 50
ROOT_SHARE = 0.25  # a quarter of comments start a thread
MAX_LEVEL = 11  # level counts from 0 at a root: depth 12 at most
# Half of the replies answer one of the last dozen comments, the rest any earlier comment:
# uniform choice alone gives bushy, shallow trees; live conversations also run deep.
RECENT_SHARE = 0.5
RECENT_WINDOW = 12
VOTED_SHARE = 0.85  # "votes on most comments"
MAX_VOTES = 12
UP_SHARE = 0.8
# The agreement axis (issue #12): about half the comments get some, split more evenly than
# approval; drawn from a generator of its own, so the threads' shapes and approval votes are the
# ones every earlier run measured.
AGREED_SHARE = 0.5
MAX_AGREEMENT_VOTES = 8
AGREE_SHARE = 0.6
BODY_POOL = 300  # distinct bodies: markdown is rendered once per body, so generation stays fast
THREAD_SPAN = timedelta(days=7)  # comments arrive over the week after publication
ENTRIES = 5  # paper entries on each bench roundup, as a real weekly roundup has

_WORDS = (
    "model attention benchmark dataset baseline ablation transformer gradient loss scaling law "
    "paper result table figure appendix training inference token context window retrieval "
    "evaluation metric variance seed replication claim method section author reviewer code "
    "weights compute budget sparse dense layer head probe circuit interpretability alignment "
    "reward policy agent environment sample efficiency robustness distribution shift prior work"
).split()
_LINKS = (
    "https://arxiv.org/abs/2401.01234",
    "https://arxiv.org/abs/2312.00752",
    "https://doi.org/10.1145/3442188.3445922",
    "https://github.com/example/replication",
)


@dataclass
class ThreadSpec:
    """One thread as plain data; index ``i`` is the i-th comment posted."""

    n: int
    parents: list = field(default_factory=list)  # parent index, or None for a root
    authors: list = field(default_factory=list)  # author index, 0..AUTHORS-1
    bodies: list = field(default_factory=list)  # index into the body pool
    offsets: list = field(default_factory=list)  # seconds after publication, increasing
    votes: list = field(default_factory=list)  # [(voter index, +1/-1), ...] per comment
    agreements: list = field(default_factory=list)  # the same, on the agreement axis
    levels: list = field(default_factory=list)
    tree_of: list = field(default_factory=list)  # index of the root of each comment's tree
    lft: list = field(default_factory=list)
    rght: list = field(default_factory=list)

    @property
    def roots(self) -> list:
        return [i for i, p in enumerate(self.parents) if p is None]

    def score(self, i) -> tuple[int, int, int]:
        up = sum(1 for _, v in self.votes[i] if v == 1)
        down = len(self.votes[i]) - up
        return up - down, up, down

    def agreement(self, i) -> tuple[int, int, int]:
        votes = self.agreements[i] if self.agreements else ()
        agree = sum(1 for _, v in votes if v == 1)
        disagree = len(votes) - agree
        return agree - disagree, agree, disagree


def body_pool(seed: int = SEED, size: int = BODY_POOL) -> list[str]:
    """Markdown bodies of a few hundred characters: emphasis, code, links, lists, quotes."""
    rnd = random.Random(seed + 1)

    def sentence():
        words = rnd.choices(_WORDS, k=rnd.randint(8, 18))
        if rnd.random() < 0.3:
            k = rnd.randrange(len(words))
            words[k] = f"**{words[k]}**"
        if rnd.random() < 0.2:
            k = rnd.randrange(len(words))
            words[k] = f"`{words[k]}_{rnd.randint(1, 9)}`"
        return " ".join(words).capitalize() + rnd.choice(".?!")

    pool = []
    for _ in range(size):
        paragraphs = [" ".join(sentence() for _ in range(rnd.randint(1, 3)))]
        extra = rnd.random()
        if extra < 0.2:
            paragraphs.append(f"See [the paper]({rnd.choice(_LINKS)}) for details.")
        elif extra < 0.35:
            paragraphs.append("\n".join(f"- {sentence()}" for _ in range(rnd.randint(2, 3))))
        elif extra < 0.45:
            paragraphs.insert(0, f"> {sentence()}")
        elif extra < 0.55:
            paragraphs.append(f"Code: {rnd.choice(_LINKS)}")
        body = "\n\n".join(paragraphs)
        while len(body) < 200:
            body += " " + sentence()
        pool.append(body[:600])
    return pool


def make_spec(n: int, *, seed: int = SEED, single_root: bool = False) -> ThreadSpec:
    """The thread of ``n`` comments for ``seed``: realistic, or one root holding every reply."""
    rnd = random.Random(f"{seed}:{n}:{single_root}")
    spec = ThreadSpec(n=n)
    if single_root:
        root_at = {0}
    else:
        roots = max(1, round(n * ROOT_SHARE))
        root_at = {0, *rnd.sample(range(1, n), roots - 1)} if n > 1 else {0}
    for i in range(n):
        if i in root_at:
            parent, level = None, 0
        else:
            if rnd.random() < RECENT_SHARE:
                parent = rnd.randrange(max(0, i - RECENT_WINDOW), i)
            else:
                parent = rnd.randrange(i)
            while spec.levels[parent] >= MAX_LEVEL:  # at the cap: answer the parent's thread
                parent = spec.parents[parent]
            level = spec.levels[parent] + 1
        spec.parents.append(parent)
        spec.levels.append(level)
        author = rnd.randrange(AUTHORS)
        spec.authors.append(author)
        spec.bodies.append(rnd.randrange(BODY_POOL))
        spec.offsets.append(THREAD_SPAN.total_seconds() * (i + rnd.random()) / n)
        votes = []
        if rnd.random() < VOTED_SHARE:
            others = [a for a in range(AUTHORS) if a != author]
            for voter in rnd.sample(others, rnd.randint(1, MAX_VOTES)):
                votes.append((voter, 1 if rnd.random() < UP_SHARE else -1))
        spec.votes.append(votes)
    _number_tree(spec)
    _add_agreement(spec, random.Random(f"{seed}:{n}:{single_root}:agreement"))
    return spec


def _add_agreement(spec: ThreadSpec, rnd: random.Random) -> None:
    """Agreement votes on about half the comments, never by the comment's author."""
    for i in range(spec.n):
        votes = []
        if rnd.random() < AGREED_SHARE:
            others = [a for a in range(AUTHORS) if a != spec.authors[i]]
            for voter in rnd.sample(others, rnd.randint(1, MAX_AGREEMENT_VOTES)):
                votes.append((voter, 1 if rnd.random() < AGREE_SHARE else -1))
        spec.agreements.append(votes)


def _number_tree(spec: ThreadSpec) -> None:
    """Fill ``lft``/``rght``/``tree_of`` the way django-mptt would after these inserts."""
    children = [[] for _ in range(spec.n)]
    for i, p in enumerate(spec.parents):
        if p is not None:
            children[p].append(i)  # posting order: a new reply goes last among its siblings
    spec.lft = [0] * spec.n
    spec.rght = [0] * spec.n
    spec.tree_of = [0] * spec.n
    for root in spec.roots:
        counter = 1
        stack = [(root, False)]
        while stack:
            node, done = stack.pop()
            if done:
                spec.rght[node] = counter
                counter += 1
                continue
            spec.tree_of[node] = root
            spec.lft[node] = counter
            counter += 1
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(children[node]))


# --- database -----------------------------------------------------------------------------------


def ensure_users(prefix: str = "bench-user"):
    """The 50 comment authors (and voters), created once; returned in index order."""
    from django.contrib.auth.models import User

    names = [f"{prefix}-{i:02d}" for i in range(AUTHORS)]
    existing = {u.username: u for u in User.objects.filter(username__in=names)}
    missing = [User(username=n, email=f"{n}@example.org", password="!") for n in names
               if n not in existing]  # fmt: skip
    if missing:
        User.objects.bulk_create(missing)
        existing = {u.username: u for u in User.objects.filter(username__in=names)}
    return [existing[n] for n in names]


def rendered_pool(seed: int = SEED) -> tuple[list[str], list[str]]:
    """(markdown, html) for each pool body, rendered once each by the site's own renderer."""
    from forum.markdown import render_markdown

    bodies = body_pool(seed)
    return bodies, [render_markdown(b) for b in bodies]


def make_roundup(slug: str, title: str, entries: int = ENTRIES):
    """A published roundup by the bench author, with a few paper entries."""
    from django.contrib.auth.models import Group, User
    from django.utils import timezone

    from accounts.roles import AUTHORS as AUTHORS_GROUP
    from roundups.models import PaperEntry, Roundup

    author, created = User.objects.get_or_create(
        username="bench-author", defaults={"email": "bench-author@example.org", "password": "!"}
    )
    if created:
        author.groups.add(Group.objects.get(name=AUTHORS_GROUP))
    published = timezone.now() - timedelta(days=8)
    roundup = Roundup.objects.create(
        title=title, slug=slug, author=author, status=Roundup.Status.PUBLISHED,
        published_at=published, intro="This week: **five papers** and a long discussion.",
        outro="See you next week.",
    )  # fmt: skip
    for position in range(1, entries + 1):
        PaperEntry.objects.create(
            roundup=roundup, position=position, title=f"Paper {position} of {title}",
            url=f"https://arxiv.org/abs/2401.{position:05d}", authors="A. Author, B. Author",
            year=2024, abstract="We study things and find results. " * 4,
            opinion="Worth reading for the **ablations**.", related="See also the replication.",
        )  # fmt: skip
    return roundup


def load_thread(spec: ThreadSpec, *, roundup, users=None, pool=None) -> list:
    """Insert ``spec`` as ``roundup``'s comments (and votes); return the ids by spec index.

    Raw multi-row inserts with ids chosen here (then the id sequences are moved past them):
    building 60,000 model instances for ``bulk_create`` took most of the generation time.
    """
    from django.db import connection, transaction
    from django.db.models import F, Max

    from comments.models import Comment, CommentText, Vote
    from roundups.models import Roundup

    users = users or ensure_users()
    bodies, htmls = pool or rendered_pool()
    start = roundup.published_at
    when = connection.ops.adapt_datetimefield_value
    with transaction.atomic():
        first_id = (Comment.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        first_tree = (Comment.objects.aggregate(m=Max("tree_id"))["m"] or 0) + 1
        tree_id = {root: first_tree + k for k, root in enumerate(spec.roots)}
        ids = [first_id + i for i in range(spec.n)]
        rows, texts = [], []
        for i in range(spec.n):
            score, up, down = spec.score(i)
            agreement, agree, disagree = spec.agreement(i)
            parent = spec.parents[i]
            rows.append({
                "id": ids[i], "roundup_id": roundup.pk,
                "parent_id": None if parent is None else ids[parent],
                "author_id": users[spec.authors[i]].pk,
                "score": score, "upvotes": up, "downvotes": down,
                "agreement": agreement, "agree_votes": agree, "disagree_votes": disagree,
                "created_at": when(start + timedelta(seconds=spec.offsets[i])),
                "tree_id": tree_id[spec.tree_of[i]], "lft": spec.lft[i], "rght": spec.rght[i],
                "level": spec.levels[i],
            })  # fmt: skip
            texts.append({"comment_id": ids[i], "body": bodies[spec.bodies[i]],
                          "body_html": htmls[spec.bodies[i]]})  # fmt: skip
        _insert(Comment, rows)
        _insert(CommentText, texts)
        first_vote = (Vote.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        votes = []
        for i in range(spec.n):
            cast = when(start + timedelta(seconds=spec.offsets[i] + 60))
            axes = [("approval", spec.votes[i]), ("agreement", spec.agreements[i])]
            for axis, cast_votes in axes:
                for voter, value in cast_votes:
                    votes.append(
                        {
                            "id": first_vote + len(votes),
                            "comment_id": ids[i],
                            "roundup_id": roundup.pk,
                            "user_id": users[voter].pk,
                            "axis": axis,
                            "value": value,
                            "created_at": cast,
                        }
                    )
        _insert(Vote, votes)
        _reset_sequences(Comment, Vote)
        # Every generated comment is visible: count them as comment_create would have, and move
        # the thread's version as it and vote_cast would (a ranking kept before is stale).
        Roundup.objects.filter(pk=roundup.pk).update(
            comment_count=F("comment_count") + spec.n, thread_version=F("thread_version") + 1
        )
    return ids


def _insert(model, rows: list[dict], chunk: int = 500) -> None:
    """INSERT ``rows`` (dicts by column) into ``model``'s table; absent columns get defaults."""
    from django.db import connection

    fields = model._meta.local_concrete_fields
    defaults = {}
    for f in fields:
        if not f.has_default():
            defaults[f.column] = None
            continue
        default = f.get_default()
        if hasattr(default, "utcoffset"):
            default = connection.ops.adapt_datetimefield_value(default)
        defaults[f.column] = default
    columns = [f.column for f in fields]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    table = connection.ops.quote_name(model._meta.db_table)
    values = [tuple(row.get(c, defaults[c]) for c in columns) for row in rows]
    with connection.cursor() as cursor:
        for k in range(0, len(values), chunk):
            part = values[k : k + chunk]
            one = "(" + ", ".join(["%s"] * len(columns)) + ")"
            sql = f"INSERT INTO {table} ({quoted}) VALUES " + ", ".join([one] * len(part))
            cursor.execute(sql, [v for row in part for v in row])


def _reset_sequences(*models) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def check_tree(roundup) -> int:
    """Assert MPTT's invariants over every tree of ``roundup``; return the number of rows.

    Each tree numbers 1..2k without gaps; every node's interval holds exactly its descendants
    and sits inside its parent's; levels follow parents; each root starts at 1 at level 0.
    """
    from comments.models import Comment

    rows = list(
        Comment.objects.filter(roundup=roundup)
        .order_by("tree_id", "lft")
        .values_list("id", "parent_id", "tree_id", "lft", "rght", "level")
    )
    by_id = {r[0]: r for r in rows}
    below = dict.fromkeys(by_id, 0)
    trees: dict[int, list] = {}
    for pk, parent, tree, lft, rght, level in rows:
        trees.setdefault(tree, []).extend((lft, rght))
        assert lft < rght, f"comment {pk}: lft {lft} >= rght {rght}"
        if parent is None:
            assert (lft, level) == (1, 0), f"root {pk} starts at {lft}, level {level}"
            continue
        p = by_id[parent]
        assert p[2] == tree, f"comment {pk} is in tree {tree}, its parent in {p[2]}"
        assert p[3] < lft and rght < p[4], f"comment {pk} lies outside its parent {parent}"
        assert level == p[5] + 1, f"comment {pk} level {level}, parent level {p[5]}"
        node = parent
        while node is not None:  # count descendants by walking up (depth <= 12)
            below[node] += 1
            node = by_id[node][1]
    for tree, numbers in trees.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), f"tree {tree} has gaps"
    for pk, _parent, _tree, lft, rght, _level in rows:
        assert (rght - lft - 1) // 2 == below[pk], f"comment {pk}: interval != descendants"
    return len(rows)


def thread_slug(n: int, *, single_root: bool = False) -> str:
    return f"bench-{'single' if single_root else 'thread'}-{n}"


def build(sizes, *, seed: int = SEED, single_root_too: bool = True, check: bool = True) -> dict:
    """Create the bench roundups and threads; return {slug: {"n", "roundup_id", "ids"}}."""
    users = ensure_users()
    pool = rendered_pool(seed)
    made = {}
    for n in sizes:
        for single in (False, True) if single_root_too else (False,):
            slug = thread_slug(n, single_root=single)
            kind = "one root tree" if single else "thread"
            roundup = make_roundup(slug, f"Bench {kind} of {n:,} comments")
            spec = make_spec(n, seed=seed, single_root=single)
            load_thread(spec, roundup=roundup, users=users, pool=pool)
            if check:
                assert check_tree(roundup) == n
            made[slug] = {"n": n, "roundup_id": roundup.pk, "single_root": single,
                          "max_level": max(spec.levels), "roots": len(spec.roots)}  # fmt: skip
    _keep_karma()
    return made


def _keep_karma() -> None:
    """The votes went in as rows, not through ``vote_cast``: set karma as the votes would have."""
    from comments.karma import karma_totals
    from comments.models import Karma

    Karma.objects.bulk_create(
        [Karma(user_id=user_id, value=total) for user_id, total in karma_totals().items()],
        update_conflicts=True, unique_fields=["user"], update_fields=["value"],
    )  # fmt: skip


def main(argv=None) -> None:
    import time

    from django.core.management import call_command

    from bench import common

    backend = common.backend_arg(argv)
    common.recreate_database(backend, common.DB_NAME)
    common.setup(backend)
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    # DEBUG is off, so pages need the static manifest; rebuilt each time, as the CSS changes.
    call_command("collectstatic", verbosity=0, interactive=False, clear=True)
    migrated = time.perf_counter()
    made = build(common.SIZES)
    common.analyze_postgres()
    done = time.perf_counter()
    common.write_result(backend, "generate", {
        "threads": made, "migrate_s": migrated - started, "generate_s": done - migrated,
    })  # fmt: skip
    print(f"[{backend}] migrated in {migrated - started:.1f}s; generated and checked "
          f"{sum(t['n'] for t in made.values()):,} comments in {done - migrated:.1f}s")  # fmt: skip


if __name__ == "__main__":
    main()
