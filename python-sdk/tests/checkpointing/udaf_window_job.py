"""A Table API window aggregate with Python aggregate functions and checkpoints, run as its own
process by ``test_checkpoint_recovery.py``: ``python udaf_window_job.py OUT CHECKPOINTS RESTORE
KIND`` (CHECKPOINTS: a directory, or ``-`` for none; RESTORE: a checkpoint directory, or ``-``
to start afresh; KIND: ``tumble``, ``hop`` or ``session``).

A rate-limited datagen sequence of ids 1..ROWS, each at event time ``id * 10`` ms plus 3 s
after every BLOCK ids (see ``event_time``), with a watermark 1 s behind, is aggregated per key
(``MOD(id, KEYS)``) over TUMBLE windows of 5 s, HOP windows of 5 s every 2 s, or SESSION
windows with a gap of 2 s (one per key and block of ids), mixing the Python aggregates of ``udaf_job`` (``KeySpread``,
``KeySum``, in its ``environment``) with built-in ones (``COUNT(*)``, ``MAX``). Its rows go to a ``debezium-json``
filesystem sink, committed with the checkpoints (every 200 ms, on two workers)."""

from __future__ import annotations

import sys
from collections import Counter
from typing import Any

from udaf_job import environment

ROWS = 12_000
KEYS = 7
RATE = 3_000
BLOCK = 500
SIZE_MS = 5_000
WINDOWS = {
    "tumble": ("TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '5' SECOND)", SIZE_MS),
    "hop": ("HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '2' SECOND, INTERVAL '5' SECOND)", 2_000),
    "session": ("SESSION(TABLE events PARTITION BY k, DESCRIPTOR(ts), INTERVAL '2' SECOND)", 0),
}


def event_time(i: int) -> int:
    """The event time of id ``i``, in ms (the source's computed column ``ts``)."""
    return i * 10 + i // BLOCK * 3_000


def main(out: str, checkpoints: str, restore: str, kind: str) -> None:
    env = environment(checkpoints, restore)
    env.get_config().set("table.local-time-zone", "UTC")
    env.execute_sql(
        f"CREATE TABLE events (id BIGINT, k AS MOD(id, {KEYS}), ts AS TO_TIMESTAMP_LTZ(id * 10 + id / {BLOCK} * 3000, 3), "
        "WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) "
        f"WITH ('connector' = 'datagen', 'rows-per-second' = '{RATE}', 'number-of-rows' = '{ROWS}', "
        f"'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '{ROWS}')"
    )
    env.execute_sql(
        "CREATE TABLE results (k BIGINT, window_start TIMESTAMP(3), window_end TIMESTAMP(3), n BIGINT, spread STRING, total BIGINT, hi BIGINT) "
        f"WITH ('connector' = 'filesystem', 'path' = '{out}', 'format' = 'debezium-json')"
    )
    env.execute_sql(
        "INSERT INTO results SELECT k, window_start, window_end, COUNT(*), key_spread(id), key_sum(id), MAX(id) "
        f"FROM TABLE({WINDOWS[kind][0]}) GROUP BY k, window_start, window_end"
    ).wait()


def expected(kind: str) -> Counter[tuple[Any, ...]]:
    """The job's rows by a plain fold over ids 1..ROWS, without the window bounds:
    (k, n, spread, total, hi) per key and window."""
    slide = WINDOWS[kind][1]
    windows: dict[tuple[int, int], list[int]] = {}
    for i in range(1, ROWS + 1):
        if kind == "session":
            windows.setdefault((i % KEYS, i // BLOCK), []).append(i)
            continue
        ts = event_time(i)
        start = ts // slide * slide
        while start > ts - SIZE_MS:
            windows.setdefault((i % KEYS, start), []).append(i)
            start -= slide
    return Counter((k, len(ids), f"{min(ids)}..{max(ids)}", sum(ids), max(ids)) for (k, _), ids in windows.items())


if __name__ == "__main__":
    main(*sys.argv[1:5])
