"""Declared hooks: how a lower app lets a higher one react without importing it.

A hook is a plain list of receivers that the higher app appends to in its ``AppConfig.ready()``
(``comments/hooks.py``, ``roundups/hooks.py``). ``fire`` calls them once the current transaction
commits, so a write that rolls back tells nobody; a receiver that raises is logged
(``robust=True``) and never fails the writer's request.
"""

from collections.abc import Callable
from functools import partial, update_wrapper

from django.db import transaction


def fire(receivers: list[Callable], **kwargs) -> None:
    """Call every receiver with ``kwargs`` on commit (at once outside a transaction)."""
    for receiver in receivers:
        call_on_commit(receiver, **kwargs)


def call_on_commit(func: Callable, **kwargs) -> None:
    """``func(**kwargs)`` after the commit; if it raises, the error is logged, not raised.

    The call keeps ``func``'s name: Django's robust on_commit logs a failure with the callback's
    ``__qualname__``, which a bare ``partial`` lacks (the logging itself would then raise).
    """
    transaction.on_commit(update_wrapper(partial(func, **kwargs), func), robust=True)
