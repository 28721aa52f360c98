"""Python table functions joined laterally: SQL ``LATERAL TABLE(f(x))`` and ``LEFT JOIN
LATERAL TABLE(...) ON TRUE``, and the Table API's ``join_lateral`` / ``left_outer_join_lateral``.
Expected rows come from calling the same generator in a plain Python loop."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from weir import PlanError
from weir.common import Row
from weir.table import DataTypes, TableEnvironment, udtf
from weir.table.expressions import col, lit

INPUT = [(1, "ab,c"), (2, ""), (3, "xyz"), (4, "p,q,r")]


def pieces(s: str) -> Iterator[tuple[str, int]]:
    """Non-empty comma-separated parts with their lengths; none for an empty string."""
    for part in s.split(","):
        if part:
            yield part, len(part)


split_parts = udtf(pieces, result_types=[DataTypes.STRING(), DataTypes.INT()], name="split_parts")


def inner_expected() -> list[Row]:
    return sorted(Row(id=i, part=p, len=n) for i, s in INPUT for p, n in pieces(s))


def outer_expected() -> list[Row]:
    out: list[Row] = []
    for i, s in INPUT:
        got = list(pieces(s))
        out.extend(Row(id=i, part=p, len=n) for p, n in got)
        if not got:
            out.append(Row(id=i, part=None, len=None))
    return sorted(out, key=_key)


def _key(r: Row) -> Any:
    return (r.id, r.part is not None, r.part or "")


@pytest.fixture(params=["batch", "stream"])
def env(request: pytest.FixtureRequest, batch_env: TableEnvironment, stream_env: TableEnvironment) -> TableEnvironment:
    e = batch_env if request.param == "batch" else stream_env
    e.create_temporary_function("split_parts", split_parts)
    e.create_temporary_view("t", e.from_elements(INPUT, ["id", "s"]))
    return e


def test_sql_lateral_table(env: TableEnvironment) -> None:
    rows = env.execute_sql("SELECT id, part, len FROM t, LATERAL TABLE(split_parts(s)) AS T(part, len)").collect()
    assert sorted(rows) == inner_expected()


def test_sql_left_join_lateral_on_true(env: TableEnvironment) -> None:
    rows = env.execute_sql("SELECT id, part, len FROM t LEFT JOIN LATERAL TABLE(split_parts(s)) AS T(part, len) ON TRUE").collect()
    assert sorted(rows, key=_key) == outer_expected()


def test_table_api_join_lateral(env: TableEnvironment) -> None:
    t = env.from_path("t").join_lateral(split_parts(col("s")).alias("part", "len")).select(col("id"), col("part"), col("len"))
    assert sorted(t.execute().collect()) == inner_expected()


def test_table_api_left_outer_join_lateral(env: TableEnvironment) -> None:
    t = env.from_path("t")
    for joined in (t.left_outer_join_lateral(split_parts(col("s")).alias("part", "len")),
                   t.left_outer_join_lateral(split_parts(col("s")).alias("part", "len"), lit(True))):
        rows = joined.select(col("id"), col("part"), col("len")).execute().collect()
        assert sorted(rows, key=_key) == outer_expected()


def test_left_outer_join_lateral_with_a_filter_after_it(env: TableEnvironment) -> None:
    t = env.from_path("t").left_outer_join_lateral(split_parts(col("s")).alias("part", "len"))
    rows = t.where(col("part").is_null).select(col("id")).execute().collect()
    assert sorted(rows) == [Row(id=i) for i, s in INPUT if not list(pieces(s))]


def test_left_outer_join_lateral_rejects_a_real_predicate(env: TableEnvironment) -> None:
    t = env.from_path("t")
    with pytest.raises(PlanError, match="only be empty or the literal TRUE"):
        t.left_outer_join_lateral(split_parts(col("s")).alias("part", "len"), col("len") > 1)
