"""Over windows (``Over.partition_by(..).order_by(..).preceding(..).alias('w')`` with
``agg.over(col('w'))``) and session group windows (``Session.with_gap(..)``) of the Table API,
as PyFlink's table windowing examples use them. Expected rows come from a plain Python fold by
Flink's documented rules: an over frame of ``row_interval(n)`` is the row and the n rows of its
partition before it in time order; a session closes after ``gap`` without rows of its key."""

from __future__ import annotations

import datetime

import pytest

from weir import PlanError
from weir.common import Row
from weir.table import DataTypes, EnvironmentSettings, TableEnvironment
from weir.table.expressions import CURRENT_RANGE, CURRENT_ROW, UNBOUNDED_RANGE, UNBOUNDED_ROW, col, lit, row_interval
from weir.table.window import Over, Session

SECONDS = [(1, "Alice", 110), (4, "Bob", 30), (3, "Alice", 20), (2, "Bob", 53), (5, "Alice", 13), (3.5, "Bob", 3), (7, "Bob", 16), (10, "Alice", 20)]


def ts(seconds: float) -> datetime.datetime:
    return datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=seconds)


@pytest.fixture
def table():
    env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    fields = [DataTypes.FIELD("ts", DataTypes.TIMESTAMP(3)), DataTypes.FIELD("name", DataTypes.STRING()), DataTypes.FIELD("price", DataTypes.BIGINT())]
    schema = DataTypes.ROW(fields)
    return env.from_elements([(ts(s), n, p) for s, n, p in SECONDS], schema)


def over_fold(frame: int | None) -> list[tuple[str, datetime.datetime, int, int]]:
    """(name, ts, max over the frame, count over the frame) per row; ``frame``: rows before."""
    out = []
    for name in {n for _, n, _ in SECONDS}:
        rows = sorted((s, p) for s, n, p in SECONDS if n == name)
        for i, (s, _) in enumerate(rows):
            window = rows[max(0, i - frame) if frame is not None else 0 : i + 1]
            out.append((name, ts(s), max(p for _, p in window), len(window)))
    return sorted(out)


@pytest.mark.parametrize(("preceding", "frame"), [(row_interval(2), 2), (UNBOUNDED_ROW, None), (None, None), (UNBOUNDED_RANGE, None)])
def test_over_window_rows(table, preceding, frame) -> None:  # type: ignore[no-untyped-def]
    w = Over.partition_by(col("name")).order_by(col("ts"))
    if preceding is not None:
        w = w.preceding(preceding)
    if preceding is not None and preceding is not UNBOUNDED_RANGE:
        w = w.following(CURRENT_ROW)
    over = w.alias("w")
    got = table.over_window(over).select(col("name"), col("ts"), col("price").max.over(col("w")).alias("m"), col("price").count.over(col("w")).alias("c"))
    rows = sorted((r.name, r.ts, r.m, r.c) for r in got.execute().collect())
    assert rows == over_fold(frame)


def test_over_window_range_interval(table) -> None:  # type: ignore[no-untyped-def]
    w = Over.partition_by(col("name")).order_by(col("ts")).preceding(lit(2).seconds).alias("w")
    got = sorted((r[0], r[1], r[2]) for r in table.over_window(w).select(col("name"), col("ts"), col("price").sum.over(col("w"))).execute().collect())
    expected = sorted((n, ts(s), sum(p2 for s2, n2, p2 in SECONDS if n2 == n and s - 2 <= s2 <= s)) for s, n, _ in SECONDS)
    assert got == expected


def test_over_window_errors_name_the_window(table) -> None:  # type: ignore[no-untyped-def]
    w = Over.partition_by(col("name")).order_by(col("ts"))
    with pytest.raises(PlanError, match="over window 'x' is not defined"):
        table.over_window(w.alias("w")).select(col("price").max.over(col("x")))
    with pytest.raises(PlanError, match="following must be CURRENT_ROW or CURRENT_RANGE"):
        table.over_window(w.preceding(row_interval(1)).following(UNBOUNDED_ROW).alias("w")).select(col("price").max.over(col("w")))
    with pytest.raises(PlanError, match="rows frame ends at CURRENT_ROW"):
        table.over_window(w.preceding(row_interval(1)).following(CURRENT_RANGE).alias("w")).select(col("price").max.over(col("w")))


def session_fold(gap: float) -> list[tuple[str, datetime.datetime, datetime.datetime, int]]:
    out = []
    for name in {n for _, n, _ in SECONDS}:
        rows = sorted((s, p) for s, n, p in SECONDS if n == name)
        start, end, total = rows[0][0], rows[0][0] + gap, rows[0][1]
        for s, p in rows[1:]:
            if s <= end:  # Flink merges sessions that touch
                end, total = max(end, s + gap), total + p
            else:
                out.append((name, ts(start), ts(end), total))
                start, end, total = s, s + gap, p
        out.append((name, ts(start), ts(end), total))
    return sorted(out)


@pytest.mark.parametrize("gap", [2, 3, 5])
def test_session_group_window(table, gap: int) -> None:  # type: ignore[no-untyped-def]
    got = (
        table.window(Session.with_gap(lit(gap).seconds).on(col("ts")).alias("w"))
        .group_by(col("name"), col("w"))
        .select(col("name"), col("w").start.alias("s"), col("w").end.alias("e"), col("price").sum.alias("total"))
    )
    assert sorted((r.name, r.s, r.e, r.total) for r in got.execute().collect()) == session_fold(gap)


def test_session_window_groups_by_columns_only(table) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PlanError, match="session window takes columns"):
        table.window(Session.with_gap(lit(5).seconds).on(col("ts")).alias("w")).group_by(col("w"), col("price") + 1)


def test_rows_are_rows(table) -> None:  # type: ignore[no-untyped-def]
    w = Over.order_by(col("ts")).preceding(UNBOUNDED_ROW).following(CURRENT_ROW).alias("w")
    got = table.over_window(w).select(col("ts"), col("price").sum.over(col("w")).alias("running"))
    rows = sorted(got.execute().collect(), key=lambda r: r.ts)
    running, expected = 0, []
    for s, _, p in sorted(SECONDS):
        running += p
        expected.append(Row(ts=ts(s), running=running))
    assert rows == expected
