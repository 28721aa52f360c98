"""ARRAY, MAP and MULTISET values through the Table API, as PyFlink handles them: declared with
``DataTypes.ARRAY``/``MAP`` or inferred from Python lists and dicts in ``from_elements``, and
returned as lists and dicts; the collection aggregates (``first_value``, ``last_value``,
``array_agg``, ``list_agg``, ``collect``) with the results of a plain fold over the rows in the
order given (one worker)."""

from __future__ import annotations

from weir.common import Row, RowKind
from weir.table import DataTypes, TableEnvironment
from weir.table.expressions import array, col, lit, map_

ROWS = [("a", "x", 1), ("b", None, 2), ("a", "y", None), ("a", None, 3), ("b", "z", 4)]


def test_declared_array_and_map_columns_round_trip(batch_env: TableEnvironment) -> None:
    schema = DataTypes.ROW([
        DataTypes.FIELD("id", DataTypes.INT()),
        DataTypes.FIELD("tags", DataTypes.ARRAY(DataTypes.STRING())),
        DataTypes.FIELD("scores", DataTypes.MAP(DataTypes.STRING(), DataTypes.BIGINT())),
    ])
    t = batch_env.from_elements([(1, ["a", None, "b"], {"x": 1, "y": None}), (2, [], {}), (3, None, None)], schema)
    out = t.select(
        col("id"), col("tags"), col("scores"), col("tags").cardinality.alias("n"), col("tags").at(1).alias("first"), col("scores").at("x").alias("x")
    )
    assert sorted(out.execute().collect()) == [
        Row(id=1, tags=["a", None, "b"], scores={"x": 1, "y": None}, n=3, first="a", x=1),
        Row(id=2, tags=[], scores={}, n=0, first=None, x=None),
        Row(id=3, tags=None, scores=None, n=None, first=None, x=None),
    ]
    assert str(DataTypes.ARRAY(DataTypes.INT().not_null())) == "ARRAY<INT>"
    assert str(DataTypes.MAP(DataTypes.STRING(), DataTypes.ARRAY(DataTypes.DOUBLE()))) == "MAP<STRING, ARRAY<DOUBLE>>"


def test_collection_types_are_inferred_from_lists_and_dicts(batch_env: TableEnvironment) -> None:
    t = batch_env.from_elements([([1, 2], {1: "one"}), ([None, 3], {2: "two"})], ["xs", "names"])
    out = t.select(col("xs"), col("names"), col("xs").at(2).alias("second"), col("names").at(2).alias("two"))
    assert sorted(out.execute().collect(), key=lambda r: r.second) == [
        Row(xs=[1, 2], names={1: "one"}, second=2, two=None),
        Row(xs=[None, 3], names={2: "two"}, second=3, two="two"),
    ]
    made = batch_env.from_elements([(1,)], ["k"]).select(array(col("k"), 5).alias("a"), map_("k", col("k")).alias("m"))
    assert list(made.execute().collect()) == [Row(a=[1, 5], m={"k": 1})]


def test_collection_aggregates_fold_in_arrival_order(batch_env: TableEnvironment) -> None:
    t = batch_env.from_elements(ROWS, ["k", "v", "n"])
    out = t.group_by(col("k")).select(
        col("k"),
        col("v").first_value.alias("fv"),
        col("v").last_value.alias("lv"),
        col("v").list_agg().alias("vs"),
        col("v").list_agg("|").alias("bar"),
        col("n").array_agg.alias("ns"),
        col("v").collect.alias("bag"),
    )
    assert sorted(out.execute().collect()) == [
        Row(k="a", fv="x", lv="y", vs="x,y", bar="x|y", ns=[1, None, 3], bag={"x": 1, "y": 1}),
        Row(k="b", fv="z", lv="z", vs="z", bar="z", ns=[2, 4], bag={"z": 1}),
    ]


def test_collection_aggregates_in_streaming_sql(stream_env: TableEnvironment) -> None:
    stream_env.create_temporary_view("t", stream_env.from_elements(ROWS, ["k", "v", "n"]))
    result = stream_env.execute_sql("SELECT k, LISTAGG(v, '-') AS vs, LAST_VALUE(n) AS ln, COLLECT(n) AS ns FROM t GROUP BY k")
    final: dict[str, tuple[object, ...]] = {}
    for r in result.collect():
        if r.get_row_kind() in (RowKind.INSERT, RowKind.UPDATE_AFTER):
            final[r.k] = tuple(r)
        else:
            assert final.pop(r.k) == tuple(r)
    assert sorted(final.values()) == [("a", "x-y", 3, {1: 1, 3: 1}), ("b", "z", 4, {2: 1, 4: 1})]


def test_scalar_functions_from_the_table_api(batch_env: TableEnvironment) -> None:
    t = batch_env.from_elements([("10.0.0.1", 42)], ["ip", "n"])
    out = t.select(
        col("ip").inet_aton().alias("num"),
        lit(2130706433).inet_ntoa().alias("ip2"),
        lit("%s=%05d").printf(col("ip"), col("n")).alias("p"),
        col("ip").encode("UTF-16LE").decode("UTF-16LE").alias("rt"),
    )
    assert list(out.execute().collect()) == [Row(num=167772161, ip2="127.0.0.1", p="10.0.0.1=00042", rt="10.0.0.1")]
