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
from functools import partial, update_wrapper

from django.db import transaction

logger = logging.getLogger(__name__)


def fire(receivers: list[Callable], **kwargs) -> None:
    """Call every receiver with ``kwargs`` now, each in a savepoint of the caller's transaction."""
    for receiver in receivers:
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
