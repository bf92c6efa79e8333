"""Declared hooks: how a lower app lets a higher one react without importing it.

A hook is a plain list of receivers that the higher app appends to in its ``AppConfig.ready()``
(``comments/hooks.py``, ``roundups/hooks.py``). ``fire`` calls them at once, inside the writer's
transaction, so what they write (notification rows) commits or rolls back with the write itself:
a write that rolls back tells nobody, and a reply costs one commit, not two (a second
transaction after the commit doubled a reply's time on SQLite: bench/findings.md). Each receiver
runs in its own savepoint; one that raises is rolled back to it and logged, and never fails the
writer's request. Work that must wait for the commit (a task to enqueue, a mail to send) is
handed to ``call_on_commit`` by the receiver.

A receiver marked ``@part_of_the_write`` runs with no savepoint of its own: what it writes is
the write's own record (a reply's notification task), so it commits with the write or the write
fails with it, rather than the write going on with its record silently lost. It saves the
savepoint's two statements (two round trips on PostgreSQL) in every write: keep such a receiver
to a statement or two that fail only when the database does.
"""

import logging
from collections.abc import Callable
from functools import partial, update_wrapper

from django.db import transaction

logger = logging.getLogger(__name__)


def part_of_the_write(receiver: Callable) -> Callable:
    """Mark ``receiver`` as part of the write that fires it: no savepoint; its failure is the
    write's (see the module's docstring)."""
    receiver.part_of_the_write = True
    return receiver


def fire(receivers: list[Callable], **kwargs) -> None:
    """Call every receiver with ``kwargs`` now, each in a savepoint of the caller's transaction
    (but those ``part_of_the_write``, whose failure fails the write)."""
    for receiver in receivers:
        if getattr(receiver, "part_of_the_write", False):
            receiver(**kwargs)
            continue
        try:
            with transaction.atomic():
                receiver(**kwargs)
        except Exception:  # a receiver's failure is its own; the write goes on
            logger.exception("hook receiver %s failed", getattr(receiver, "__qualname__", receiver))


def call_on_commit(func: Callable, **kwargs) -> None:
    """``func(**kwargs)`` after the commit; if it raises, the error is logged, not raised.

    The call keeps ``func``'s name: Django's robust on_commit logs a failure with the callback's
    ``__qualname__``, which a bare ``partial`` lacks (the logging itself would then raise).
    """
    transaction.on_commit(update_wrapper(partial(func, **kwargs), func), robust=True)
