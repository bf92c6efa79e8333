"""``roundups.Paper`` rows and each entry's ``comment_count``: kept by the write paths in the
write's transaction, so /papers/ reads one page of rows; checked and repaired by check_threads."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from comments.integrity import check_threads
from comments.services import comment_create, comment_delete, comment_remove, comment_restore
from roundups.models import Paper, PaperEntry
from roundups.services import entry_add, roundup_create, roundup_publish, roundup_update
from tests.factories import make_author, make_moderator, make_roundup, make_user

pytestmark = pytest.mark.django_db

ATTENTION = "https://arxiv.org/abs/1706.03762"
ATTENTION_V2 = "https://arxiv.org/pdf/1706.03762v2"  # the same paper, spelled otherwise
KEY = "arxiv:1706.03762"


def _paper(key=KEY):
    row = Paper.objects.filter(paper_key=key).first()
    return row and (row.roundup_count, row.last_covered_at, row.comment_count)


def _post(roundup, **kwargs):
    return comment_create(
        roundup=roundup, author=make_user(), body="Hm.", enforce_rate_limit=False, **kwargs
    )


def test_publishing_and_editing_entries_keep_the_paper_row():
    author = make_author()
    draft = roundup_create(author=author, title="One", entries=[{"title": "A", "url": ATTENTION}])
    assert _paper() is None  # a draft covers nothing yet
    first = roundup_publish(roundup=draft, by=author)
    assert _paper() == (1, first.published_at, 0)
    second = roundup_create(
        author=author, title="Two", entries=[{"title": "A", "url": ATTENTION_V2}], publish=True
    )
    assert _paper() == (2, second.published_at, 0)
    other = "https://doi.org/10.1000/other"
    roundup_update(roundup=second, by=author, entries=[{"title": "B", "url": other}])
    assert _paper() == (1, first.published_at, 0)
    assert _paper("doi:10.1000/other") == (1, second.published_at, 0)
    entry_add(roundup=first, by=author, title="C", url="https://example.org/c")
    assert _paper("example.org/c") == (1, first.published_at, 0)


def test_comment_counts_move_with_visibility():
    author, moderator = make_author(), make_moderator()
    roundup = roundup_create(
        author=author, title="One", entries=[{"title": "A", "url": ATTENTION}], publish=True
    )
    entry = roundup.entries.get()
    root = _post(roundup, paper_entry=entry)
    reply = _post(roundup, parent=root)  # takes its root's paper
    _post(roundup)  # about the roundup: no paper's count moves

    def counts():
        return PaperEntry.objects.get(pk=entry.pk).comment_count, _paper()[2]

    assert counts() == (2, 2)
    comment_delete(comment=reply, by=reply.author)
    assert counts() == (1, 1)
    comment_remove(comment=root, by=moderator, reason="Spam.")
    assert counts() == (0, 0)
    comment_restore(comment=root, by=moderator, reason="Not spam after all.")
    assert counts() == (1, 1)
    # An edit of the roundup keeps the entry (same paper): its count is not written back to 0.
    roundup_update(roundup=roundup, by=author, entries=[{"title": "A, retitled", "url": ATTENTION}])
    assert counts() == (1, 1)
    assert check_threads().ok


def test_check_threads_finds_and_repairs_paper_counts():
    now = timezone.now()
    roundup = make_roundup(published_at=now - timedelta(days=1))
    entry = PaperEntry.objects.create(roundup=roundup, title="A", url=ATTENTION, position=1)
    _post(roundup, paper_entry=entry)  # entry count 1; no Paper row (made behind the services)
    PaperEntry.objects.filter(pk=entry.pk).update(comment_count=5)
    report = check_threads()
    kinds = sorted(problem.kind for problem in report.problems)
    assert kinds == ["entry_comment_count", "paper"], report.problems
    with pytest.raises(CommandError):
        call_command("check_threads", stdout=StringIO())
    out = StringIO()
    call_command("check_threads", "--repair", stdout=out)
    assert "Checked again: OK." in out.getvalue()
    assert PaperEntry.objects.get(pk=entry.pk).comment_count == 1
    assert _paper() == (1, roundup.published_at, 1)


def test_rekey_recounts_the_papers_it_moves():
    roundup = make_roundup()
    entry = PaperEntry.objects.create(roundup=roundup, title="A", url=ATTENTION, position=1)
    PaperEntry.objects.filter(pk=entry.pk).update(paper_key="arxiv.org/abs/1706.03762")
    call_command("papers_rekey", stdout=StringIO())
    assert _paper() == (1, roundup.published_at, 0)
