"""Python's cyclic garbage collector paced for bulk work: converting a million input rows (or
running a job, see the extension's ``run.rs``) allocates millions of short-lived objects, and
a collection every 700 allocations — each one stopping every thread — costs more than the
conversion itself. Reference counting still frees the objects at once; only cycles wait."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

#: Allocations between two generation-0 collections during bulk work (Python's default: 700).
BULK_GEN0_THRESHOLD = 100_000


@contextmanager
def paced() -> Iterator[None]:
    """Collects less often inside the block; the thresholds are restored after it. Leaves
    automatic collection off if the program turned it off."""
    previous = gc.get_threshold()
    if previous[0] > 0:
        gc.set_threshold(max(previous[0], BULK_GEN0_THRESHOLD), previous[1], previous[2])
    try:
        yield
    finally:
        gc.set_threshold(*previous)
