"""PyFlink's expression functions beyond ``col``/``lit``/``call`` (``concat_ws``, ``to_date``,
``current_timestamp``, ...), over-window bounds, and the :class:`Expression` methods Weir does
not have yet (each raises :class:`weir.UnsupportedError` naming it). Re-exported by
``weir.table.expressions``."""

from __future__ import annotations

from typing import Any

from weir.errors import declare_unsupported, unsupported_function
from weir.table.expressions import CallExpr, CastExpr, Expression, JsonAggregateExpr, LiteralExpr, Lowering, _e
from weir.table.json_clauses import JsonOnNull
from weir.table.types import DataType


def concat_ws(separator: Any, *args: Any) -> Expression:
    """``CONCAT_WS(separator, args)``."""
    return CallExpr("CONCAT_WS", [_e(separator), *[_e(a) for a in args]])


def not_(expression: Expression) -> Expression:
    """``NOT expression``."""
    return CallExpr("NOT", [expression])


def negative(v: Any) -> Expression:
    """``-v``."""
    return CallExpr("NEGATE", [_e(v)])


def null_of(data_type: DataType) -> Expression:
    """A NULL of ``data_type``."""
    return CastExpr(LiteralExpr(None), data_type)


def e() -> Expression:
    """Euler's number."""
    return CallExpr("EXP", [LiteralExpr(1.0)])


def pi() -> Expression:
    """Pi."""
    import math

    return LiteralExpr(math.pi)


def log(v: Any, base: Any = None) -> Expression:
    """``LN(v)``, or ``LOG(base, v)``."""
    return CallExpr("LN", [_e(v)]) if base is None else CallExpr("LOG", [_e(base), _e(v)])


def current_date() -> Expression:
    """``CURRENT_DATE``."""
    return CallExpr("CURRENT_DATE", [])


def current_timestamp() -> Expression:
    """``CURRENT_TIMESTAMP``."""
    return CallExpr("CURRENT_TIMESTAMP", [])


def local_timestamp() -> Expression:
    """``LOCALTIMESTAMP``."""
    return CallExpr("LOCALTIMESTAMP", [])


def date_format(timestamp: Any, format: Any) -> Expression:
    """``DATE_FORMAT(timestamp, format)`` (Java date pattern)."""
    return CallExpr("DATE_FORMAT", [_e(timestamp), _e(format)])


def from_unixtime(unixtime: Any, format: Any = None) -> Expression:
    """``FROM_UNIXTIME(seconds[, format])``."""
    return CallExpr("FROM_UNIXTIME", [_e(unixtime)] + ([_e(format)] if format is not None else []))


def unix_timestamp(date_str: Any = None, format: Any = None) -> Expression:
    """``UNIX_TIMESTAMP([date_str[, format]])``."""
    args = [a for a in (date_str, format) if a is not None]
    return CallExpr("UNIX_TIMESTAMP", [_e(a) for a in args])


def to_date(date_str: Any, format: Any = None) -> Expression:
    """``TO_DATE(date_str[, format])``."""
    return CallExpr("TO_DATE", [_e(date_str)] + ([_e(format)] if format is not None else []))


def to_timestamp(timestamp_str: Any, format: Any = None) -> Expression:
    """``TO_TIMESTAMP(timestamp_str[, format])``."""
    return CallExpr("TO_TIMESTAMP", [_e(timestamp_str)] + ([_e(format)] if format is not None else []))


def to_timestamp_ltz(numeric_epoch_time: Any, precision: Any = 3) -> Expression:
    """``TO_TIMESTAMP_LTZ(epoch, precision)``."""
    return CallExpr("TO_TIMESTAMP_LTZ", [_e(numeric_epoch_time), _e(precision)])


def json_string(value: Any) -> Expression:
    """``JSON_STRING(value)``: the value as JSON text."""
    return CallExpr("JSON_STRING", [_e(value)])


def _on_null(on_null: Any, args: tuple[Any, ...], default: JsonOnNull) -> list[Expression]:
    """The NULL-handling keyword and the arguments (``on_null`` may be the first argument)."""
    if not isinstance(on_null, JsonOnNull):
        args = (on_null, *args) if on_null is not None else args
        on_null = default
    return [LiteralExpr(on_null.name), *[_e(a) for a in args]]


def json_object(on_null: JsonOnNull = JsonOnNull.NULL, *args: Any) -> Expression:
    """``JSON_OBJECT(KEY k VALUE v, .. {NULL|ABSENT} ON NULL)``: ``args`` alternate keys and
    values; a value that is itself ``json_object``/``json_array`` nests as JSON."""
    return CallExpr("JSON_OBJECT", _on_null(on_null, args, JsonOnNull.NULL))


def json_array(on_null: JsonOnNull = JsonOnNull.ABSENT, *args: Any) -> Expression:
    """``JSON_ARRAY(v, .. {NULL|ABSENT} ON NULL)``."""
    return CallExpr("JSON_ARRAY", _on_null(on_null, args, JsonOnNull.ABSENT))


def json_array_agg(on_null: JsonOnNull, item: Any) -> Expression:
    """``JSON_ARRAYAGG(item {NULL|ABSENT} ON NULL)``: the group's values as one JSON array (in
    arrival order; ``[]`` for a group without values)."""
    return JsonAggregateExpr("JSON_ARRAYAGG", on_null, [_e(item)])


def json_object_agg(on_null: JsonOnNull, key: Any, value: Any) -> Expression:
    """``JSON_OBJECTAGG(KEY key VALUE value {NULL|ABSENT} ON NULL)``: the group's pairs as one
    JSON object (keys sorted; a NULL or repeated key fails the job)."""
    return JsonAggregateExpr("JSON_OBJECTAGG", on_null, [_e(key), _e(value)])


def convert_tz(date_str: Any, tz_from: Any, tz_to: Any) -> Expression:
    """``CONVERT_TZ(date_str, tz_from, tz_to)``: the ``yyyy-MM-dd HH:mm:ss`` wall-clock time
    ``date_str`` in zone ``tz_from`` as the wall-clock time in ``tz_to`` (zone names such as
    ``'Asia/Shanghai'``, UTC or fixed offsets such as ``'+08:00'``/``'GMT-08:00'``); NULL when it
    does not parse."""
    return CallExpr("CONVERT_TZ", [_e(date_str), _e(tz_from), _e(tz_to)])


def current_database() -> Expression:
    """``CURRENT_DATABASE()``: ``'default_database'``, the session's only database."""
    return CallExpr("CURRENT_DATABASE", [])


def current_watermark(rowtime: Any) -> Expression:
    """``CURRENT_WATERMARK(rowtime)``: the watermark of the rowtime attribute ``rowtime`` (the
    column a watermark is declared for) where the expression is evaluated, NULL until one has
    been emitted (and always in batch mode). Only in ``select`` and ``where``/``filter``:
    ``t.where(current_watermark(col("ts")).is_null | (col("ts") > current_watermark(col("ts"))))``
    keeps the rows that are not late."""
    return CallExpr("CURRENT_WATERMARK", [_e(rowtime)])


def array(head: Any, *tail: Any) -> Expression:
    """``ARRAY[head, ..]``: an ARRAY of the values (converted to their common type)."""
    return CallExpr("ARRAY", [_e(head), *(_e(t) for t in tail)])


def map_(key: Any, value: Any, *tail: Any) -> Expression:
    """``MAP[key, value, ..]``: a MAP of the key-value pairs (a repeated key keeps its last value)."""
    return CallExpr("MAP", [_e(key), _e(value), *(_e(t) for t in tail)])


def rand(seed: Any = None) -> Expression:
    """``RAND([seed])``: a DOUBLE in [0, 1); with a seed, the same sequence on every run."""
    return CallExpr("RAND", [] if seed is None else [_e(seed)])


def rand_integer(bound: Any, seed: Any = None) -> Expression:
    """``RAND_INTEGER([seed, ] bound)``: an INT in [0, bound)."""
    return CallExpr("RAND_INTEGER", ([] if seed is None else [_e(seed)]) + [_e(bound)])


def uuid() -> Expression:
    """``UUID()``: a random version-4 UUID as a STRING."""
    return CallExpr("UUID", [])


def atan2(y: Any, x: Any) -> Expression:
    """``ATAN2(y, x)``: the angle of the point (x, y), in radians."""
    return CallExpr("ATAN2", [_e(y), _e(x)])


def current_time() -> Expression:
    """``CURRENT_TIME``: the time of day in the session's time zone (TIME)."""
    return CallExpr("CURRENT_TIME", [])


def local_time() -> Expression:
    """``LOCALTIME``: the time of day in the session's time zone (TIME)."""
    return CallExpr("LOCALTIME", [])


def temporal_overlaps(left_time_point: Any, left_temporal: Any, right_time_point: Any, right_temporal: Any) -> Expression:
    """``TEMPORAL_OVERLAPS(s0, e0, s1, e1)``: whether the two periods share a point; each end
    is a date-time of the start's type or an interval added to the start."""
    args = [left_time_point, left_temporal, right_time_point, right_temporal]
    return CallExpr("TEMPORAL_OVERLAPS", [_e(a) for a in args])


def timestamp_diff(time_point_unit: Any, time_point1: Any, time_point2: Any) -> Expression:
    """``TIMESTAMPDIFF(unit, t1, t2)``: whole ``TimePointUnit``s from ``t1`` to ``t2``."""
    return CallExpr("TIMESTAMPDIFF", [LiteralExpr(time_point_unit.name), _e(time_point1), _e(time_point2)])


_MISSING = {
    "row": "ROW values", "json": "the JSON function",
    "range_": "column ranges",
    "with_columns": "column ranges", "without_columns": "column ranges",
    "source_watermark": "SOURCE_WATERMARK",
    "descriptor": "window table functions from the Table API",
}
for _name, _feature in _MISSING.items():
    globals()[_name] = unsupported_function(_name, _feature, __name__)


class _OverBound(Expression):
    """A bound of an over window (``UNBOUNDED_RANGE``, ``CURRENT_ROW``, ...)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def lower(self, ctx: Lowering) -> dict[str, Any]:
        from weir.errors import unsupported

        raise unsupported(f"{self.name} (over windows)")

    def __repr__(self) -> str:
        return self.name


UNBOUNDED_ROW = _OverBound("UNBOUNDED_ROW")
UNBOUNDED_RANGE = _OverBound("UNBOUNDED_RANGE")
CURRENT_ROW = _OverBound("CURRENT_ROW")
CURRENT_RANGE = _OverBound("CURRENT_RANGE")


_PROPERTIES = frozenset(["flatten", "map_entries", "proctime"])

# PyFlink methods whose function the engine lacks (docs/functions.md, "Flink functions not
# supported yet"); every other PyFlink method is implemented in expressions.py,
# collection_methods.py or function_methods.py.
_NO_ROW = "ROW (composite) values: the engine has no ROW type yet"
_NO_BITMAP = "bitmap functions: the engine has no BITMAP type"
declare_unsupported(Expression, {
    "as_argument": "AS_ARGUMENT: the engine has no process table functions",
    **{name: _NO_BITMAP for name in [
        "bitmap_and", "bitmap_and_agg", "bitmap_and_cardinality_agg", "bitmap_andnot", "bitmap_build",
        "bitmap_build_agg", "bitmap_build_cardinality_agg", "bitmap_cardinality", "bitmap_from_bytes",
        "bitmap_or", "bitmap_or_agg", "bitmap_or_cardinality_agg", "bitmap_to_array", "bitmap_to_bytes",
        "bitmap_to_string", "bitmap_xor", "bitmap_xor_agg", "bitmap_xor_cardinality_agg",
    ]},
    "flatten": _NO_ROW,
    "get": _NO_ROW,
    "map_entries": "MAP_ENTRIES: it returns an ARRAY of ROWs and the engine has no ROW type yet",
    "object_update": "OBJECT_UPDATE: the engine has no structured (object) types",
    "percentile": "the PERCENTILE aggregate: the engine lacks it",
    "proctime": "declaring a processing-time attribute from the Table API: use a `pt AS PROCTIME()` "
    "computed column (DDL or Schema.column_by_expression)",
}, _PROPERTIES)

__all__ = [
    "json_string",
    "json_object",
    "json_array",
    "json_array_agg",
    "json_object_agg",
    "concat_ws",
    "not_",
    "negative",
    "null_of",
    "e",
    "pi",
    "log",
    "current_date",
    "current_timestamp",
    "local_timestamp",
    "date_format",
    "from_unixtime",
    "unix_timestamp",
    "to_date",
    "to_timestamp",
    "to_timestamp_ltz",
    "convert_tz",
    "current_database",
    "current_watermark",
    "array",
    "map_",
    "rand",
    "rand_integer",
    "uuid",
    "atan2",
    "current_time",
    "local_time",
    "temporal_overlaps",
    "timestamp_diff",
    "UNBOUNDED_ROW",
    "UNBOUNDED_RANGE",
    "CURRENT_ROW",
    "CURRENT_RANGE",
    *_MISSING,
]
