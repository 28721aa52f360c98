"""Reading a pandas DataFrame into rows and types (``TableEnvironment.from_pandas``)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from weir.table.types import DataType, DataTypes, RowType


def _dtype_type(dtype: Any, sample: Any) -> DataType:
    kind = getattr(dtype, "kind", "O")
    if kind == "b":
        return DataTypes.BOOLEAN()
    if kind in "iu":
        return DataTypes.INT() if getattr(dtype, "itemsize", 8) <= 4 and kind == "i" else DataTypes.BIGINT()
    if kind == "f":
        return DataTypes.FLOAT() if getattr(dtype, "itemsize", 8) == 4 else DataTypes.DOUBLE()
    if kind == "M":
        return DataTypes.TIMESTAMP(3)
    from weir.table.types import type_of

    return type_of(sample) if sample is not None else DataTypes.STRING()


def _plain(v: Any) -> Any:
    if v is None:
        return None
    if hasattr(v, "to_pydatetime"):
        return v.to_pydatetime()
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    try:
        import pandas

        if v is pandas.NaT or (not isinstance(v, (str, bytes, list, tuple)) and pandas.isna(v)):
            return None
    except (ImportError, TypeError, ValueError):
        pass
    return v


def dataframe_rows(pdf: Any, schema: DataType | Sequence[str] | None) -> tuple[list[str], list[DataType], list[tuple[Any, ...]]]:
    """Column names, their types and the rows (NaN/NaT read as NULL)."""
    rows = [tuple(_plain(v) for v in r) for r in pdf.itertuples(index=False, name=None)]
    if isinstance(schema, RowType):
        return schema.field_names(), schema.field_types(), rows
    names = list(schema) if schema is not None else [str(c) for c in pdf.columns]
    types = []
    for i, dtype in enumerate(pdf.dtypes):
        sample = next((r[i] for r in rows if r[i] is not None), None)
        types.append(_dtype_type(dtype, sample))
    return names, types, rows
