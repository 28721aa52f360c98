"""Table API set operations (``intersect``/``minus`` [``_all``]), the statistical aggregates
(``stddev_pop``/``stddev_samp``/``var_pop``/``var_samp``) and ``str(table)`` as a registered
SQL name. Expected rows come from DuckDB (set operations, DOUBLE statistics) or a plain Python
computation of Flink's documented integer arithmetic (INT statistics)."""

from __future__ import annotations

import math

import duckdb
import pytest

from weir.table import DataTypes, TableEnvironment
from weir.table.expressions import col

LEFT = [(1, "a"), (1, "a"), (1, "a"), (2, "b"), (3, None), (3, None), (4, "d")]
RIGHT = [(1, "a"), (1, "a"), (3, None), (5, "e"), (2, "x")]
SCHEMA = DataTypes.ROW([DataTypes.FIELD("id", DataTypes.INT()), DataTypes.FIELD("data", DataTypes.STRING())])


def _key(row: tuple) -> tuple:  # type: ignore[type-arg]
    return tuple((v is None, v) for v in row)


def _duckdb_set(operator: str) -> list[tuple]:  # type: ignore[type-arg]
    con = duckdb.connect()
    con.execute("CREATE TABLE l(id INT, data VARCHAR)")
    con.execute("CREATE TABLE r(id INT, data VARCHAR)")
    con.executemany("INSERT INTO l VALUES (?, ?)", LEFT)
    con.executemany("INSERT INTO r VALUES (?, ?)", RIGHT)
    return sorted(con.execute(f"SELECT * FROM l {operator} SELECT * FROM r").fetchall(), key=_key)


@pytest.mark.parametrize(
    ("method", "operator"),
    [("intersect", "INTERSECT"), ("intersect_all", "INTERSECT ALL"), ("minus", "EXCEPT"), ("minus_all", "EXCEPT ALL")],
)
@pytest.mark.parametrize("mode", ["batch", "stream"])
def test_set_operations_match_duckdb(method: str, operator: str, mode: str, batch_env: TableEnvironment, stream_env: TableEnvironment) -> None:
    env = batch_env if mode == "batch" else stream_env
    left, right = env.from_elements(LEFT, SCHEMA), env.from_elements(RIGHT, SCHEMA)
    out = getattr(left, method)(right)
    assert out.get_schema().get_field_names() == ["id", "data"]
    got = sorted((tuple(r) for r in out.to_pandas().itertuples(index=False)), key=_key)
    got = [tuple(None if isinstance(v, float) and math.isnan(v) else v for v in r) for r in got]
    assert got == _duckdb_set(operator)


def test_set_operation_after_table_operations(batch_env: TableEnvironment) -> None:
    left = batch_env.from_elements(LEFT, SCHEMA).where(col("id") < 4).select(col("id"))
    right = batch_env.from_elements(RIGHT, SCHEMA).select(col("id"))
    assert sorted(r[0] for r in left.minus_all(right).execute().collect()) == [1, 3]


def test_set_operation_across_environments_is_an_error(batch_env: TableEnvironment, stream_env: TableEnvironment) -> None:
    with pytest.raises(Exception, match="INTERSECT: both tables must come from the same TableEnvironment"):
        batch_env.from_elements(LEFT, SCHEMA).intersect(stream_env.from_elements(RIGHT, SCHEMA))


DOUBLES = [("g", 1.0), ("g", 2.0), ("g", 4.0), ("g", None), ("h", 5.5), ("k", None)]


@pytest.mark.parametrize("mode", ["batch", "stream"])
def test_double_statistics_match_duckdb(mode: str, batch_env: TableEnvironment, stream_env: TableEnvironment) -> None:
    env = batch_env if mode == "batch" else stream_env
    schema = DataTypes.ROW([DataTypes.FIELD("k", DataTypes.STRING()), DataTypes.FIELD("x", DataTypes.DOUBLE())])
    t = env.from_elements(DOUBLES, schema)
    x = col("x")
    out = t.group_by(col("k")).select(col("k"), x.stddev_pop.alias("sp"), x.stddev_samp.alias("ss"), x.var_pop.alias("vp"), x.var_samp.alias("vs"))
    assert [f.sql for f in out.get_schema().get_field_data_types()][1:] == ["DOUBLE"] * 4
    frame = out.to_pandas().astype(object)
    got = {r[0]: tuple(None if v != v else v for v in r[1:]) for r in frame.itertuples(index=False)}
    con = duckdb.connect()
    con.execute("CREATE TABLE t(k VARCHAR, x DOUBLE)")
    con.executemany("INSERT INTO t VALUES (?, ?)", DOUBLES)
    want = {r[0]: r[1:] for r in con.execute("SELECT k, stddev_pop(x), stddev_samp(x), var_pop(x), var_samp(x) FROM t GROUP BY k").fetchall()}
    assert got.keys() == want.keys()
    for k, values in want.items():
        for g, w in zip(got[k], values):
            assert (g is None and w is None) or g == pytest.approx(w, rel=1e-12), (k, got[k], values)


def _trunc_div(a: int, b: int) -> int:
    """Java's integer division (truncating toward zero)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def _flink_int_statistics(xs: list[int]) -> tuple[int | None, ...]:
    """Flink's reduction in INT arithmetic: (SUM(x*x) - SUM(x)*SUM(x)/COUNT(x)) / d, the
    deviations as the square root cast back to INT (truncating)."""
    n, s, ssq = len(xs), sum(xs), sum(v * v for v in xs)
    diff = ssq - _trunc_div(s * s, n)
    var_pop = _trunc_div(diff, n)
    var_samp = None if n == 1 else _trunc_div(diff, n - 1)
    return (int(math.sqrt(var_pop)), None if var_samp is None else int(math.sqrt(var_samp)), var_pop, var_samp)


def test_int_statistics_keep_int_type_whole_table(batch_env: TableEnvironment) -> None:
    xs = [3, 7, 8, 15, -2]
    t = batch_env.from_elements([(v,) for v in xs], DataTypes.ROW([DataTypes.FIELD("x", DataTypes.INT())]))
    x = col("x")
    out = t.select(x.stddev_pop, x.stddev_samp, x.var_pop, x.var_samp)
    assert [f.sql for f in out.get_schema().get_field_data_types()] == ["INT"] * 4
    assert tuple(next(iter(out.execute().collect()))) == _flink_int_statistics(xs)
    one = batch_env.from_elements([(9,)], DataTypes.ROW([DataTypes.FIELD("x", DataTypes.INT())])).select(x.var_samp, x.var_pop)
    assert tuple(next(iter(one.execute().collect()))) == (None, 0)


def test_decimal_statistics_take_flinks_type(batch_env: TableEnvironment) -> None:
    t = batch_env.from_elements([(1,), (2,)], DataTypes.ROW([DataTypes.FIELD("x", DataTypes.DECIMAL(10, 2))]))
    out = t.select(col("x").var_pop, col("x").stddev_samp)
    assert [f.sql for f in out.get_schema().get_field_data_types()] == ["DECIMAL(38, 6)"] * 2


def test_statistic_of_a_string_is_an_error(batch_env: TableEnvironment) -> None:
    t = batch_env.from_elements([("a",)], ["s"])
    with pytest.raises(Exception, match="STDDEV_POP needs a numeric argument"):
        t.select(col("s").stddev_pop)


def test_str_registers_a_unique_name(batch_env: TableEnvironment) -> None:
    t = batch_env.from_elements(LEFT, SCHEMA)
    name = str(t)
    assert name.startswith("UnnamedTable$")
    assert str(t) == name
    other = batch_env.from_elements(RIGHT, SCHEMA)
    assert str(other) != name
    assert batch_env.from_path(name).get_schema().get_field_names() == ["id", "data"]
    rows = batch_env.sql_query("SELECT id, COUNT(*) AS n FROM %s GROUP BY id" % t).execute().collect()  # noqa: UP031 (the PyFlink idiom under test)
    assert sorted(tuple(r) for r in rows) == [(1, 3), (2, 1), (3, 2), (4, 1)]
    assert repr(t) == "Table(id, data)"


def test_str_skips_names_sql_declared(batch_env: TableEnvironment) -> None:
    batch_env.execute_sql("CREATE TEMPORARY VIEW `UnnamedTable$0` AS SELECT 1 AS one")
    t = batch_env.from_elements(LEFT, SCHEMA)
    assert str(t) == "UnnamedTable$1"
