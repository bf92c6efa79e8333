"""Declared hooks: how a lower app lets a higher one react without importing it.

A hook is a plain list of receivers that the higher app appends to in its ``AppConfig.ready()``
(``comments/hooks.py``, ``roundups/hooks.py``). ``fire`` calls them once the current transaction
commits, so a write that rolls back tells nobody; a receiver that raises is logged
(``robust=True``) and never fails the writer's request.
"""

from collections.abc import Callable
from functools import partial

from django.db import transaction


def fire(receivers: list[Callable], **kwargs) -> None:
    """Call every receiver with ``kwargs`` on commit (at once outside a transaction)."""
    for receiver in receivers:
        transaction.on_commit(partial(receiver, **kwargs), robust=True)
