"""Readers at once on PostgreSQL: the same paper suggested from several threads at the same time
opens one suggestion (the rest merged into it), and +1s at once are each counted once."""

import threading

from django.db import connections

from papers.models import PaperSuggestion, SuggestionSupport
from papers.services import suggestion_create, suggestion_support
from tests import factories
from tests.support.databases import postgres_race_marks

pytestmark = postgres_race_marks()

READERS = 6


def at_once(calls) -> list[BaseException]:
    """Run each call in its own thread and connection, released together; what they raised."""
    barrier = threading.Barrier(len(calls))
    errors = []

    def run(call):
        try:
            barrier.wait()
            call()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_the_same_paper_suggested_at_once_opens_one_suggestion():
    roundups = [factories.make_roundup() for _ in range(2)]
    readers = [factories.make_user(f"racer{n}") for n in range(READERS)]
    calls = [
        lambda reader=reader, n=n: suggestion_create(
            roundup=roundups[n % 2],
            author=reader,
            title="Attention",
            url="https://arxiv.org/abs/1706.03762" + ("v2" if n % 3 else ""),
            blurb="Read it.",
        )  # fmt: skip
        for n, reader in enumerate(readers)
    ]
    assert at_once(calls) == []
    rows = PaperSuggestion.objects.all()
    assert rows.count() == READERS  # every reader's suggestion (and comment) is kept
    opened = rows.get(status="open")
    assert rows.filter(status="merged", merged_into=opened).count() == READERS - 1
    assert opened.supporter_count == READERS
    assert SuggestionSupport.objects.filter(suggestion=opened).count() == READERS - 1


def test_plus_ones_at_once_are_each_counted_once():
    suggestion = suggestion_create(
        roundup=factories.make_roundup(), author=factories.make_user("first"), title="Adam",
        url="https://arxiv.org/abs/1412.6980", blurb="Read it.",
    )  # fmt: skip
    readers = [factories.make_user(f"fan{n}") for n in range(READERS)]
    calls = [
        lambda reader=reader: suggestion_support(suggestion=suggestion, user=reader)
        for reader in readers
    ]
    assert at_once(calls) == []
    suggestion.refresh_from_db()
    assert suggestion.supporter_count == READERS + 1
    assert SuggestionSupport.objects.filter(suggestion=suggestion).count() == READERS
