"""The clauses of the JSON functions, as PyFlink's enums in ``pyflink.table.expression``:
``col('j').json_value('$.a', DataTypes.INT(), JsonValueOnEmptyOrError.DEFAULT, 0)`` is SQL's
``JSON_VALUE(j, '$.a' RETURNING INT DEFAULT 0 ON EMPTY)``."""

from __future__ import annotations

from enum import Enum


class JsonType(Enum):
    """What ``is_json`` tests for: any JSON value, an object, an array or a scalar."""

    VALUE = 0
    OBJECT = 1
    ARRAY = 2
    SCALAR = 3


class JsonExistsOnError(Enum):
    """What ``json_exists`` gives when the path fails (strict mode, a document that is not JSON)."""

    TRUE = 0
    FALSE = 1
    UNKNOWN = 2
    ERROR = 3


class JsonValueOnEmptyOrError(Enum):
    """What ``json_value`` gives when the path selects nothing or fails: NULL, an error, or the
    default value passed beside it."""

    NULL = 0
    ERROR = 1
    DEFAULT = 2


class JsonQueryWrapper(Enum):
    """Whether ``json_query`` wraps its result in an array (CONDITIONAL: unless it is one)."""

    WITHOUT_ARRAY = 0
    CONDITIONAL_ARRAY = 1
    UNCONDITIONAL_ARRAY = 2


class JsonQueryOnEmptyOrError(Enum):
    """What ``json_query`` gives when the path selects nothing or fails."""

    NULL = 0
    EMPTY_ARRAY = 1
    EMPTY_OBJECT = 2
    ERROR = 3


class JsonOnNull(Enum):
    """Whether ``json_object`` / ``json_array`` keep NULL values (``NULL``) or leave them out."""

    NULL = 0
    ABSENT = 1


def wrapper_keyword(wrapper: JsonQueryWrapper) -> str:
    """The keyword Weir's ``JSON_QUERY`` takes for ``wrapper``."""
    return wrapper.name.removesuffix("_ARRAY")


def behaviour_keyword(behaviour: JsonQueryOnEmptyOrError | JsonValueOnEmptyOrError | JsonExistsOnError) -> str:
    """The keyword Weir's JSON functions take for an ON EMPTY / ON ERROR behaviour."""
    return behaviour.name.replace("_", " ")


__all__ = ["JsonExistsOnError", "JsonOnNull", "JsonQueryOnEmptyOrError", "JsonQueryWrapper", "JsonType", "JsonValueOnEmptyOrError"]
