"""Pause Python's cyclic garbage collector while a big, cycle-free structure is built.

Reading and rendering a 1,000-comment thread allocates about 150,000 objects: the rows, their
tree nodes, the markup. Every 700 allocations CPython runs a collection, and each one walks the
objects that are still alive, which here are exactly the rows and nodes being built (what pausing
saves is measured in bench/findings.md). These structures hold no reference cycles (a node
points at its children, never back), so reference counting frees all of them without the
collector, and pausing it loses nothing.

The collector is process-wide and a threaded server may build two threads at once: a counter
keeps it off while any pause is open and turns it back on when the last one closes, and never
turns on a collector that was already off when the first pause began.
"""

import gc
import threading
from contextlib import contextmanager

_lock = threading.Lock()
_open = 0
_resume = False  # whether the collector was on when the first open pause began


@contextmanager
def paused_gc():
    global _open, _resume
    with _lock:
        if _open == 0:
            _resume = gc.isenabled()
            gc.disable()
        _open += 1
    try:
        yield
    finally:
        with _lock:
            _open -= 1
            if _open == 0 and _resume:
                gc.enable()
