"""FIRST_VALUE, LAST_VALUE, LISTAGG, ARRAY_AGG and COLLECT over an updating input in streaming
mode, checked against a plain Python fold of Flink's retractable aggregates
(`FirstValueWithRetractAggFunction`, `ListAggWithRetractAggFunction`, ...): values keep their
arrival order, and a retraction removes the earliest occurrence of its value.

The input is a per-user click count, which retracts each user's old count as the next click
arrives (-U old, then +U new, as Flink emits them). The clicks are a second apart, each in its
own event-time tick, so the changes reach the outer aggregate one click at a time, in file
order, as in Flink. (Within one tick the per-user aggregate emits one change per user, in key
order: see docs/functions.md.)"""

from __future__ import annotations

import random
from pathlib import Path

from conftest import final_rows, json_changes, run_weir

TABLES = """
CREATE TABLE clicks (
  user_name STRING,
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts
) WITH ('connector' = 'filesystem', 'path' = 'clicks.csv', 'format' = 'csv');

CREATE TEMPORARY VIEW counts AS SELECT user_name, COUNT(*) AS cnt FROM clicks GROUP BY user_name;
"""

OVERALL = """
SELECT FIRST_VALUE(cnt) AS first_cnt, LAST_VALUE(cnt) AS last_cnt, LISTAGG(CAST(cnt AS STRING)) AS cnts,
  ARRAY_AGG(user_name) AS users, FIRST_VALUE(user_name) AS first_user, LAST_VALUE(user_name) AS last_user, COLLECT(cnt) AS bag
FROM counts;
"""

PER_COUNT = """
SELECT cnt, LISTAGG(user_name, '|') AS users, ARRAY_AGG(user_name) AS listed, FIRST_VALUE(user_name) AS first_user,
  LAST_VALUE(user_name) AS last_user
FROM counts GROUP BY cnt;
"""


def clicks(n: int, seed: int) -> list[str]:
    r = random.Random(seed)
    return [r.choice(["ann", "bob", "cid", "dee", "eve"]) for _ in range(n)]


def changes_of_counts(users: list[str]) -> list[tuple[int, tuple[str, int]]]:
    """The per-user count's changelog, one click at a time: (+1/-1, (user, count))."""
    counts: dict[str, int] = {}
    out = []
    for u in users:
        if u in counts:
            out.append((-1, (u, counts[u])))
        counts[u] = counts.get(u, 0) + 1
        out.append((1, (u, counts[u])))
    return out


def fold(values: list[object], diff: int, value: object) -> None:
    """Flink's retractable list state: append, or remove the earliest occurrence."""
    if diff > 0:
        values.append(value)
    else:
        values.remove(value)


def expected_rows(users: list[str]) -> tuple[list[list[object]], list[list[object]]]:
    """The final rows of OVERALL and of PER_COUNT."""
    # Each aggregate keeps its own values: the counts' list and the users' list differ in
    # which occurrence a retraction removes.
    cnts: list[int] = []
    names: list[str] = []
    by_count: dict[int, list[str]] = {}
    for diff, (user, count) in changes_of_counts(users):
        fold(cnts, diff, count)
        fold(names, diff, user)
        fold(by_count.setdefault(count, []), diff, user)
    bag = {str(c): cnts.count(c) for c in sorted(set(cnts))}
    overall: list[list[object]] = [[cnts[0], cnts[-1], ",".join(map(str, cnts)), names, names[0], names[-1], bag]]
    per_count: list[list[object]] = [[count, "|".join(g), g, g[0], g[-1]] for count, g in by_count.items() if g]
    return overall, per_count


def run_query(weir: Path, case: Path, query: str) -> list[list[object]]:
    (case / "query.sql").write_text(TABLES + query)
    proc = run_weir(weir, "run", "query.sql", "--mode", "streaming", "--workers", "1", "--output", "json", cwd=case)
    assert proc.returncode == 0, proc.stderr
    return final_rows(json_changes(proc.stdout))


def test_list_aggregates_retract_as_flinks(weir: Path, tmp_path: Path) -> None:
    for seed in (1, 2, 3):
        users = clicks(40, seed)
        # A second apart: rows within one tick (200 ms) would share a time.
        lines = [f"{u},2024-01-01 00:{i // 60:02d}:{i % 60:02d}" for i, u in enumerate(users)]
        (tmp_path / "clicks.csv").write_text("\n".join(lines) + "\n")
        overall, per_count = expected_rows(users)
        assert run_query(weir, tmp_path, OVERALL) == overall, f"seed {seed}"
        assert sorted(run_query(weir, tmp_path, PER_COUNT), key=str) == sorted(per_count, key=str), f"seed {seed}"
