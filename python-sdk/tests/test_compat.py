"""PyFlink conveniences beyond the core APIs: more expression methods, accumulator views,
Configuration, Row helpers and DataStream hints."""

from __future__ import annotations

from typing import Any

from weir.common import Configuration, Row, RowKind
from weir.datastream import RuntimeExecutionMode, StreamExecutionEnvironment
from weir.table import AggregateFunction, DataTypes, ListView, MapView, TableEnvironment, udaf
from weir.table.expressions import coalesce, col, concat_ws, lit, null_of


def test_more_expression_methods(batch_env: TableEnvironment) -> None:
    t = batch_env.from_elements([(2.5, "ab", "7"), (-1.5, "xyz", "n/a")], ["d", "s", "n"])
    out = t.select(
        col("d").ceil().alias("c"), col("d").floor().alias("f"), col("d").sign.alias("sg"),
        col("s").lpad(4, "*").alias("lp"), col("s").repeat(2).alias("rp"), col("s").reverse.alias("rv"),
        col("n").try_cast(DataTypes.INT()).alias("tc"), concat_ws("-", col("s"), col("n")).alias("cw"),
        null_of(DataTypes.STRING()).if_null("z").alias("nz"), col("s").substr(2).alias("sb"),
    )
    assert sorted(out.execute().collect()) == [
        Row(c=-1.0, f=-2.0, sg=-1.0, lp="*xyz", rp="xyzxyz", rv="zyx", tc=None, cw="xyz-n/a", nz="z", sb="yz"),
        Row(c=3.0, f=2.0, sg=1.0, lp="**ab", rp="abab", rv="ba", tc=7, cw="ab-7", nz="z", sb="b"),
    ]


def test_distinct_aggregates_and_week_intervals(batch_env: TableEnvironment) -> None:
    t = batch_env.from_elements([("a", 1), ("a", 1), ("a", 2), ("b", 5)], ["k", "v"])
    out = t.group_by(col("k")).select(col("k"), col("v").distinct.count.alias("d"), col("v").distinct.sum.alias("s"))
    assert sorted(out.execute().collect()) == [Row(k="a", d=2, s=3), Row(k="b", d=1, s=5)]
    assert list(t.select(coalesce(col("v"), 0).alias("v")).limit(1).execute().collect())[0].v in (1, 2, 5)
    assert lit(2).week.lower(batch_env) == {"literal": {"value": 2 * 7 * 86_400_000, "type": "INTERVAL DAY TO SECOND"}}


class DistinctWords(AggregateFunction):
    """Counts distinct words with a MapView accumulator and lists them with a ListView."""

    def create_accumulator(self) -> list[Any]:
        return [MapView(), ListView()]

    def accumulate(self, acc: list[Any], word: str) -> None:
        counts, order = acc
        if not counts.contains(word):
            order.add(word)
        counts.put(word, (counts.get(word) or 0) + 1)

    def get_value(self, acc: list[Any]) -> str:
        counts, order = acc
        return " ".join(f"{w}:{counts.get(w)}" for w in sorted(order))


def test_data_views_in_accumulators(batch_env: TableEnvironment) -> None:
    words = udaf(DistinctWords(), result_type=DataTypes.STRING())
    t = batch_env.from_elements([("x", "b"), ("x", "a"), ("x", "b"), ("y", "c")], ["k", "w"])
    out = t.group_by(col("k")).select(col("k"), words(col("w")).alias("ws"))
    assert sorted(out.execute().collect()) == [Row(k="x", ws="a:1 b:2"), Row(k="y", ws="c:1")]


def test_configuration_and_row_helpers() -> None:
    c = Configuration().set_integer("a", 3).set_boolean("b", True).set_float("f", 0.5)
    assert (c.get_integer("a", 0), c.get_boolean("b", False), c.get_float("f", 0.0), c.get_integer("zz", 9)) == (3, True, 0.5, 9)
    assert c.contains_key("a") and c.remove_config("a") and not c.contains_key("a")
    assert Configuration.from_dict({"k": "v"}).key_set() == {"k"}
    r = Row.of_kind(RowKind.DELETE, 1, "x")
    assert r.get_row_kind() == RowKind.DELETE and list(r) == [1, "x"]
    r.set_field_names(["id", "name"])
    r["name"] = "y"
    assert r.name == "y" and r.as_dict() == {"id": 1, "name": "y"}


def test_datastream_hints_and_project() -> None:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_runtime_mode(RuntimeExecutionMode.BATCH)
    ds = env.from_collection([(1, "a", True), (2, "b", False)]).rebalance().shuffle().set_description("d")
    assert sorted(ds.project(2, 0).execute_and_collect()) == [(False, 2), (True, 1)]
    assert ds.get_execution_environment() is env


def test_catalog_listing(batch_env: TableEnvironment) -> None:
    batch_env.create_temporary_view("t", batch_env.from_elements([(1,)], ["x"]))
    batch_env.execute_sql("CREATE VIEW v AS SELECT x FROM t")
    assert batch_env.list_views() == ["v"] and batch_env.get_current_catalog() == "default_catalog"
    assert batch_env.drop_view("v") and batch_env.list_views() == []
