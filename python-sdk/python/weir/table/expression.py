"""``pyflink.table.expression``: the ``Expression`` class and the enums of the JSON
functions' clauses."""

from weir.table.expressions import Expression
from weir.table.json_clauses import JsonExistsOnError, JsonOnNull, JsonQueryOnEmptyOrError, JsonQueryWrapper, JsonType, JsonValueOnEmptyOrError

__all__ = ["Expression", "JsonExistsOnError", "JsonOnNull", "JsonQueryOnEmptyOrError", "JsonQueryWrapper", "JsonType", "JsonValueOnEmptyOrError"]
