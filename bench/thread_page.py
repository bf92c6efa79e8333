"""Time the real roundup page against a floor and django-mptt's ``{% recursetree %}``.

For each realistic thread (100, 1,000, 10,000 comments) in the bench database, in one process and
interleaved run by run so that noise from the machine falls on all of them alike:

* **ours**: ``GET /roundups/<slug>/`` through ``django.test.Client`` — the whole page: middleware,
  the roundup with its papers, the thread query, tree build and sort, rendering, the base template.
  Anonymous, and signed in as one of the thread's voters (adds the viewer's votes and the read
  marker write).
* **floor**: one SQL query for the same rows and the cheapest escaped string join of the same
  fields (every field the page shows of a comment: author's name and karma, parent, state,
  score, times, body, a paper suggestion's card): what any implementation has to pay.
  **floor_narrow**, the first floor, read only six of them; it is kept in the report.
* **recursetree**: the same rows through ``Comment.objects.for_thread(...)`` and django-mptt's
  ``{% recursetree %}`` with a template showing the same fields.
* **floor_served** and **thread_served** (``bench/urls.py``): the floor, and our page's own
  reads of its roundup and thread part with the thread's markup, each served as the whole
  response through the same client and middleware: where a small page's time goes (what the
  request cycle adds to the floor; what our thread costs before any template draws the page).

The floor and peers show exactly the comments our page shows. Threads come in parts
(``comments/thread/parts.py``): the page shows its first part (about ``PART_COMMENTS``
comments, a few replies per comment, nested to ``MAX_DEPTH``), so the floor and the peers read
the rows of exactly the comments that part shows (their ids, taken from an untimed request); the
counts are checked equal before anything is timed. Before threads came in parts the page showed
every comment above the depth cut, so figures for 1,000 and 10,000 comments from before then
(docs/benchmarks.md, "Findings") time a page with ~7-60x more comments on it.
Query counts come from a separate, untimed request (capturing queries slows the timed ones).

    python -m bench.thread_page --db sqlite
"""

import html as html_lib
import re
import statistics

from bench import common

RECURSE_TEMPLATE = (
    '{% load mptt_tags %}<ul class="thread">{% recursetree nodes %}'
    '<li id="c{{ node.id }}"><div><b>{{ node.author.username }}</b> · {{ node.score }} points · '
    '<time datetime="{{ node.created_at|date:"c" }}">{{ node.created_at|timesince }} ago</time>'
    '</div><div class="comment-body">{{ node.body_html|safe }}</div>'
    "{% if not node.is_leaf_node %}<ul>{{ children }}</ul>{% endif %}</li>"
    "{% endrecursetree %}</ul>"
)
_OURS_COMMENT = re.compile(r'<li class="comment[^"]*" id="c(\d+)"')


def floor_html(roundup_id: int, ids: list[int]) -> str:
    """One query, then one escaped f-string per row, joined: the least work that shows a thread.

    It reads every field our page shows of a comment, each from where it is stored: the tree
    row (id, parent, level, state, score, times), the text row (body HTML), the author's name
    and karma, and a paper suggestion's card (title, link, state, and where it was covered).
    """
    rows = _floor_rows(
        "SELECT c.id, c.parent_id, c.level, c.state, c.score, c.created_at, c.edited_at, "
        "t.body_html, u.username, k.value, s.title, s.url, s.status, r.slug, e.position "
        "FROM comments_comment c "
        "JOIN comments_commenttext t ON t.comment_id = c.id "
        "JOIN auth_user u ON u.id = c.author_id "
        "LEFT JOIN accounts_karma k ON k.user_id = c.author_id "
        "LEFT JOIN papers_papersuggestion s ON s.comment_id = c.id "
        "LEFT JOIN roundups_paperentry e ON e.id = s.taken_entry_id "
        "LEFT JOIN roundups_roundup r ON r.id = e.roundup_id "
        "WHERE c.roundup_id = %s AND c.id IN ({ids}) ORDER BY c.tree_id, c.lft",
        roundup_id,
        ids,
    )
    esc = html_lib.escape
    return "".join(
        [
            f'<li id="c{pk}" class="d{level} {state}"><a href="#c{parent}">^</a>'
            f"<b>{esc(name)}</b> {karma} {score} <time>{created}</time> <time>{edited}</time>"
            + (f'<a href="{esc(s_url)}">{esc(s_title)}</a> {s_status} {s_slug} {s_pos}'
               if s_url else "")
            + f"<div>{body_html}</div></li>"
            for (pk, parent, level, state, score, created, edited, body_html, name, karma,
                 s_title, s_url, s_status, s_slug, s_pos) in rows
        ]
    )  # fmt: skip


def floor_narrow_html(roundup_id: int, ids: list[int]) -> str:
    """The floor as first measured: six of those fields (no karma, parent, state, edit time or
    suggestion card). Reported beside the floor, so the change of yardstick stays visible."""
    rows = _floor_rows(
        "SELECT c.id, c.level, c.score, c.created_at, t.body_html, u.username "
        "FROM comments_comment c JOIN auth_user u ON u.id = c.author_id "
        "JOIN comments_commenttext t ON t.comment_id = c.id "
        "WHERE c.roundup_id = %s AND c.id IN ({ids}) ORDER BY c.tree_id, c.lft",
        roundup_id,
        ids,
    )
    esc = html_lib.escape
    return "".join(
        [
            f'<li id="c{pk}" class="d{level}"><b>{esc(name)}</b> {score} <time>{created}</time>'
            f"<div>{body_html}</div></li>"
            for pk, level, score, created, body_html, name in rows
        ]
    )


def _floor_rows(sql: str, roundup_id: int, ids: list[int]) -> list:
    """The rows a floor shows: the ones the page's first part shows (``ids``), raw."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql.format(ids=", ".join(["%s"] * len(ids))), [roundup_id, *ids])
        return cursor.fetchall()


def floor_count(text: str) -> int:
    return text.count('<li id="c')


_recurse = None


def recursetree_html(roundup, ids: list[int]) -> str:
    """django-mptt's own way: a queryset in tree order and ``{% recursetree %}``."""
    global _recurse
    from django.template import Context, engines

    from comments.models import Comment

    if _recurse is None:
        _recurse = engines["django"].from_string(RECURSE_TEMPLATE).template
    nodes = Comment.objects.for_thread(roundup).filter(pk__in=ids).select_related("author", "text")
    return _recurse.render(Context({"nodes": nodes}))


def recursetree_count(text: str) -> int:
    return text.count('<li id="c')


def ours_count(text: str) -> int:
    return len(_OURS_COMMENT.findall(text))


def query_count(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def measure(backend: str) -> dict:
    from django.test.utils import override_settings

    with override_settings(ROOT_URLCONF="bench.urls"):  # the site's URLs, and bench/urls.py's two
        return _measure(backend)


def _measure(backend: str) -> dict:
    from django.contrib.auth.models import User
    from django.test import Client

    from bench.urls import FLOOR_IDS
    from roundups.models import Roundup

    generated = common.read_result(backend, "generate")
    if not generated:
        raise SystemExit(f"run `python -m bench.generate --db {backend}` first")
    anonymous = Client()
    signed_in = Client()
    signed_in.force_login(User.objects.get(username="bench-user-00"))

    results = {}
    for slug, info in generated["threads"].items():
        if info["single_root"]:
            continue
        n = info["n"]
        roundup = Roundup.objects.get(slug=slug)
        url = roundup.get_absolute_url()

        def ours(client=anonymous, url=url):
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            return response  # decoded only for counting, outside the timed call

        def ours_signed_in(url=url):
            return ours(signed_in, url)

        ids = [int(i) for i in _OURS_COMMENT.findall(ours().content.decode())]  # the first part
        FLOOR_IDS[roundup.pk] = ids

        def served(url):
            def serve(url=url):
                response = anonymous.get(url)
                assert response.status_code == 200, (url, response.status_code)
                return response

            return serve

        runners = {
            "ours": ours,
            "ours_signed_in": ours_signed_in,
            "floor": lambda rid=roundup.pk, ids=ids: floor_html(rid, ids),
            "floor_narrow": lambda rid=roundup.pk, ids=ids: floor_narrow_html(rid, ids),
            "recursetree": lambda r=roundup, ids=ids: recursetree_html(r, ids),
            "floor_served": served(f"/bench/floor/{roundup.pk}/"),
            "thread_served": served(f"/bench/thread/{slug}/"),
        }
        counters = {"ours": lambda r: ours_count(r.content.decode()),
                    "ours_signed_in": lambda r: ours_count(r.content.decode()),
                    "floor": floor_count, "floor_narrow": floor_count,
                    "recursetree": recursetree_count,
                    "floor_served": lambda r: floor_count(r.content.decode()),
                    "thread_served": lambda r: ours_count(r.content.decode())}  # fmt: skip
        shown = {name: counters[name](run()) for name, run in runners.items()}
        if len(set(shown.values())) != 1:
            raise SystemExit(f"{slug}: renderers show different comment counts: {shown}")
        queries = {
            "ours": query_count(anonymous, url),
            "ours_signed_in": query_count(signed_in, url),
        }
        warmup, reps = common.reps_for(n)
        peer_reps = common.peer_reps_for(n)
        samples = {name: [] for name in runners}
        cpu = {name: [] for name in runners}
        for _ in range(warmup):
            for name, run in runners.items():
                if name != "recursetree" or n < 10_000:
                    run()
        for rep in range(reps):
            for name, run in runners.items():
                if name == "recursetree" and rep >= peer_reps:
                    continue
                seconds, cpu_seconds = common.timed(run)
                samples[name].append(seconds)
                cpu[name].append(cpu_seconds)
        medians = {name: common.median_ms(s) for name, s in samples.items()}
        spread = {
            name: {"min_ms": min(s) * 1000, "max_ms": max(s) * 1000,
                   "stdev_ms": statistics.pstdev(s) * 1000}
            for name, s in samples.items()
        }  # fmt: skip
        results[str(n)] = {
            "n": n, "shown": shown["ours"], "reps": reps, "warmup": warmup, "peer_reps": peer_reps,
            "median_ms": medians, "cpu_median_ms": {k: common.median_ms(v) for k, v in cpu.items()},
            "spread": spread, "queries": queries,
            "page_bytes": len(ours().content),
        }  # fmt: skip
        print(f"[{backend}] {n:>6,} comments ({shown['ours']:,} shown, {reps} runs): "
              + ", ".join(f"{k} {v:.1f} ms" for k, v in medians.items())
              + f"; queries {queries}")  # fmt: skip
    return results


def main(argv=None) -> None:
    backend = common.backend_arg(argv)
    common.setup(backend)
    common.write_result(backend, "thread_page", measure(backend))


if __name__ == "__main__":
    main()
