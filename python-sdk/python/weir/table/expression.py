"""``pyflink.table.expression``: the ``Expression`` class and the enums of the JSON
functions' clauses and the time units."""

from weir.table.expressions import Expression
from weir.table.json_clauses import JsonExistsOnError, JsonOnNull, JsonQueryOnEmptyOrError, JsonQueryWrapper, JsonType, JsonValueOnEmptyOrError
from weir.table.time_units import TimeIntervalUnit, TimePointUnit

__all__ = [
    "Expression",
    "JsonExistsOnError",
    "JsonOnNull",
    "JsonQueryOnEmptyOrError",
    "JsonQueryWrapper",
    "JsonType",
    "JsonValueOnEmptyOrError",
    "TimeIntervalUnit",
    "TimePointUnit",
]
