"""A Table API job with Python aggregate functions and checkpoints, run as its own process by
``test_checkpoint_recovery.py``: ``python udaf_job.py OUT CHECKPOINTS RESTORE`` (RESTORE: a
checkpoint directory, or ``-`` to start afresh).

A rate-limited datagen sequence of ids 1..ROWS is counted per key (``MOD(id * 7919, KEYS)``),
and the counts are grouped again: each new row of a key moves the key from one count's group to
the next, so the outer GROUP BY sees a retraction and an insertion per row. The outer GROUP BY
mixes Python aggregates (``KeySpread``: the keys' least and greatest, from a dict of key counts
that ``retract`` decrements; ``KeySum``: their sum, a plain int accumulator) with built-in ones
(``COUNT(*)``, ``MAX``), and its changelog goes to a ``debezium-json`` filesystem sink (committed
with the checkpoints), checkpoints every 200 ms on two workers."""

from __future__ import annotations

import sys
from typing import Any

from weir.table import AggregateFunction, DataTypes, EnvironmentSettings, TableEnvironment, udaf

ROWS = 12_000
KEYS = 37 * 11
RATE = 3_000


class KeySpread(AggregateFunction):
    """``least..greatest`` of the keys in the group, kept as a dict of key counts."""

    def create_accumulator(self) -> dict[int, int]:
        return {}

    def accumulate(self, acc: dict[int, int], k: int) -> None:
        acc[k] = acc.get(k, 0) + 1

    def retract(self, acc: dict[int, int], k: int) -> None:
        acc[k] -= 1
        if acc[k] == 0:
            del acc[k]

    def get_value(self, acc: dict[int, int]) -> str | None:
        return f"{min(acc)}..{max(acc)}" if acc else None


class KeySum(AggregateFunction):
    """The sum of the keys, in a one-element list."""

    def create_accumulator(self) -> list[int]:
        return [0]

    def accumulate(self, acc: list[int], k: int) -> None:
        acc[0] += k

    def retract(self, acc: list[int], k: int) -> None:
        acc[0] -= k

    def get_value(self, acc: list[int]) -> int:
        return acc[0]


def environment(checkpoints: str, restore: str) -> TableEnvironment:
    """A streaming environment on two workers with ``key_spread`` and ``key_sum`` registered,
    checkpointing every 200 ms into ``checkpoints`` and restoring from ``restore`` (``-``:
    neither)."""
    env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    config = env.get_config()
    config.set("parallelism.default", "2")
    if checkpoints != "-":
        config.set("execution.checkpointing.interval", "200 ms")
        config.set("execution.checkpointing.dir", checkpoints)
    if restore != "-":
        config.set("execution.state-recovery.path", restore)
    env.create_temporary_function("key_spread", udaf(KeySpread(), result_type=DataTypes.STRING()))
    env.create_temporary_function("key_sum", udaf(KeySum(), result_type=DataTypes.BIGINT()))
    return env


def main(out: str, checkpoints: str, restore: str) -> None:
    env = environment(checkpoints, restore)
    env.execute_sql(
        f"CREATE TABLE events (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '{RATE}', 'number-of-rows' = '{ROWS}', "
        f"'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '{ROWS}')"
    )
    env.execute_sql(
        f"CREATE TABLE results (c BIGINT, n BIGINT, spread STRING, total BIGINT, hi BIGINT) "
        f"WITH ('connector' = 'filesystem', 'path' = '{out}', 'format' = 'debezium-json')"
    )
    env.execute_sql(
        "INSERT INTO results SELECT c, COUNT(*), key_spread(k), key_sum(k), MAX(k) "
        f"FROM (SELECT MOD(id * 7919, {KEYS}) AS k, COUNT(*) AS c FROM events GROUP BY MOD(id * 7919, {KEYS})) GROUP BY c"
    ).wait()


def expected() -> dict[tuple[Any, ...], int]:
    """The job's final table by a plain fold over ids 1..ROWS: (c, n, spread, total, hi)."""
    per_key: dict[int, int] = {}
    for i in range(1, ROWS + 1):
        per_key[(i * 7919) % KEYS] = per_key.get((i * 7919) % KEYS, 0) + 1
    by_count: dict[int, list[int]] = {}
    for k, c in per_key.items():
        by_count.setdefault(c, []).append(k)
    return {(c, len(ks), f"{min(ks)}..{max(ks)}", sum(ks), max(ks)): 1 for c, ks in by_count.items()}


if __name__ == "__main__":
    main(*sys.argv[1:4])
