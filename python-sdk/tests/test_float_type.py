"""FLOAT is Flink's 32-bit float in the SDK too: ``DataTypes.FLOAT()`` and ``Types.FLOAT()`` map to
SQL ``FLOAT``, Python floats are rounded to 32 bits on the way in, come back as the double the
float widens to (as PyFlink's float coder unpacks it), sum in 32 bits, and ``to_pandas`` gives a
``float32`` column. Expected values are numpy's float32 arithmetic (an independent 32-bit
implementation) and Java's ``Float.toString`` digits."""

from __future__ import annotations

import numpy as np

from weir.common import Row, Types
from weir.table import DataTypes, TableEnvironment
from weir.table.expressions import col


def _f32(x: float) -> float:
    return float(np.float32(x))


def _prices(env: TableEnvironment):  # type: ignore[no-untyped-def]
    schema = DataTypes.ROW([DataTypes.FIELD("name", DataTypes.STRING()), DataTypes.FIELD("price", DataTypes.FLOAT())])
    return env.from_elements([("a", 2.7), ("b", 53.1), ("a", 110.1), ("b", 30.2), ("b", 3.1)], schema)


def test_float_maps_to_sql_float() -> None:
    assert DataTypes.FLOAT().sql == "FLOAT"
    assert Types.FLOAT().sql == "FLOAT"


def test_float_values_are_32_bit_and_sum_in_32_bits(batch_env: TableEnvironment) -> None:
    t = _prices(batch_env)
    assert [f.sql for f in t.get_schema().get_field_data_types()] == ["STRING", "FLOAT"]
    assert sorted(t.execute().collect()) == sorted(Row(name=n, price=_f32(p)) for n, p in [("a", 2.7), ("b", 53.1), ("a", 110.1), ("b", 30.2), ("b", 3.1)])
    sums = t.group_by(col("name")).select(col("name"), col("price").sum.alias("total"))
    expected = {"a": np.float32(2.7) + np.float32(110.1), "b": np.float32(53.1) + np.float32(30.2) + np.float32(3.1)}
    assert {r[0]: r[1] for r in sums.execute().collect()} == {k: float(v) for k, v in expected.items()}
    assert [f.sql for f in sums.get_schema().get_field_data_types()] == ["STRING", "FLOAT"]


def test_float_prints_as_java(batch_env: TableEnvironment) -> None:
    t = _prices(batch_env).group_by(col("name")).select(col("name"), col("price").sum.alias("total"), col("price").max.alias("top"))
    text = "\n".join(sorted(str(r) for r in batch_env.execute_sql(f"SELECT CAST(total AS STRING), CAST(top AS STRING) FROM {t}").collect()))
    assert text == "\n".join(sorted([str(Row("112.799995", "110.1")), str(Row("86.4", "53.1"))]))


def test_to_pandas_gives_float32(batch_env: TableEnvironment) -> None:
    frame = _prices(batch_env).to_pandas()
    assert str(frame["price"].dtype) == "float32"
    assert frame["price"].tolist() == [_f32(p) for p in [2.7, 53.1, 110.1, 30.2, 3.1]]
