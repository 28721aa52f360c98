"""Event time on a computed column of a table made from a DataStream, as PyFlink's table
windowing examples declare it: ``Schema.new_builder()...column_by_expression('ts',
'TO_TIMESTAMP_LTZ(ts_ms, 3)').watermark('ts', "ts - INTERVAL '5' SECOND")`` in
``from_data_stream`` and ``create_temporary_view``. The expected rows come from a plain Python
fold over the input by Flink's documented rule: the watermark when a row arrives is the largest
event time before it minus the delay; a row whose window (end - 1 ms) the watermark has reached
is late, dropped in streaming mode and counted in batch mode."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from weir import UnsupportedError
from weir.common import Row, Types
from weir.datastream import RuntimeExecutionMode, StreamExecutionEnvironment
from weir.table import DataTypes, Schema, StreamTableEnvironment
from weir.table.expressions import col, current_watermark, lit
from weir.table.window import Tumble

BASE = 1_700_000_000_000  # a multiple of the 10 s window
DELAY = 5_000
SIZE = 10_000
# (key, event time offset in ms) in arrival order; the 6th and 9th arrive after their window fired;
# the last sits exactly on the watermark (27 s - 5 s), which makes it late for CURRENT_WATERMARK.
EVENTS = [
    ("a", 1_000), ("b", 3_000), ("a", 12_000), ("a", 8_000), ("b", 16_000), ("a", 2_000), ("b", 21_000), ("a", 26_000), ("b", 14_000), ("a", 27_000),
    ("b", 22_000),
]


def expected(streaming: bool) -> Counter:
    """(key, window start offset) -> rows counted."""
    counts: Counter = Counter()
    max_seen = None
    for key, ms in EVENTS:
        start = ms - ms % SIZE
        late = streaming and max_seen is not None and start + SIZE - 1 <= max_seen - DELAY
        if not late:
            counts[(key, start)] += 1
        max_seen = ms if max_seen is None else max(max_seen, ms)
    return counts


def schema(watermark: str = "ts - INTERVAL '5' SECOND") -> Schema:
    return (
        Schema.new_builder()
        .column("k", DataTypes.STRING())
        .column("ts_ms", DataTypes.BIGINT())
        .column_by_expression("ts", "TO_TIMESTAMP_LTZ(ts_ms, 3)")
        .watermark("ts", watermark)
        .build()
    )


def environments(streaming: bool) -> tuple[StreamExecutionEnvironment, StreamTableEnvironment]:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(1)  # rows arrive in the order above
    env.set_runtime_mode(RuntimeExecutionMode.STREAMING if streaming else RuntimeExecutionMode.BATCH)
    return env, StreamTableEnvironment.create(env)


def stream(env: StreamExecutionEnvironment):
    rows = [(k, BASE + ms) for k, ms in EVENTS]
    return env.from_collection(rows, type_info=Types.TUPLE([Types.STRING(), Types.LONG()]))


def epoch_ms(value: datetime) -> int:
    """A TIMESTAMP_LTZ value (read in the UTC session zone) as epoch milliseconds."""
    return round(value.replace(tzinfo=value.tzinfo or UTC).timestamp() * 1000)


def counted(rows: list[Row]) -> Counter:
    out: Counter = Counter()
    for r in rows:
        start = int(r.ws.timestamp() * 1000) if hasattr(r.ws, "timestamp") else r.ws
        out[(r.k, start - BASE)] += r.n
    return out


@pytest.mark.parametrize("streaming", [True, False])
def test_table_api_tumble_over_a_computed_event_time(streaming: bool) -> None:
    env, t_env = environments(streaming)
    table = t_env.from_data_stream(stream(env), schema())
    assert table.get_schema().get_field_names() == ["k", "ts_ms", "ts"]
    result = (
        table.window(Tumble.over(lit(10).seconds).on(col("ts")).alias("w"))
        .group_by(col("k"), col("w"))
        .select(col("k"), col("w").start.alias("ws"), col("ts_ms").count.alias("n"))
    )
    assert counted(list(result.execute().collect())) == expected(streaming)


@pytest.mark.parametrize("streaming", [True, False])
def test_sql_tumble_over_a_view_with_a_computed_event_time(streaming: bool) -> None:
    env, t_env = environments(streaming)
    t_env.create_temporary_view("ev", stream(env), schema())
    rows = t_env.execute_sql(
        "SELECT k, window_start AS ws, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, k"
    ).collect()
    assert counted(list(rows)) == expected(streaming)


@pytest.mark.parametrize("streaming", [True, False])
def test_table_api_current_watermark_keeps_the_rows_that_are_not_late(streaming: bool) -> None:
    # Flink's watermark when a row arrives is the largest event time before it minus the delay
    # (NULL before the first row, and always in batch mode); a row at or behind it is late.
    env, t_env = environments(streaming)
    table = t_env.from_data_stream(stream(env), schema())
    wm = current_watermark(col("ts"))
    kept = table.where(wm.is_null | (col("ts") > wm)).select(col("k"), col("ts_ms"))
    late = table.where(col("ts") <= wm).select(col("ts_ms"), wm.alias("wm"))
    on_time, behind, max_seen = [], [], None
    for key, ms in EVENTS:
        watermark = None if max_seen is None or not streaming else max_seen - DELAY
        if watermark is not None and ms <= watermark:
            # The schema's watermark is Flink SQL's (largest - delay), not DataStream's bounded
            # out-of-orderness (one ms less): PyFlink 2.x gives the row on it that watermark.
            behind.append((BASE + ms, BASE + watermark))
        else:
            on_time.append((key, BASE + ms))
        max_seen = ms if max_seen is None else max(max_seen, ms)
    assert sorted((r.k, r.ts_ms) for r in kept.execute().collect()) == sorted(on_time)
    got = sorted((r.ts_ms, epoch_ms(r.wm)) for r in late.execute().collect())
    assert got == sorted(behind)
    assert streaming == bool(behind), "the input has late rows in streaming mode only"


def test_current_watermark_needs_the_rowtime_attribute() -> None:
    env, t_env = environments(True)
    table = t_env.from_data_stream(stream(env), schema())
    with pytest.raises(Exception, match="CURRENT_WATERMARK needs a rowtime attribute"):
        table.select(current_watermark(col("ts_ms"))).execute()


def test_an_unsupported_watermark_expression_is_named() -> None:
    env, t_env = environments(True)
    with pytest.raises(UnsupportedError, match=r"WATERMARK FOR ts AS ts \+ INTERVAL '1' SECOND"):
        t_env.from_data_stream(stream(env), schema("ts + INTERVAL '1' SECOND"))
