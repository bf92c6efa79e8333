"""Declared hooks: how a lower app lets a higher one react without importing it.

A hook is a plain list of receivers that the higher app appends to in its ``AppConfig.ready()``
(``comments/hooks.py``, ``roundups/hooks.py``). ``fire`` calls them at once, inside the writer's
transaction, so what they write (notification rows) commits or rolls back with the write itself:
a write that rolls back tells nobody, and a reply costs one commit, not two (a second
transaction after the commit doubled a reply's time on SQLite: bench/findings.md). Each receiver
runs in its own savepoint; one that raises is rolled back to it and logged, and never fails the
writer's request. Work that must wait for the commit (a task to enqueue, a mail to send) is
handed to ``call_on_commit`` by the receiver.
"""

import logging
from collections.abc import Callable
from contextlib import contextmanager
from functools import partial, update_wrapper

from django.db import Error, transaction

logger = logging.getLogger(__name__)


def fire(receivers: list[Callable], **kwargs) -> None:
    """Call every receiver with ``kwargs`` now, each in a savepoint of the caller's transaction."""
    for receiver in receivers:
        try:
            with _savepoint():
                receiver(**kwargs)
        except Exception:  # a receiver's failure is its own; the write goes on
            logger.exception("hook receiver %s failed", getattr(receiver, "__qualname__", receiver))


@contextmanager
def _savepoint():
    """``transaction.atomic()`` for a receiver, less the ``RELEASE`` when it succeeds.

    The commit releases the savepoint anyway, and the RELEASE was one more statement (on
    PostgreSQL one more round trip) in every reply (bench/findings.md, round 6). The rest is
    atomic()'s own bookkeeping, so a receiver that fails (a database error included, or a
    ``save()`` that marked the transaction for rollback) is rolled back to its savepoint with
    the on-commit work it registered, and the writer's transaction goes on
    (tests/forum/test_hooks.py holds it to that).
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:  # autocommit: each statement stands alone
        yield
        return
    sid = connection.savepoint()
    connection.savepoint_ids.append(sid)  # what on_commit() ties its callbacks to
    try:
        yield
    except BaseException:
        _roll_back_to(connection, sid)
        raise
    else:
        if connection.needs_rollback:  # an error inside was caught there; undo to here
            _roll_back_to(connection, sid)
    finally:
        connection.savepoint_ids.pop()


def _roll_back_to(connection, sid) -> None:
    connection.needs_rollback = False  # as atomic(): the savepoint is what undoes the damage
    try:
        connection.savepoint_rollback(sid)
    except Error:  # the connection itself is gone: the writer's transaction cannot go on
        connection.needs_rollback = True
        raise


def call_on_commit(func: Callable, **kwargs) -> None:
    """``func(**kwargs)`` after the commit; if it raises, the error is logged, not raised.

    The call keeps ``func``'s name: Django's robust on_commit logs a failure with the callback's
    ``__qualname__``, which a bare ``partial`` lacks (the logging itself would then raise).
    """
    transaction.on_commit(update_wrapper(partial(func, **kwargs), func), robust=True)
