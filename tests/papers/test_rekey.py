from io import StringIO

import pytest
from django.core.management import call_command

from roundups.models import PaperEntry
from tests.factories import make_entry, make_roundup

pytestmark = pytest.mark.django_db


def _stale(url, stale_key):
    entry = make_entry(make_roundup(), url=url)
    PaperEntry.objects.filter(pk=entry.pk).update(paper_key=stale_key)  # as an older paper_key
    return entry


def test_rekey_fixes_stale_keys_and_leaves_the_rest():
    stale = _stale("https://arxiv.org/abs/math.GT/0309136v1", "arxiv:math.gt/0309136")
    fresh = make_entry(make_roundup(), url="https://doi.org/10.1000/x")
    out = StringIO()
    call_command("papers_rekey", stdout=out)
    assert PaperEntry.objects.get(pk=stale.pk).paper_key == "arxiv:math.GT/0309136"
    assert PaperEntry.objects.get(pk=fresh.pk).paper_key == "doi:10.1000/x"
    assert "2 paper entries checked, 1 changed." in out.getvalue()


def test_dry_run_writes_nothing():
    stale = _stale("https://arxiv.org/abs/1706.03762", "arxiv.org/abs/1706.03762")
    out = StringIO()
    call_command("papers_rekey", "--dry-run", "-v", "2", stdout=out)
    assert PaperEntry.objects.get(pk=stale.pk).paper_key == "arxiv.org/abs/1706.03762"
    assert "'arxiv.org/abs/1706.03762' -> 'arxiv:1706.03762'" in out.getvalue()
    assert "1 would change" in out.getvalue()
