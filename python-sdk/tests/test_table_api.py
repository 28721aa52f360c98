"""The Table API: each operation lowers to job-spec nodes and gives exact rows."""

from __future__ import annotations

import pytest

from weir.common import Row
from weir.table import DataTypes, ExplainDetail, Schema, TableDescriptor, TableEnvironment, udtf
from weir.table.expressions import call, col, lit
from weir.table.window import Tumble


@udtf(result_types=[DataTypes.STRING()])
def split(line: Row):  # type: ignore[no-untyped-def]
    yield from line[0].split()


def _people(env: TableEnvironment):  # type: ignore[no-untyped-def]
    return env.from_elements(
        [(1, "ann", 30), (2, "bob", 25), (3, "cy", None)],
        DataTypes.ROW([DataTypes.FIELD("id", DataTypes.BIGINT()), DataTypes.FIELD("name", DataTypes.STRING()), DataTypes.FIELD("age", DataTypes.INT())]),
    )


def test_word_count(batch_env: TableEnvironment) -> None:
    lines = batch_env.from_elements([("to be or not to be",), ("to do",)], ["line"])
    counts = lines.flat_map(split).alias("word").group_by(col("word")).select(col("word"), col("word").count.alias("n"))
    assert sorted(counts.execute().collect()) == [
        Row(word="be", n=2), Row(word="do", n=1), Row(word="not", n=1), Row(word="or", n=1), Row(word="to", n=3),
    ]


def test_select_where_add_columns_alias(batch_env: TableEnvironment) -> None:
    t = _people(batch_env)
    out = t.where(col("age") > 26).select(col("name"), (col("age") + 1).alias("next")).add_columns(lit("x").alias("tag")).alias("who", "age1", "tag")
    assert list(out.execute().collect()) == [Row(who="ann", age1=31, tag="x")]
    assert out.get_schema().get_field_names() == ["who", "age1", "tag"]


def test_filter_is_null_and_functions(batch_env: TableEnvironment) -> None:
    t = _people(batch_env)
    out = t.filter(col("age").is_null).select(col("name").upper_case.alias("n"), call("CHAR_LENGTH", col("name")).alias("len"))
    assert list(out.execute().collect()) == [Row(n="CY", len=2)]


def test_random_trig_time_and_overlap_functions(batch_env: TableEnvironment) -> None:
    import math

    from weir.table.expressions import atan2, current_time, rand, rand_integer, temporal_overlaps, uuid

    t = _people(batch_env).where(col("id") == 1)
    out = t.select(
        rand(7).alias("r"),
        rand_integer(10, 7).alias("ri"),
        uuid().char_length.alias("ul"),
        atan2(1, 1).alias("a"),
        current_time().is_not_null.alias("ct"),
        temporal_overlaps(lit("2023-01-01 02:55:00").to_timestamp, lit(1).hours, lit("2023-01-01 03:30:00").to_timestamp, lit(2).hours).alias("o"),
    )
    (row,) = out.execute().collect()
    assert 0 <= row.r < 1 and 0 <= row.ri < 10 and row.ul == 36 and row.ct
    assert math.isclose(row.a, math.pi / 4)
    assert row.o is True


def test_timestamp_diff_counts_whole_units(batch_env: TableEnvironment) -> None:
    from weir.table.expression import TimePointUnit
    from weir.table.expressions import timestamp_diff

    t = _people(batch_env).where(col("id") == 1)
    a, b = lit("2024-01-31 00:00:00").to_timestamp, lit("2024-03-30 12:00:00").to_timestamp
    out = t.select(timestamp_diff(TimePointUnit.MONTH, a, b).alias("m"), timestamp_diff(TimePointUnit.DAY, a, b).alias("d"))
    assert list(out.execute().collect()) == [Row(m=1, d=59)]


def test_group_by_aggregates(batch_env: TableEnvironment) -> None:
    t = batch_env.from_elements([("a", 1), ("a", 5), ("b", 2)], ["k", "v"])
    out = t.group_by(col("k")).select(col("k"), col("v").sum.alias("s"), col("v").max.alias("mx"), col("v").min.alias("mn"), (col("v").avg * 10).alias("avg10"))
    assert sorted(out.execute().collect()) == [Row(k="a", s=6, mx=5, mn=1, avg10=30), Row(k="b", s=2, mx=2, mn=2, avg10=20)]


def test_global_aggregate(batch_env: TableEnvironment) -> None:
    t = batch_env.from_elements([(1,), (2,), (3,)], ["x"])
    assert list(t.select(col("x").sum.alias("s"), col("x").count.alias("c")).execute().collect()) == [Row(s=6, c=3)]


def test_joins(batch_env: TableEnvironment) -> None:
    people = _people(batch_env)
    orders = batch_env.from_elements([(1, 10), (1, 20), (9, 5)], ["pid", "amount"])
    inner = people.join(orders, col("id") == col("pid")).select(col("name"), col("amount"))
    assert sorted(inner.execute().collect()) == [Row(name="ann", amount=10), Row(name="ann", amount=20)]
    left = people.left_outer_join(orders, col("id") == col("pid")).select(col("name"), col("amount"))
    assert sorted(left.execute().collect(), key=lambda r: (r[0], r[1] or 0)) == [
        Row(name="ann", amount=10), Row(name="ann", amount=20), Row(name="bob", amount=None), Row(name="cy", amount=None),
    ]
    right = people.right_outer_join(orders, col("id") == col("pid")).select(col("pid"), col("name"))
    assert sorted(right.execute().collect(), key=lambda r: (r[0], r[1] or "")) == [Row(pid=1, name="ann"), Row(pid=1, name="ann"), Row(pid=9, name=None)]
    full = people.full_outer_join(orders, col("id") == col("pid")).select(col("id"), col("pid"))
    assert len(list(full.execute().collect())) == 5


def test_distinct_union_order_limit(batch_env: TableEnvironment) -> None:
    a = batch_env.from_elements([(3,), (1,), (3,)], ["x"])
    b = batch_env.from_elements([(2,)], ["x"])
    assert list(a.distinct().union_all(b).order_by(col("x").desc).execute().collect()) == [Row(x=3), Row(x=2), Row(x=1)]
    assert list(a.union_all(b).order_by(col("x")).limit(2).execute().collect()) == [Row(x=1), Row(x=2)]
    assert sorted(a.union(b).execute().collect()) == [Row(x=1), Row(x=2), Row(x=3)]


def test_sql_query_then_table_api(batch_env: TableEnvironment) -> None:
    batch_env.create_temporary_view("people", _people(batch_env))
    t = batch_env.sql_query("SELECT name, age FROM people WHERE age IS NOT NULL")
    assert sorted(t.select(col("name")).execute().collect()) == [Row(name="ann"), Row(name="bob")]
    assert sorted(batch_env.from_path("people").select(col("id")).execute().collect()) == [Row(id=1), Row(id=2), Row(id=3)]


def test_descriptor_table_and_execute_insert(batch_env: TableEnvironment, tmp_path: object) -> None:
    schema = Schema.new_builder().column("id", DataTypes.BIGINT()).column("name", DataTypes.STRING()).build()
    batch_env.create_temporary_table("out", TableDescriptor.for_connector("filesystem").schema(schema).option("path", f"{tmp_path}/out").format("csv").build())
    _people(batch_env).select(col("id"), col("name")).execute_insert("out").wait()
    assert sorted(batch_env.from_path("out").execute().collect()) == [Row(id=1, name="ann"), Row(id=2, name="bob"), Row(id=3, name="cy")]


def test_datagen_descriptor(batch_env: TableEnvironment) -> None:
    schema = Schema.new_builder().column("id", DataTypes.BIGINT()).build()
    desc = (
        TableDescriptor.for_connector("datagen")
        .schema(schema)
        .option("number-of-rows", 4)
        .option("fields.id.kind", "sequence")
        .option("fields.id.start", 1)
        .option("fields.id.end", 4)
        .build()
    )
    batch_env.create_temporary_table("gen", desc)
    assert list(batch_env.from_path("gen").select(col("id").sum.alias("s")).execute().collect()) == [Row(s=10)]


def test_pandas_round_trip(batch_env: TableEnvironment) -> None:
    pandas = pytest.importorskip("pandas")
    df = pandas.DataFrame({"k": ["a", "b", "a"], "v": [1, 2, 3], "f": [0.5, float("nan"), 1.5]})
    t = batch_env.from_pandas(df)
    assert t.get_schema().get_field_names() == ["k", "v", "f"]
    back = t.to_pandas()
    assert back["k"].tolist() == ["a", "b", "a"] or sorted(back["k"].tolist()) == ["a", "a", "b"]
    back = back.sort_values("v").reset_index(drop=True)
    assert back["v"].tolist() == [1, 2, 3]
    assert back["f"].isna().tolist() == [False, True, False]
    agg = t.group_by(col("k")).select(col("k"), col("v").sum.alias("s")).to_pandas().sort_values("k").reset_index(drop=True)
    assert agg.to_dict("list") == {"k": ["a", "b"], "s": [4, 2]}


def test_explain_prints_the_plan_tree(batch_env: TableEnvironment) -> None:
    # As PyFlink's Table.explain(): the plan as written, then the optimized physical plan as
    # an operator tree with columns by name (Flink: `Calc(select=[x], where=[>(x, 0)])`).
    t = batch_env.from_elements([(1, "a")], ["x", "s"]).where(col("x") > 0).select(col("x"), col("s").upper_case.alias("u"))
    text = t.explain()
    assert text.startswith("== Abstract Syntax Tree ==\n")
    physical = text.split("== Optimized Physical Plan ==\n")[1].split("\n== JSON Job Spec ==")[0]
    lines = physical.splitlines()
    assert "where=[>(x, 0)]" in physical and "UPPER(s) AS u" in physical, physical
    assert "$" not in physical, physical
    assert "TableSourceScan(" in lines[-1] and any("Calc(" in line for line in lines), physical
    assert all(line.startswith(("+- ", ":- ", "   ", ":  ")) for line in lines[1:]), physical
    assert "changelogMode" not in physical
    assert "changelogMode=[I]" in t.explain(ExplainDetail.CHANGELOG_MODE)
    assert '"nodes"' in text.split("== JSON Job Spec ==")[1]


def test_tumble_and_slide_windows(batch_env: TableEnvironment) -> None:
    import datetime

    from weir.table.window import Slide

    ts = lambda m, s: datetime.datetime(2024, 1, 1, 0, m, s)  # noqa: E731
    t = batch_env.from_elements(
        [(ts(0, 10), "a", 1), (ts(0, 50), "a", 2), (ts(1, 5), "a", 4), (ts(1, 30), "b", 8)],
        DataTypes.ROW([DataTypes.FIELD("ts", DataTypes.TIMESTAMP(3)), DataTypes.FIELD("k", DataTypes.STRING()), DataTypes.FIELD("v", DataTypes.BIGINT())]),
    )
    tumble = t.window(Tumble.over(lit(1).minutes).on(col("ts")).alias("w")).group_by(col("w"), col("k")).select(
        col("k"), col("w").start.alias("ws"), col("w").end.alias("we"), col("v").sum.alias("s")
    )
    assert sorted(tumble.execute().collect()) == [
        Row(k="a", ws=ts(0, 0), we=ts(1, 0), s=3),
        Row(k="a", ws=ts(1, 0), we=ts(2, 0), s=4),
        Row(k="b", ws=ts(1, 0), we=ts(2, 0), s=8),
    ]
    slide = t.window(Slide.over(lit(2).minutes).every(lit(1).minutes).on(col("ts")).alias("w")).group_by("w").select(
        col("w").start.alias("ws"), col("v").sum.alias("s")
    )
    assert sorted(slide.execute().collect()) == [
        Row(ws=datetime.datetime(2023, 12, 31, 23, 59), s=3), Row(ws=ts(0, 0), s=15), Row(ws=ts(1, 0), s=12),
    ]


def test_same_rows_on_one_and_two_workers() -> None:
    from weir.table import EnvironmentSettings

    results = []
    for workers in ("1", "2"):
        env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
        env.get_config().set("parallelism.default", workers)
        lines = env.from_elements([(f"w{i % 7} w{i % 3}",) for i in range(200)], ["line"])
        counts = lines.flat_map(split).alias("word").group_by(col("word")).select(col("word"), col("word").count.alias("n"))
        results.append(sorted(counts.execute().collect()))
    assert results[0] == results[1]
    assert len(results[0]) == 7


def test_named_rows_and_string_column_lists(batch_env: TableEnvironment) -> None:
    t = batch_env.from_elements([Row(k="a", v=1), Row(k="a", v=2), Row(k="b", v=5)])
    assert t.get_schema().get_field_names() == ["k", "v"]
    out = t.group_by("k").select("k", col("v").sum.alias("s")).select("k, s")
    assert sorted(out.execute().collect()) == [Row(k="a", s=3), Row(k="b", s=5)]


def test_streaming_to_pandas_applies_the_changelog(stream_env: TableEnvironment) -> None:
    pytest.importorskip("pandas")
    t = stream_env.from_elements([("a", 1), ("b", 2), ("a", 3)], ["k", "v"])
    df = t.group_by(col("k")).select(col("k"), col("v").sum.alias("s")).to_pandas().sort_values("k").reset_index(drop=True)
    assert df.to_dict("list") == {"k": ["a", "b"], "s": [4, 2]}
