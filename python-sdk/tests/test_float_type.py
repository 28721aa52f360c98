"""FLOAT is Flink's 32-bit float in the SDK too: ``DataTypes.FLOAT()`` and ``Types.FLOAT()`` map to
SQL ``FLOAT``, Python floats are rounded to 32 bits on the way in, come back as the double the
float widens to (as PyFlink's float coder unpacks it), sum in 32 bits, and ``to_pandas`` gives a
``float32`` column. Expected values are IEEE single-precision sums (a double sum of two floats
is exact, so rounding it to 32 bits after each addition is the 32-bit sum) and Java's
``Float.toString`` digits."""

from __future__ import annotations

import struct

from weir.common import Row, Types
from weir.table import DataTypes, TableEnvironment
from weir.table.expressions import col


def _f32(x: float) -> float:
    return struct.unpack("f", struct.pack("f", x))[0]


def _sum32(xs: list[float]) -> float:
    total = 0.0
    for x in xs:
        total = _f32(total + _f32(x))
    return total


def _prices(env: TableEnvironment):  # type: ignore[no-untyped-def]
    # Two prices a name, so that a 32-bit sum does not depend on the order rows are added in.
    schema = DataTypes.ROW([DataTypes.FIELD("name", DataTypes.STRING()), DataTypes.FIELD("price", DataTypes.FLOAT())])
    return env.from_elements([("a", 2.7), ("b", 53.1), ("a", 110.1), ("b", 30.2)], schema)


def test_float_maps_to_sql_float() -> None:
    assert DataTypes.FLOAT().sql == "FLOAT"
    assert Types.FLOAT().sql == "FLOAT"


def test_float_values_are_32_bit_and_sum_in_32_bits(batch_env: TableEnvironment) -> None:
    t = _prices(batch_env)
    assert [f.sql for f in t.get_schema().get_field_data_types()] == ["STRING", "FLOAT"]
    assert sorted(t.execute().collect()) == sorted(Row(name=n, price=_f32(p)) for n, p in [("a", 2.7), ("b", 53.1), ("a", 110.1), ("b", 30.2)])
    sums = t.group_by(col("name")).select(col("name"), col("price").sum.alias("total"))
    expected = {"a": _sum32([2.7, 110.1]), "b": _sum32([53.1, 30.2])}
    assert expected["a"] != 2.7 + 110.1, "a 32-bit sum, not a double one"
    assert {r[0]: r[1] for r in sums.execute().collect()} == expected
    assert [f.sql for f in sums.get_schema().get_field_data_types()] == ["STRING", "FLOAT"]


def test_float_prints_as_java(batch_env: TableEnvironment) -> None:
    t = _prices(batch_env).group_by(col("name")).select(col("name"), col("price").sum.alias("total"), col("price").max.alias("top"))
    rows = batch_env.execute_sql(f"SELECT CAST(total AS STRING), CAST(top AS STRING) FROM {t}").collect()
    assert sorted(tuple(r) for r in rows) == [("112.799995", "110.1"), ("83.3", "53.1")]


def test_to_pandas_gives_float32(batch_env: TableEnvironment) -> None:
    frame = _prices(batch_env).to_pandas()
    assert str(frame["price"].dtype) == "float32"
    assert sorted(frame["price"].tolist()) == sorted(_f32(p) for p in [2.7, 53.1, 110.1, 30.2])


def test_from_pandas_reads_float32_as_float(batch_env: TableEnvironment) -> None:
    import pandas

    frame = pandas.DataFrame({"x": pandas.Series([0.1, 2.5], dtype="float32"), "y": [0.1, 2.5]})
    t = batch_env.from_pandas(frame)
    assert [f.sql for f in t.get_schema().get_field_data_types()] == ["FLOAT", "DOUBLE"]
    assert sorted(tuple(r) for r in t.execute().collect()) == [(_f32(0.1), 0.1), (2.5, 2.5)]
