"""The DataStream API beyond map/filter/reduce: rolling aggregates by field, connected streams,
file sources and sinks, collecting, and conversions to and from tables."""

from __future__ import annotations

import pathlib
from typing import Any

import pytest

from weir import PlanError
from weir.common import Encoder, Row, RowKind, Types, WatermarkStrategy
from weir.datastream import CoFlatMapFunction, CoMapFunction, KeyedProcessFunction, RuntimeExecutionMode, StreamExecutionEnvironment
from weir.datastream.connectors import NumberSequenceSource
from weir.datastream.connectors.file_system import BucketAssigner, FileSink, FileSource, OutputFileConfig, StreamFormat
from weir.table import DataTypes, Schema, StreamTableEnvironment
from weir.table.expressions import col


def _env(batch: bool = True, workers: int = 1) -> StreamExecutionEnvironment:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(workers)
    env.set_runtime_mode(RuntimeExecutionMode.BATCH if batch else RuntimeExecutionMode.STREAMING)
    return env


RECORDS = [("a", 3, "x"), ("b", 1, "y"), ("a", 1, "z"), ("a", 5, "w"), ("b", 1, "v")]


def test_rolling_sum_min_max_by_position_streaming() -> None:
    ks = _env(batch=False).from_collection(RECORDS).key_by(lambda r: r[0])
    # sum/min/max change only the field; the other fields stay those of the key's first record
    assert list(ks.sum(1).execute_and_collect()) == [("a", 3, "x"), ("b", 1, "y"), ("a", 4, "x"), ("a", 9, "x"), ("b", 2, "y")]
    assert list(ks.min(1).execute_and_collect()) == [("a", 3, "x"), ("b", 1, "y"), ("a", 1, "x"), ("a", 1, "x"), ("b", 1, "y")]
    assert list(ks.max(1).execute_and_collect()) == [("a", 3, "x"), ("b", 1, "y"), ("a", 3, "x"), ("a", 5, "x"), ("b", 1, "y")]


def test_min_by_max_by_keep_whole_records() -> None:
    ks = _env(batch=False).from_collection(RECORDS).key_by(lambda r: r[0])
    # min_by/max_by emit the whole record holding the extreme (the first one on ties)
    assert list(ks.min_by(1).execute_and_collect()) == [("a", 3, "x"), ("b", 1, "y"), ("a", 1, "z"), ("a", 1, "z"), ("b", 1, "y")]
    assert list(ks.max_by(1).execute_and_collect()) == [("a", 3, "x"), ("b", 1, "y"), ("a", 3, "x"), ("a", 5, "w"), ("b", 1, "y")]
    assert list(ks.min_by(1, first=False).execute_and_collect())[-1] == ("b", 1, "v")
    rows = _env().from_collection([Row(k="a", v=2), Row(k="a", v=7), Row(k="b", v=4)]).key_by(lambda r: r.k)
    assert sorted(rows.max_by("v").execute_and_collect()) == [Row(k="a", v=7), Row(k="b", v=4)]
    assert sorted(rows.sum("v").execute_and_collect()) == [Row(k="a", v=9), Row(k="b", v=4)]


class Tag(CoMapFunction):
    def map1(self, value: int) -> str:
        return f"L{value}"

    def map2(self, value: str) -> str:
        return f"R{value}"


class Split(CoFlatMapFunction):
    def flat_map1(self, value: int) -> Any:
        yield from [value] * value

    def flat_map2(self, value: str) -> Any:
        return list(value)


def test_connect_with_co_map_and_co_flat_map() -> None:
    env = _env(workers=2)
    left, right = env.from_collection([1, 2]), env.from_collection(["ab", "c"])
    assert sorted(left.connect(right).map(Tag()).execute_and_collect()) == ["L1", "L2", "Rab", "Rc"]
    assert sorted(left.connect(right).flat_map(Split()).execute_and_collect(), key=str) == [1, 2, 2, "a", "b", "c"]
    with pytest.raises(TypeError, match="expected a CoProcessFunction"):
        left.connect(right).key_by(lambda x: x, lambda y: y).process(Tag())


def test_execute_and_collect_is_a_closeable_iterator() -> None:
    ds = _env().from_collection(range(5)).map(lambda x: x * x)
    with ds.execute_and_collect() as results:
        assert next(results) == 0
        assert list(results) == [1, 4, 9, 16]
    assert list(ds.execute_and_collect(limit=2)) == [0, 1]


def test_print_writes_each_record(capsys: Any) -> None:
    env = _env()
    env.from_collection([Row(a=1), Row(a=2)]).print()
    env.from_collection(["x"]).print("out")
    env.execute("print job")
    assert capsys.readouterr().out == "Row(a=1)\nRow(a=2)\nout> x\n"


def test_file_source_to_file_sink(tmp_path: pathlib.Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("to be\nor not\n")
    (src / "b.txt").write_text("to be\n")
    env = _env(workers=2)
    lines = env.from_source(FileSource.for_record_stream_format(StreamFormat.text_line_format(), str(src)).build(), WatermarkStrategy.no_watermarks(), "lines")
    counts = lines.flat_map(lambda line: [(w, 1) for w in line.split()]).key_by(lambda t: t[0]).reduce(lambda a, b: (a[0], a[1] + b[1]))
    out = tmp_path / "out"
    counts.map(lambda t: f"{t[0]}={t[1]}").sink_to(FileSink.for_row_format(str(out), Encoder.simple_string_encoder()).build())
    env.execute()
    written = [p for p in out.rglob("*") if p.is_file()]
    assert len(written) == 1 and written[0].name.startswith("part-")
    assert sorted(written[0].read_text().splitlines()) == ["be=2", "not=1", "or=1", "to=2"]


def test_file_sink_options_and_missing_input(tmp_path: pathlib.Path) -> None:
    env = _env()
    sink = (
        FileSink.for_row_format(str(tmp_path), Encoder.simple_string_encoder())
        .with_bucket_assigner(BucketAssigner.base_path_bucket_assigner())
        .with_output_file_config(OutputFileConfig.builder().with_part_prefix("pre").with_part_suffix(".txt").build())
        .build()
    )
    env.from_source(NumberSequenceSource(1, 3), WatermarkStrategy.no_watermarks(), "n").sink_to(sink)
    env.execute()
    (written,) = list(tmp_path.glob("pre-*.txt"))
    assert written.read_text() == "1\n2\n3\n"
    with pytest.raises(FileNotFoundError, match="no file or directory"):
        env.from_source(FileSource.for_record_stream_format(StreamFormat.text_line_format(), str(tmp_path / "nope")).build())


def test_process_functions_are_not_map_functions() -> None:
    ds = _env().from_collection([1])

    class P(KeyedProcessFunction):
        pass

    with pytest.raises(TypeError, match="P is a process function: use process\\(\\), not map\\(\\)"):
        ds.map(P())


def test_from_data_stream_and_sql_over_a_view() -> None:
    env = _env()
    t_env = StreamTableEnvironment.create(env)
    ds = env.from_collection([("a", 1), ("b", 2), ("a", 3)]).map(
        lambda t: Row(k=t[0], v=t[1] * 10), output_type=Types.ROW_NAMED(["k", "v"], [Types.STRING(), Types.LONG()])
    )
    t = t_env.from_data_stream(ds)
    assert t.get_schema().get_field_names() == ["k", "v"]
    assert sorted(t.group_by(col("k")).select(col("k"), col("v").sum.alias("s")).execute().collect()) == [Row(k="a", s=40), Row(k="b", s=20)]
    summed = ds.key_by(lambda r: r.k).reduce(lambda a, b: Row(k=a.k, v=a.v + b.v))
    assert sorted(t_env.from_data_stream(summed).execute().collect()) == [Row(k="a", v=40), Row(k="b", v=20)]
    t_env.create_temporary_view("nums", env.from_collection([1, 2, 3], type_info=Types.INT()))
    assert list(t_env.execute_sql("SELECT SUM(f0) AS s FROM nums").collect()) == [Row(s=6)]
    schema = Schema.new_builder().column("word", DataTypes.STRING()).column("n", DataTypes.BIGINT()).build()
    words = t_env.from_data_stream(env.from_collection([("x", 1), ("y", 2)]), schema)
    assert sorted(words.where(col("n") > 1).execute().collect()) == [Row(word="y", n=2)]
    with pytest.raises(PlanError, match="from_data_stream needs the records' types"):
        t_env.from_data_stream(env.from_collection([1]))


def test_to_data_stream_and_to_changelog_stream(tmp_path: pathlib.Path) -> None:
    env = _env(batch=False)
    t_env = StreamTableEnvironment.create(env)
    t = t_env.from_elements([("a", 1), ("b", 2), ("a", 3)], ["k", "v"])
    ds = t_env.to_data_stream(t.where(col("v") > 1))
    assert sorted(ds.map(lambda r: (r.k, r.v * 2)).execute_and_collect()) == [("a", 6), ("b", 4)]
    changes = list(t_env.to_changelog_stream(_updating(t_env, tmp_path)).execute_and_collect())
    # a=1 is inserted, then updated to a=4: -U a=1, +U a=4
    assert [(r.get_row_kind(), r.k, r.s) for r in changes if r.k == "a"] == [
        (RowKind.INSERT, "a", 1), (RowKind.UPDATE_BEFORE, "a", 1), (RowKind.UPDATE_AFTER, "a", 4),
    ]
    final: dict[str, int] = {}
    for r in changes:
        if r.get_row_kind() in (RowKind.INSERT, RowKind.UPDATE_AFTER):
            final[r.k] = r.s
        else:
            assert final.pop(r.k) == r.s
    assert final == {"a": 4, "b": 2}
    with pytest.raises(PlanError, match="to_data_stream needs an insert-only table"):
        t_env.to_data_stream(_updating(t_env, tmp_path))


def _updating(t_env: StreamTableEnvironment, tmp_path: pathlib.Path) -> Any:
    """Per-key sums over rows at distinct event times: key a updates from 1 to 4."""
    (tmp_path / "in.csv").write_text("a,1,2024-01-01 00:01:00\nb,2,2024-01-01 00:02:00\na,3,2024-01-01 00:03:00\n")
    t_env.execute_sql(
        f"CREATE TABLE IF NOT EXISTS src (k STRING, v BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) "
        f"WITH ('connector' = 'filesystem', 'path' = '{tmp_path / 'in.csv'}', 'format' = 'csv')"
    )
    return t_env.from_path("src").group_by(col("k")).select(col("k"), col("v").sum.alias("s"))
