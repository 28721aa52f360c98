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
    """``(name, type)`` of each physical column of the table made from ``stream``. With a
    ``Schema`` that has computed columns or a watermark and physical columns named after the
    stream type's fields, these are all the fields of the stream's type (declared physical
    columns give their types), as Flink lets computed columns read fields the schema does not
    list; ``from_data_stream`` then keeps the declared ones."""
    from weir.table.descriptors import Schema

    if len(schema) == 1 and isinstance(schema[0], Schema):
        declared = [(n, t) for n, t in schema[0].columns if isinstance(t, DataType)]
        info = stream.get_type()
        if schema_extension(schema) is None or info is None:
            return declared
        fields = _from_type_info(info)
        if not {n for n, _ in declared} <= {n for n, _ in fields}:
            # Declared columns that are not the type's fields name the fields by position.
            return declared
        types = dict(declared)
        return [(n, types.get(n, t)) for n, t in fields]
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


def schema_extension(schema: tuple[Any, ...]) -> Any:
    """The ``Schema`` given to ``from_data_stream`` when it has computed columns or a watermark
    (which the physical columns are then extended with), else ``None``."""
    from weir.table.descriptors import Schema

    if len(schema) != 1 or not isinstance(schema[0], Schema):
        return None
    declared = schema[0]
    if declared.watermark is None and all(isinstance(t, DataType) for _, t in declared.columns):
        return None
    return declared


def extension_columns(declared: Any, physical: list[tuple[str, DataType]]) -> str:
    """The CREATE TABLE column list that computes ``declared``'s computed columns and
    watermark over the ``physical`` columns (every field of the stream)."""
    listed = {n for n, t in declared.columns if isinstance(t, DataType)}
    extra = [f"`{n}` {t.sql}{'' if t.is_nullable else ' NOT NULL'}" for n, t in physical if n not in listed]
    own = declared.ddl_columns()
    return ", ".join([*extra, own]) if extra else own
