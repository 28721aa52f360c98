"""Python aggregate functions (``@udaf``, PyFlink's ``AggregateFunction``) and vectorized
(pandas) functions. Expected values are worked out by hand in the comments."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from weir import JobError
from weir.common import Row
from weir.table import AggregateFunction, DataTypes, EnvironmentSettings, TableEnvironment, udaf, udf
from weir.table.expressions import col, lit
from weir.table.window import Tumble


class WeightedAvg(AggregateFunction):
    """PyFlink's documentation example: the accumulator is a Row changed in place."""

    def create_accumulator(self) -> Row:
        return Row(0, 0)

    def get_value(self, accumulator: Row) -> float | None:
        return None if accumulator[1] == 0 else accumulator[0] / accumulator[1]

    def accumulate(self, accumulator: Row, value: int, weight: int) -> None:
        accumulator[0] += value * weight
        accumulator[1] += weight

    def retract(self, accumulator: Row, value: int, weight: int) -> None:
        accumulator[0] -= value * weight
        accumulator[1] -= weight


class SortedList(AggregateFunction):
    """The group's values, sorted and comma-joined; counts its retract calls."""

    retracted: list[Any] = []

    def create_accumulator(self) -> list[Any]:
        return []

    def get_value(self, accumulator: list[Any]) -> str:
        return ",".join(str(v) for v in sorted(accumulator))

    def accumulate(self, accumulator: list[Any], value: Any) -> None:
        accumulator.append(value)

    def retract(self, accumulator: list[Any], value: Any) -> None:
        SortedList.retracted.append(value)
        accumulator.remove(value)


class AppendOnlyList(SortedList):
    """The same without retract (PyFlink's default retract does nothing)."""

    retract = AggregateFunction.retract  # type: ignore[assignment]


weighted_avg = udaf(
    WeightedAvg(),
    result_type=DataTypes.DOUBLE(),
    accumulator_type=DataTypes.ROW([DataTypes.FIELD("s", DataTypes.BIGINT()), DataTypes.FIELD("w", DataTypes.BIGINT())]),
)

ROWS = [("a", 1, 2), ("a", 4, 1), ("b", 3, 5)]


def _table(env: TableEnvironment) -> Any:
    return env.from_elements(ROWS, ["k", "v", "w"])


def test_udaf_in_table_api_group_by(batch_env: TableEnvironment) -> None:
    # a: (1*2 + 4*1) / (2 + 1) = 2.0; b: 3*5 / 5 = 3.0
    out = _table(batch_env).group_by(col("k")).select(col("k"), weighted_avg(col("v"), col("w")).alias("avg"), col("v").count.alias("n"))
    assert sorted(out.execute().collect()) == [Row(k="a", avg=2.0, n=2), Row(k="b", avg=3.0, n=1)]


def test_udaf_global_and_in_expressions(batch_env: TableEnvironment) -> None:
    # (2 + 4 + 15) / (2 + 1 + 5) = 21 / 8
    out = _table(batch_env).select((weighted_avg(col("v"), col("w")) * 8).alias("x"), col("w").sum.alias("ws"))
    assert list(out.execute().collect()) == [Row(x=21.0, ws=8)]


def test_udaf_in_sql(batch_env: TableEnvironment) -> None:
    batch_env.create_temporary_function("wavg", weighted_avg)
    batch_env.create_temporary_view("t", _table(batch_env))
    rows = sorted(batch_env.execute_sql("SELECT k, wavg(v, w) AS a, MAX(v) AS m FROM t GROUP BY k HAVING wavg(v, w) > 2.5").collect())
    assert rows == [Row(k="b", a=3.0, m=3)]
    assert "wavg" in batch_env.list_user_defined_functions()
    with pytest.raises(Exception, match="DISTINCT or FILTER on the user aggregate function WAVG"):
        batch_env.execute_sql("SELECT wavg(DISTINCT v, w) FROM t")


def test_udaf_in_a_tumbling_window(batch_env: TableEnvironment) -> None:
    ts = lambda m, s: datetime.datetime(2024, 1, 1, 0, m, s)  # noqa: E731
    t = batch_env.from_elements(
        [(ts(0, 10), 1, 1), (ts(0, 50), 3, 3), (ts(1, 5), 4, 2)],
        DataTypes.ROW([DataTypes.FIELD("ts", DataTypes.TIMESTAMP(3)), DataTypes.FIELD("v", DataTypes.BIGINT()), DataTypes.FIELD("w", DataTypes.BIGINT())]),
    )
    out = t.window(Tumble.over(lit(1).minutes).on(col("ts")).alias("win")).group_by(col("win")).select(
        col("win").start.alias("ws"), weighted_avg(col("v"), col("w")).alias("a")
    )
    # minute 0: (1 + 9) / 4 = 2.5; minute 1: 8 / 2 = 4.0
    assert sorted(out.execute().collect()) == [Row(ws=ts(0, 0), a=2.5), Row(ws=ts(1, 0), a=4.0)]


def _updating_source(env: TableEnvironment, tmp_path: Any) -> None:
    """Rows at three distinct event times, so the per-key sums below update."""
    (tmp_path / "in.csv").write_text("a,1,2024-01-01 00:01:00\nb,2,2024-01-01 00:02:00\na,3,2024-01-01 00:03:00\n")
    env.execute_sql(
        f"CREATE TABLE src (k STRING, v BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) "
        f"WITH ('connector' = 'filesystem', 'path' = '{tmp_path / 'in.csv'}', 'format' = 'csv')"
    )


def _streaming_env(ttl: str | None = None) -> TableEnvironment:
    env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    env.get_config().set("parallelism.default", "1")
    if ttl is not None:
        env.get_config().set("table.exec.state.ttl", ttl)
    return env


@pytest.mark.parametrize("ttl", [None, "1 h"])
def test_udaf_retracts_an_updating_input(tmp_path: Any, ttl: str | None) -> None:
    # Without durable state the accumulators stay Python objects on an arrangement; with a TTL
    # they are pickled into keyed state (where they expire): the same changelog either way.
    env = _streaming_env(ttl)
    _updating_source(env, tmp_path)
    env.create_temporary_function("sorted_list", udaf(SortedList(), result_type=DataTypes.STRING()))
    SortedList.retracted.clear()
    query = "SELECT sorted_list(s) AS l FROM (SELECT k, SUM(v) AS s FROM src GROUP BY k)"
    store = "arrangement" if ttl is None else "hashmap"
    plan = env.explain_sql(query)
    assert "PythonGroupAggregate(groupBy=[], select=[sorted_list(s) AS l]" in plan and f"per group @ {store}" in plan, plan
    # The sums per key go a=1; b=2; a=1 -> a=4. The list of sums: "1", "1,2", then 1 is
    # retracted and 4 added: "2,4". A streaming global aggregate starts with its first row
    # (+I), as Flink's does.
    final = [r for r in env.execute_sql(query).collect()]
    assert [(r.get_row_kind().short_string(), r.l) for r in final] == [
        ("+I", "1"), ("-U", "1"), ("+U", "1,2"), ("-U", "1,2"), ("+U", "2,4"),
    ]
    assert SortedList.retracted == [1]


class Unpicklable(SortedList):
    """An accumulator holding a lambda, which pickle refuses."""

    def create_accumulator(self) -> list[Any]:
        return [lambda: None]

    def get_value(self, accumulator: list[Any]) -> str:
        return str(len(accumulator))


def test_an_accumulator_kept_in_keyed_state_must_pickle(tmp_path: Any) -> None:
    env = _streaming_env("1 h")
    _updating_source(env, tmp_path)
    env.create_temporary_function("unpicklable", udaf(Unpicklable(), result_type=DataTypes.STRING()))
    with pytest.raises(JobError, match="the accumulator of aggregate function Unpicklable cannot be pickled"):
        list(env.execute_sql("SELECT k, unpicklable(v) FROM src GROUP BY k").collect())


def test_a_udaf_over_windows_runs_on_keyed_state_when_checkpointing(tmp_path: Any) -> None:
    env = _streaming_env()
    windowed = "SELECT window_start, sorted_list(v) FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end"
    _updating_source(env, tmp_path)
    env.create_temporary_function("sorted_list", udaf(SortedList(), result_type=DataTypes.STRING()))
    assert "PythonGroupWindowAggregate(groupBy=[window_start, window_end]" in env.explain_sql(windowed)
    in_memory = env.explain_sql(windowed)
    assert "user accumulators per key and window @ arrangement" in in_memory, in_memory
    uncheckpointed = sorted(env.execute_sql(windowed).collect())
    env.get_config().set("execution.checkpointing.interval", "100 ms")
    env.get_config().set("execution.checkpointing.dir", str(tmp_path / "ck"))
    durable = env.explain_sql(windowed)
    assert "(user ones pickled), user arguments until it fires @ hashmap" in durable, durable
    assert sorted(env.execute_sql(windowed).collect()) == uncheckpointed
    env.get_config().set("state.backend.type", "rocksdb")
    assert "user arguments until it fires @ rocksdb" in env.explain_sql(windowed)


@pytest.mark.parametrize("ttl", [None, "1 h"])
def test_a_udaf_over_windows_needs_no_retract(tmp_path: Any, ttl: str | None) -> None:
    # As in Flink: a window's rows are never retracted, whether on the arrangement (which drops
    # an expired window's accumulator with its rows) or on keyed state (durable: a TTL).
    env = _streaming_env(ttl)
    _updating_source(env, tmp_path)
    env.create_temporary_function("append_only", udaf(AppendOnlyList(), result_type=DataTypes.STRING()))
    windowed = "SELECT window_start, append_only(k) FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '2' MINUTE)) GROUP BY window_start, window_end"
    rows = sorted(tuple(r) for r in env.execute_sql(windowed).collect())
    assert [r[1] for r in rows] == ["a", "a,b"]


def test_udaf_without_retract_fails_on_retractions(tmp_path: Any) -> None:
    env = _streaming_env()
    _updating_source(env, tmp_path)
    env.create_temporary_function("append_only", udaf(AppendOnlyList(), result_type=DataTypes.STRING()))
    with pytest.raises(JobError, match="aggregate function AppendOnlyList over an input that retracts rows: it has no retract"):
        list(env.execute_sql("SELECT append_only(s) FROM (SELECT k, SUM(v) AS s FROM src GROUP BY k)").collect())


def test_udaf_exception_fails_the_job_with_its_traceback(batch_env: TableEnvironment) -> None:
    class Broken(WeightedAvg):
        def accumulate(self, accumulator: Row, value: int, weight: int) -> None:
            raise ValueError("bad weight")

    broken = udaf(Broken(), result_type=DataTypes.DOUBLE())
    with pytest.raises(JobError, match="bad weight") as info:
        _table(batch_env).group_by(col("k")).select(broken(col("v"), col("w"))).execute().collect()
    assert isinstance(info.value.__cause__, ValueError)


def test_udaf_needs_a_result_type() -> None:
    with pytest.raises(TypeError, match="result_type"):
        udaf(WeightedAvg())


pandas = pytest.importorskip("pandas")


@udaf(result_type=DataTypes.DOUBLE(), func_type="pandas")
def mean_udaf(v: Any) -> float:
    assert isinstance(v, pandas.Series)
    return v.mean()


def test_pandas_udaf(batch_env: TableEnvironment) -> None:
    # a: (1 + 4) / 2; b: 3
    out = _table(batch_env).group_by(col("k")).select(col("k"), mean_udaf(col("v")).alias("m"))
    assert sorted(out.execute().collect()) == [Row(k="a", m=2.5), Row(k="b", m=3.0)]
    batch_env.create_temporary_function("mean_udaf", mean_udaf)
    batch_env.create_temporary_view("t", _table(batch_env))
    assert list(batch_env.execute_sql("SELECT mean_udaf(w) AS m FROM t").collect()) == [Row(m=8 / 3)]


SIZES: list[int] = []


@udf(result_type=DataTypes.BIGINT(), func_type="pandas")
def add(a: Any, b: Any) -> Any:
    assert isinstance(a, pandas.Series) and isinstance(b, pandas.Series)
    SIZES.append(len(a))
    return a + b


@udf(result_type=DataTypes.BOOLEAN(), func_type="pandas")
def is_even(x: Any) -> Any:
    return x % 2 == 0


def test_pandas_udf_is_called_per_batch(batch_env: TableEnvironment) -> None:
    SIZES.clear()
    n = 5000
    t = batch_env.from_elements([(i, 2 * i) for i in range(n)], ["x", "y"])
    out = t.where(is_even(col("x"))).select((add(col("x"), col("y")) + 1).alias("z"))
    rows = out.execute().collect()
    # x even: z = 3x + 1 for x = 0, 2, ..., 4998
    assert sorted(r.z for r in rows) == [3 * x + 1 for x in range(0, n, 2)]
    assert sum(SIZES) == n // 2 and len(SIZES) < n // 2


def test_pandas_udf_from_sql_and_bad_lengths(batch_env: TableEnvironment) -> None:
    batch_env.create_temporary_function("add", add)
    batch_env.create_temporary_view("t", batch_env.from_elements([(1, 2), (3, 4)], ["x", "y"]))
    assert sorted(batch_env.execute_sql("SELECT add(x, y) AS s FROM t").collect()) == [Row(s=3), Row(s=7)]

    @udf(result_type=DataTypes.BIGINT(), func_type="pandas")
    def scalar(x: Any) -> int:
        return 1

    with pytest.raises(JobError, match="pandas UDF scalar must return one value per row: 2 rows in, a scalar out"):
        batch_env.from_path("t").select(scalar(col("x"))).execute().collect()


def test_aggregate_and_column_attributes(batch_env: TableEnvironment) -> None:
    t = _table(batch_env)
    out = t.group_by(t.k).aggregate(weighted_avg(t.v, t["w"]).alias("a")).select(col("k"), col("a"))
    assert sorted(out.execute().collect()) == [Row(k="a", a=2.0), Row(k="b", a=3.0)]
    # 21 / 8 over the whole table
    assert list(t.aggregate(weighted_avg(t.v, t.w).alias("a")).select("*").execute().collect()) == [Row(a=2.625)]
    with pytest.raises(AttributeError, match="no column or attribute 'nope'"):
        t.nope  # noqa: B018
