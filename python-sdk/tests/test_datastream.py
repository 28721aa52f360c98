"""The DataStream API: Python records through the engine."""

from __future__ import annotations

import pytest

from weir.common import Row, Types
from weir.common.watermark_strategy import WatermarkStrategy
from weir.datastream import MapFunction, RuntimeExecutionMode, StreamExecutionEnvironment
from weir.datastream.state import ValueStateDescriptor


def _env(batch: bool = True, workers: int = 1) -> StreamExecutionEnvironment:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(workers)
    env.set_runtime_mode(RuntimeExecutionMode.BATCH if batch else RuntimeExecutionMode.STREAMING)
    return env


class Double(MapFunction):
    def map(self, value: int) -> int:
        return value * 2


def test_map_filter_flat_map_keep_order() -> None:
    env = _env()
    ds = env.from_collection([1, 2, 3, 4], type_info=Types.INT())
    out = ds.map(Double()).filter(lambda x: x != 4).flat_map(lambda x: [x, x + 1])
    assert list(out.execute_and_collect()) == [2, 3, 6, 7, 8, 9]


def test_word_count_batch() -> None:
    env = _env()
    lines = env.from_collection(["to be or not to be", "to do"])
    counts = lines.flat_map(lambda line: [(w, 1) for w in line.split()]).key_by(lambda t: t[0]).reduce(lambda a, b: (a[0], a[1] + b[1]))
    assert sorted(counts.execute_and_collect()) == [("be", 2), ("do", 1), ("not", 1), ("or", 1), ("to", 3)]


def test_rolling_sum_streaming() -> None:
    env = _env(batch=False)
    ds = env.from_collection([("a", 1), ("b", 5), ("a", 2), ("a", 3)])
    assert list(ds.key_by(lambda t: t[0]).sum(1).execute_and_collect()) == [("a", 1), ("b", 5), ("a", 3), ("a", 6)]


def test_min_max_by_field_on_rows() -> None:
    env = _env()
    ds = env.from_collection([Row(k="x", v=3), Row(k="x", v=1), Row(k="y", v=7)])
    assert sorted(r.v for r in ds.key_by(lambda r: r.k).min("v").execute_and_collect()) == [1, 7]
    assert sorted(r.v for r in ds.key_by(lambda r: r.k).max("v").execute_and_collect()) == [3, 7]


def test_union() -> None:
    env = _env()
    a = env.from_collection([1, 2]).map(lambda x: x * 10)
    b = env.from_collection([3])
    assert sorted(a.union(b).execute_and_collect()) == [3, 10, 20]


def test_print_and_execute(capsys: pytest.CaptureFixture[str]) -> None:
    env = _env()
    env.from_collection(["a", "b"]).map(str.upper).print()
    env.execute("print job")
    assert capsys.readouterr().out == "A\nB\n"


def test_user_function_error_surfaces() -> None:
    env = _env()
    ds = env.from_collection([1, 0]).map(lambda x: 1 // x)
    with pytest.raises(Exception) as info:
        list(ds.execute_and_collect())
    assert "ZeroDivisionError" in str(info.value)
    assert isinstance(info.value.__cause__, ZeroDivisionError)


def test_same_rows_on_one_and_two_workers() -> None:
    results = []
    for workers in (1, 2):
        env = _env(workers=workers)
        words = env.from_collection([f"w{i % 5} w{i % 2}" for i in range(300)])
        counts = words.flat_map(str.split).map(lambda w: (w, 1)).key_by(lambda t: t[0]).reduce(lambda a, b: (a[0], a[1] + b[1]))
        results.append(sorted(counts.execute_and_collect()))
    assert results[0] == results[1]
    assert dict(results[0])["w0"] == 60 + 150


def test_bad_event_time_arguments_are_refused() -> None:
    env = _env()
    with pytest.raises(TypeError, match="expected a TimestampAssigner, got None"):
        WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(None)
    with pytest.raises(TypeError, match="expected a WatermarkStrategy"):
        env.from_collection([1]).assign_timestamps_and_watermarks(None)
    with pytest.raises(ValueError, match="non-empty name"):
        ValueStateDescriptor("", Types.INT())
    with pytest.raises(TypeError, match="expected a WindowAssigner"):
        env.from_collection([1]).key_by(lambda x: x).window(None)


def test_per_record_cost_is_measured() -> None:
    import time

    n = 200_000
    env = _env(workers=1)
    ds = env.from_collection(range(n)).map(lambda x: (x % 100, 1)).key_by(lambda t: t[0]).reduce(lambda a, b: (a[0], a[1] + b[1]))
    start = time.perf_counter()
    out = sorted(ds.execute_and_collect())
    elapsed = time.perf_counter() - start
    assert out[0] == (0, n // 100) and len(out) == 100
    print(f"\nDataStream map -> key_by -> reduce: {elapsed / n * 1e6:.2f} us/record ({n} records, {elapsed:.2f}s)")
