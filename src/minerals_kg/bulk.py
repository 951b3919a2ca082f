"""Building many plain objects at once: the cyclic garbage collector paused meanwhile.

Python's cyclic collector runs a full pass over every live container object each time the number of
survivors has grown by a quarter. Reading a million source rows creates tens of millions of them
(records, dicts, tuples) and no reference cycle, so those passes find nothing and cost more the
more has been read: on 1,000,000 synthetic facts they were 40 % of the time spent reading
(``bench/bench_embedded_scale.py``). Reference counting still frees everything that is dropped; a
cycle made meanwhile is collected after the block, at the next ordinary pass.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block (left as it was found: paused stays paused).

    >>> with collector_paused():
    ...     gc.isenabled()
    False
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
