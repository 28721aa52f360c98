"""The columns of a table made from a DataStream (``StreamTableEnvironment.from_data_stream``):
from an explicit schema, else from the stream's declared type information."""

from __future__ import annotations

from typing import Any

from weir.errors import PlanError
from weir.table.types import DataType, RowType, from_sql


def _from_type_info(info: Any) -> list[tuple[str, DataType]]:
    name = getattr(info, "name", None)
    if name == "ROW_NAMED":
        return [(n, _atomic(t)) for n, t in info.fields]
    if name in ("ROW", "TUPLE"):
        return [(f"f{i}", _atomic(t)) for i, t in enumerate(info.fields)]
    return [("f0", _atomic(info))]


def _atomic(info: Any) -> DataType:
    sql = getattr(info, "sql", None)
    if sql is None:
        raise PlanError(f"from_data_stream: no table column type for the stream type {info!r} (declare a Schema)", "invalid_plan")
    return from_sql(sql, True)


def stream_columns(stream: Any, schema: tuple[Any, ...]) -> list[tuple[str, DataType]]:
    """``(name, type)`` of each physical column of the table made from ``stream``."""
    from weir.table.descriptors import Schema

    if len(schema) == 1 and isinstance(schema[0], Schema):
        # The physical columns; computed ones and the watermark come after (`schema_extension`).
        return [(n, t) for n, t in schema[0].columns if isinstance(t, DataType)]
    if len(schema) == 1 and isinstance(schema[0], RowType):
        return list(zip(schema[0].field_names(), schema[0].field_types()))
    info = stream.get_type()
    if info is None:
        raise PlanError(
            "from_data_stream needs the records' types: give a Schema, or declare the stream's type "
            "(output_type=Types.ROW_NAMED([...], [...]) on its last map, or type_info= on from_collection)",
            "invalid_plan",
        )
    columns = _from_type_info(info)
    names = [str(getattr(e, "name", e)) for e in schema]
    if names:
        if len(names) != len(columns):
            raise PlanError(f"from_data_stream: {len(names)} column names for {len(columns)} fields", "invalid_plan")
        columns = [(n, t) for n, (_, t) in zip(names, columns)]
    return columns


def schema_extension(schema: tuple[Any, ...]) -> str | None:
    """The CREATE TABLE column list of a ``Schema`` given to ``from_data_stream`` when it has
    computed columns or a watermark (which the physical columns are then extended with), else
    ``None``."""
    from weir.table.descriptors import Schema

    if len(schema) != 1 or not isinstance(schema[0], Schema):
        return None
    declared = schema[0]
    if declared.watermark is None and all(isinstance(t, DataType) for _, t in declared.columns):
        return None
    return declared.ddl_columns()
