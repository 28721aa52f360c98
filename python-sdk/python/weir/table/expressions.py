"""Table API expressions: ``col``, ``lit``, ``call``, operators and methods, as in
``pyflink.table.expressions``. Each expression lowers to the job spec's JSON expression form
(``{"column": ..}``, ``{"literal": ..}``, ``{"call": ..}``, ``{"cast": ..}``)."""

from __future__ import annotations

import datetime
import decimal
import json as _json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from weir.table.collection_methods import CollectionMethods
from weir.table.function_methods import FunctionMethods
from weir.table.json_clauses import (
    JsonExistsOnError,
    JsonQueryOnEmptyOrError,
    JsonQueryWrapper,
    JsonType,
    JsonValueOnEmptyOrError,
    behaviour_keyword,
    wrapper_keyword,
)
from weir.table.types import DataType

if TYPE_CHECKING:
    from weir.table.udf import UserDefinedFunctionWrapper


class Lowering(Protocol):
    """What lowering needs from the environment: a name for each Python function used."""

    def function_name(self, function: "UserDefinedFunctionWrapper") -> str:
        """The registered name of ``function`` (registering it on first use)."""
        ...


class Expression(CollectionMethods, FunctionMethods):
    """A Table API expression. Combine with ``+ - * / %``, ``== != < <= > >=``, ``& | ~``."""

    __hash__ = object.__hash__

    def lower(self, ctx: Lowering) -> dict[str, Any]:
        """The JSON expression of the job spec."""
        raise NotImplementedError

    def default_name(self) -> str | None:
        """The output column name this expression gets when not aliased."""
        return None

    def aggregates(self) -> list["AggregateExpr"]:
        """The aggregate calls inside this expression."""
        return [a for c in self.children() for a in c.aggregates()]

    def children(self) -> list["Expression"]:
        """Direct subexpressions."""
        return []

    def replace(self, f: Callable[["Expression"], "Expression | None"]) -> "Expression":
        """This expression with subexpressions replaced where ``f`` returns one."""
        out = f(self)
        return self if out is None else out

    def __bool__(self) -> bool:
        raise TypeError("use & / | / ~ to combine Table API conditions, not and / or / not")

    def over(self, alias: "Expression | str") -> "Expression":
        """This aggregate over the over window ``alias`` (``col('v').max.over(col('w'))``)."""
        from weir.table.over_window import OverCallExpr

        return OverCallExpr(self, alias.name if isinstance(alias, ColumnExpr) else str(alias))

    # operators
    def __add__(self, o: Any) -> "Expression":
        return CallExpr("+", [self, _e(o)])

    def __radd__(self, o: Any) -> "Expression":
        return CallExpr("+", [_e(o), self])

    def __sub__(self, o: Any) -> "Expression":
        return CallExpr("-", [self, _e(o)])

    def __rsub__(self, o: Any) -> "Expression":
        return CallExpr("-", [_e(o), self])

    def __mul__(self, o: Any) -> "Expression":
        return CallExpr("*", [self, _e(o)])

    def __rmul__(self, o: Any) -> "Expression":
        return CallExpr("*", [_e(o), self])

    def __truediv__(self, o: Any) -> "Expression":
        return CallExpr("/", [self, _e(o)])

    def __rtruediv__(self, o: Any) -> "Expression":
        return CallExpr("/", [_e(o), self])

    def __mod__(self, o: Any) -> "Expression":
        return CallExpr("%", [self, _e(o)])

    def __neg__(self) -> "Expression":
        return CallExpr("NEGATE", [self])

    def __eq__(self, o: Any) -> "Expression":  # type: ignore[override]
        return CallExpr("=", [self, _e(o)])

    def __ne__(self, o: Any) -> "Expression":  # type: ignore[override]
        return CallExpr("<>", [self, _e(o)])

    def __lt__(self, o: Any) -> "Expression":
        return CallExpr("<", [self, _e(o)])

    def __le__(self, o: Any) -> "Expression":
        return CallExpr("<=", [self, _e(o)])

    def __gt__(self, o: Any) -> "Expression":
        return CallExpr(">", [self, _e(o)])

    def __ge__(self, o: Any) -> "Expression":
        return CallExpr(">=", [self, _e(o)])

    def __and__(self, o: Any) -> "Expression":
        return CallExpr("AND", [self, _e(o)])

    def __or__(self, o: Any) -> "Expression":
        return CallExpr("OR", [self, _e(o)])

    def __invert__(self) -> "Expression":
        return CallExpr("NOT", [self])

    # naming and ordering
    def alias(self, name: str, *extra_names: str) -> "Expression":
        """Names the output column."""
        return AliasExpr(self, name)

    @property
    def asc(self) -> "Expression":
        """Ascending order (for ``order_by``)."""
        return SortExpr(self, False)

    @property
    def desc(self) -> "Expression":
        """Descending order (for ``order_by``)."""
        return SortExpr(self, True)

    # aggregates
    @property
    def count(self) -> "Expression":
        """``COUNT(expr)``: non-NULL values."""
        return AggregateExpr("count", self)

    @property
    def count_distinct(self) -> "Expression":
        """``COUNT(DISTINCT expr)``."""
        return AggregateExpr("count", self, distinct=True)

    @property
    def sum(self) -> "Expression":
        """``SUM(expr)``."""
        return AggregateExpr("sum", self)

    @property
    def avg(self) -> "Expression":
        """``AVG(expr)``."""
        return AggregateExpr("avg", self)

    @property
    def max(self) -> "Expression":
        """``MAX(expr)``."""
        return AggregateExpr("max", self)

    @property
    def min(self) -> "Expression":
        """``MIN(expr)``."""
        return AggregateExpr("min", self)

    @property
    def sum0(self) -> "Expression":
        """``SUM0(expr)``: ``SUM``, but 0 rather than NULL for a group without values."""
        return AggregateExpr("sum0", self)

    @property
    def stddev_pop(self) -> "Expression":
        """``STDDEV_POP(expr)``: population standard deviation (Flink's type rules)."""
        return AggregateExpr("stddev_pop", self)

    @property
    def stddev_samp(self) -> "Expression":
        """``STDDEV_SAMP(expr)``: sample standard deviation, NULL for one value."""
        return AggregateExpr("stddev_samp", self)

    @property
    def var_pop(self) -> "Expression":
        """``VAR_POP(expr)``: population variance."""
        return AggregateExpr("var_pop", self)

    @property
    def var_samp(self) -> "Expression":
        """``VAR_SAMP(expr)``: sample variance, NULL for one value."""
        return AggregateExpr("var_samp", self)

    # functions
    @property
    def is_null(self) -> "Expression":
        """``expr IS NULL``."""
        return CallExpr("IS NULL", [self])

    @property
    def is_not_null(self) -> "Expression":
        """``expr IS NOT NULL``."""
        return CallExpr("IS NOT NULL", [self])

    @property
    def upper_case(self) -> "Expression":
        """``UPPER(expr)``."""
        return CallExpr("UPPER", [self])

    @property
    def lower_case(self) -> "Expression":
        """``LOWER(expr)``."""
        return CallExpr("LOWER", [self])

    @property
    def char_length(self) -> "Expression":
        """``CHAR_LENGTH(expr)``."""
        return CallExpr("CHAR_LENGTH", [self])

    @property
    def abs(self) -> "Expression":
        """``ABS(expr)``."""
        return CallExpr("ABS", [self])

    def trim(self) -> "Expression":
        """``TRIM(expr)``."""
        return CallExpr("TRIM", [self])

    def like(self, pattern: Any) -> "Expression":
        """``expr LIKE pattern``."""
        return CallExpr("LIKE", [self, _e(pattern)])

    def in_(self, *values: Any) -> "Expression":
        """``expr IN (values)``."""
        return CallExpr("IN", [self, *[_e(v) for v in values]])

    def between(self, lower: Any, upper: Any) -> "Expression":
        """``expr BETWEEN lower AND upper``."""
        return CallExpr("BETWEEN", [self, _e(lower), _e(upper)])

    def substring(self, begin: Any, length: Any | None = None) -> "Expression":
        """``SUBSTRING(expr, begin[, length])`` (1-based)."""
        args = [self, _e(begin)] + ([_e(length)] if length is not None else [])
        return CallExpr("SUBSTRING", args)

    def round(self, places: Any = 0) -> "Expression":
        """``ROUND(expr, places)``."""
        return CallExpr("ROUND", [self, _e(places)])

    def if_then_else(self, if_true: Any, if_false: Any) -> "Expression":
        """``IF(expr, if_true, if_false)``."""
        return CallExpr("IF", [self, _e(if_true), _e(if_false)])

    def cast(self, data_type: DataType) -> "Expression":
        """``CAST(expr AS type)``."""
        return CastExpr(self, data_type)

    # intervals (window sizes) and window properties
    def _interval(self, unit_ms: int) -> "Expression":
        if not isinstance(self, LiteralExpr) or not isinstance(self.value, int):
            raise TypeError("intervals are written lit(n).seconds / .minutes / ...")
        return IntervalExpr(self.value * unit_ms)

    @property
    def millis(self) -> "Expression":
        """``lit(n).millis``: an interval of n milliseconds."""
        return self._interval(1)

    @property
    def seconds(self) -> "Expression":
        """``lit(n).seconds``: an interval of n seconds."""
        return self._interval(1000)

    @property
    def minutes(self) -> "Expression":
        """``lit(n).minutes``: an interval of n minutes."""
        return self._interval(60_000)

    @property
    def hours(self) -> "Expression":
        """``lit(n).hours``: an interval of n hours."""
        return self._interval(3_600_000)

    @property
    def days(self) -> "Expression":
        """``lit(n).days``: an interval of n days."""
        return self._interval(86_400_000)

    @property
    def start(self) -> "Expression":
        """``col('w').start``: the start of group window ``w``."""
        return ColumnExpr("window_start")

    @property
    def end(self) -> "Expression":
        """``col('w').end``: the end of group window ``w``."""
        return ColumnExpr("window_end")

    @property
    def rowtime(self) -> "Expression":
        """``col('w').rowtime``: the time attribute of group window ``w`` (end - 1 ms)."""
        return ColumnExpr("window_time")

    def then(self, value: Any) -> "Expression":
        """Not supported: use ``if_then_else``."""
        raise TypeError("use if_then_else")

    # more intervals (PyFlink's singular spellings too)
    hour = hours
    minute = minutes
    second = seconds
    day = days
    milli = millis

    @property
    def week(self) -> "Expression":
        """``lit(n).week``: an interval of n weeks."""
        return self._interval(7 * 86_400_000)

    weeks = week

    # more functions
    def _call(self, name: str, *args: Any) -> "Expression":
        return CallExpr(name, [self, *[_e(a) for a in args if a is not None]])

    def ceil(self, time_interval_unit: Any = None) -> "Expression":
        """``CEIL(expr)``, or ``CEIL(expr TO unit)`` for a ``TimeIntervalUnit``."""
        return self._call("CEIL", getattr(time_interval_unit, "name", time_interval_unit))

    def floor(self, time_interval_unit: Any = None) -> "Expression":
        """``FLOOR(expr)``, or ``FLOOR(expr TO unit)`` for a ``TimeIntervalUnit``."""
        return self._call("FLOOR", getattr(time_interval_unit, "name", time_interval_unit))

    @property
    def exp(self) -> "Expression":
        """``EXP(expr)``."""
        return self._call("EXP")

    @property
    def ln(self) -> "Expression":
        """``LN(expr)``."""
        return self._call("LN")

    @property
    def log10(self) -> "Expression":
        """``LOG10(expr)``."""
        return self._call("LOG10")

    @property
    def log2(self) -> "Expression":
        """``LOG2(expr)``."""
        return self._call("LOG2")

    def log(self, base: Any = None) -> "Expression":
        """``LN(expr)``, or ``LOG(base, expr)``."""
        return self._call("LN") if base is None else CallExpr("LOG", [_e(base), self])

    @property
    def sqrt(self) -> "Expression":
        """``SQRT(expr)``."""
        return self._call("SQRT")

    @property
    def sign(self) -> "Expression":
        """``SIGN(expr)``."""
        return self._call("SIGN")

    def lpad(self, length: Any, pad: Any) -> "Expression":
        """``LPAD(expr, length, pad)``."""
        return self._call("LPAD", length, pad)

    def rpad(self, length: Any, pad: Any) -> "Expression":
        """``RPAD(expr, length, pad)``."""
        return self._call("RPAD", length, pad)

    def ltrim(self, trim_str: Any = None) -> "Expression":
        """``LTRIM(expr[, chars])``."""
        return self._call("LTRIM", trim_str)

    def rtrim(self, trim_str: Any = None) -> "Expression":
        """``RTRIM(expr[, chars])``."""
        return self._call("RTRIM", trim_str)

    def btrim(self, trim_str: Any = None) -> "Expression":
        """``BTRIM(expr[, chars])``."""
        return self._call("BTRIM", trim_str)

    def repeat(self, n: Any) -> "Expression":
        """``REPEAT(expr, n)``."""
        return self._call("REPEAT", n)

    @property
    def reverse(self) -> "Expression":
        """``REVERSE(expr)``."""
        return self._call("REVERSE")

    def split_index(self, separator: Any, index: Any) -> "Expression":
        """``SPLIT_INDEX(expr, separator, index)``."""
        return self._call("SPLIT_INDEX", separator, index)

    def substr(self, begin_index: Any, length: Any = None) -> "Expression":
        """``SUBSTR(expr, begin[, length])`` (1-based)."""
        return self._call("SUBSTR", begin_index, length)

    @property
    def to_date(self) -> "Expression":
        """``TO_DATE(expr)``."""
        return self._call("TO_DATE")

    @property
    def to_timestamp(self) -> "Expression":
        """``TO_TIMESTAMP(expr)``."""
        return self._call("TO_TIMESTAMP")

    @property
    def init_cap(self) -> "Expression":
        """``INITCAP(expr)``."""
        return self._call("INITCAP")

    def locate(self, s: Any, pos: Any = None) -> "Expression":
        """``LOCATE(expr, s[, pos])``: the position of ``expr`` in ``s`` (1-based, 0 if absent)."""
        return self._call("LOCATE", s, pos)

    def position(self, haystack: Any = None) -> "Expression":
        """``POSITION(expr IN haystack)``."""
        return self._call("POSITION", haystack)

    def if_null(self, null_replacement: Any) -> "Expression":
        """``IFNULL(expr, replacement)``."""
        return self._call("IFNULL", null_replacement)

    @property
    def is_true(self) -> "Expression":
        """``expr IS TRUE``."""
        return self._call("IS TRUE")

    @property
    def is_false(self) -> "Expression":
        """``expr IS FALSE``."""
        return self._call("IS FALSE")

    @property
    def is_not_true(self) -> "Expression":
        """``expr IS NOT TRUE``."""
        return self._call("IS NOT TRUE")

    @property
    def is_not_false(self) -> "Expression":
        """``expr IS NOT FALSE``."""
        return self._call("IS NOT FALSE")

    def not_between(self, lower_bound: Any, upper_bound: Any) -> "Expression":
        """``expr NOT BETWEEN lower AND upper``."""
        return self._call("NOT BETWEEN", lower_bound, upper_bound)

    def concat(self, other: Any) -> "Expression":
        """``CONCAT(expr, other)``."""
        return self._call("CONCAT", other)

    def try_cast(self, data_type: DataType) -> "Expression":
        """``TRY_CAST(expr AS type)``: NULL when the value does not convert."""
        return CastExpr(self, data_type, try_cast=True)

    # JSON functions
    def is_json(self, json_type: JsonType | None = None) -> "Expression":
        """``expr IS JSON [VALUE|OBJECT|ARRAY|SCALAR]`` (FALSE for NULL)."""
        return CallExpr("IS_JSON", [self, LiteralExpr((json_type or JsonType.VALUE).name)])

    def json_quote(self) -> "Expression":
        """``JSON_QUOTE(expr)``: the string as a JSON string literal (quoted and escaped)."""
        return CallExpr("JSON_QUOTE", [self])

    def json_unquote(self) -> "Expression":
        """``JSON_UNQUOTE(expr)``: the text of a JSON string literal; anything else unchanged."""
        return CallExpr("JSON_UNQUOTE", [self])

    def json_exists(self, path: str, on_error: JsonExistsOnError | None = None) -> "Expression":
        """``JSON_EXISTS(expr, path [.. ON ERROR])``."""
        clause = [LiteralExpr(behaviour_keyword(on_error))] if on_error is not None else []
        return CallExpr("JSON_EXISTS", [self, _e(path), *clause])

    def json_value(
        self,
        path: str,
        returning_type: DataType | None = None,
        on_empty: JsonValueOnEmptyOrError = JsonValueOnEmptyOrError.NULL,
        default_on_empty: Any = None,
        on_error: JsonValueOnEmptyOrError = JsonValueOnEmptyOrError.NULL,
        default_on_error: Any = None,
    ) -> "Expression":
        """``JSON_VALUE(expr, path RETURNING type {NULL|ERROR|DEFAULT x} ON EMPTY .. ON ERROR)``;
        the type is STRING unless given."""
        returning = returning_type.sql if returning_type is not None else "STRING"
        clauses = [LiteralExpr(on_empty.name), _e(default_on_empty), LiteralExpr(on_error.name), _e(default_on_error)]
        return CallExpr("JSON_VALUE", [self, _e(path), LiteralExpr(returning), *clauses])

    def json_query(
        self,
        path: str,
        wrapping_behavior: JsonQueryWrapper = JsonQueryWrapper.WITHOUT_ARRAY,
        on_empty: JsonQueryOnEmptyOrError = JsonQueryOnEmptyOrError.NULL,
        on_error: JsonQueryOnEmptyOrError = JsonQueryOnEmptyOrError.NULL,
    ) -> "Expression":
        """``JSON_QUERY(expr, path [WITH .. ARRAY WRAPPER] [.. ON EMPTY] [.. ON ERROR])``: the
        array or object at ``path`` as JSON text."""
        clauses = [wrapper_keyword(wrapping_behavior), behaviour_keyword(on_empty), behaviour_keyword(on_error)]
        return CallExpr("JSON_QUERY", [self, _e(path), *[LiteralExpr(c) for c in clauses]])

    @property
    def distinct(self) -> "DistinctExpr":
        """``col('x').distinct.count``: an aggregate over distinct values."""
        return DistinctExpr(self)


class ColumnExpr(Expression):
    """A column by name (``col('price')``) or all columns (``col('*')``)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def lower(self, ctx: Lowering) -> dict[str, Any]:
        return {"column": self.name}

    def default_name(self) -> str | None:
        return self.name

    def __repr__(self) -> str:
        return self.name


class LiteralExpr(Expression):
    """A constant; ``data_type`` fixes its type (otherwise inferred from the Python value)."""

    def __init__(self, value: Any, data_type: DataType | None = None) -> None:
        self.value = value
        self.data_type = data_type

    def lower(self, ctx: Lowering) -> dict[str, Any]:
        v = self.value
        if self.data_type is not None:
            return {"literal": {"value": json_scalar(v), "type": self.data_type.sql}}
        if isinstance(v, datetime.datetime):
            return {"literal": {"value": json_scalar(v), "type": "TIMESTAMP(3)"}}
        if isinstance(v, datetime.date):
            return {"literal": {"value": json_scalar(v), "type": "DATE"}}
        if isinstance(v, decimal.Decimal):
            return {"literal": {"value": str(v), "type": f"DECIMAL(38, {max(0, -v.as_tuple().exponent)})"}}
        return {"literal": v}

    def __repr__(self) -> str:
        return repr(self.value)


class IntervalExpr(LiteralExpr):
    """An ``INTERVAL DAY TO SECOND`` constant of ``millis`` milliseconds."""

    def __init__(self, millis: int) -> None:
        super().__init__(millis)
        self.interval_ms = millis

    def lower(self, ctx: Lowering) -> dict[str, Any]:
        return {"literal": {"value": self.interval_ms, "type": "INTERVAL DAY TO SECOND"}}


class CallExpr(Expression):
    """A built-in function or operator by name, or a Python scalar function."""

    def __init__(self, function: "str | UserDefinedFunctionWrapper", args: list[Expression]) -> None:
        self.function = function
        self.args = args

    def lower(self, ctx: Lowering) -> dict[str, Any]:
        name = self.function if isinstance(self.function, str) else ctx.function_name(self.function)
        return {"call": {"function": name, "args": [a.lower(ctx) for a in self.args]}}

    def children(self) -> list[Expression]:
        return list(self.args)

    def replace(self, f: Callable[[Expression], Expression | None]) -> Expression:
        out = f(self)
        return CallExpr(self.function, [a.replace(f) for a in self.args]) if out is None else out

    def __repr__(self) -> str:
        name = self.function if isinstance(self.function, str) else self.function.name
        return f"{name}({', '.join(map(repr, self.args))})"


class CastExpr(Expression):
    """``CAST(expr AS type)`` (``TRY_CAST`` when ``try_cast``)."""

    def __init__(self, expr: Expression, data_type: DataType, try_cast: bool = False) -> None:
        self.expr = expr
        self.data_type = data_type
        self.try_cast = try_cast

    def lower(self, ctx: Lowering) -> dict[str, Any]:
        cast: dict[str, Any] = {"expr": self.expr.lower(ctx), "type": self.data_type.sql}
        if self.try_cast:
            cast["try"] = True
        return {"cast": cast}

    def children(self) -> list[Expression]:
        return [self.expr]

    def replace(self, f: Callable[[Expression], Expression | None]) -> Expression:
        out = f(self)
        return CastExpr(self.expr.replace(f), self.data_type, self.try_cast) if out is None else out


class DistinctExpr:
    """``col('x').distinct``: read one of its aggregates (``.count``, ``.sum``, ...)."""

    def __init__(self, expr: Expression) -> None:
        self.expr = expr

    def _agg(self, function: str) -> Expression:
        return AggregateExpr(function, self.expr, distinct=True)

    @property
    def count(self) -> Expression:
        """``COUNT(DISTINCT expr)``."""
        return self._agg("count")

    @property
    def sum(self) -> Expression:
        """``SUM(DISTINCT expr)``."""
        return self._agg("sum")

    @property
    def avg(self) -> Expression:
        """``AVG(DISTINCT expr)``."""
        return self._agg("avg")

    @property
    def min(self) -> Expression:
        """``MIN(DISTINCT expr)``."""
        return self._agg("min")

    @property
    def max(self) -> Expression:
        """``MAX(DISTINCT expr)``."""
        return self._agg("max")


class AliasExpr(Expression):
    """``expr AS name``."""

    def __init__(self, expr: Expression, name: str) -> None:
        self.expr = expr
        self.name = name

    def lower(self, ctx: Lowering) -> dict[str, Any]:
        return self.expr.lower(ctx)

    def default_name(self) -> str | None:
        return self.name

    def children(self) -> list[Expression]:
        return [self.expr]

    def replace(self, f: Callable[[Expression], Expression | None]) -> Expression:
        out = f(self)
        return AliasExpr(self.expr.replace(f), self.name) if out is None else out


class SortExpr(Expression):
    """An ordering key (``col('x').desc``)."""

    def __init__(self, expr: Expression, descending: bool) -> None:
        self.expr = expr
        self.descending = descending

    def lower(self, ctx: Lowering) -> dict[str, Any]:
        return self.expr.lower(ctx)


class AggregateExpr(Expression):
    """An aggregate call (``col('x').sum``); valid in ``group_by(..).select(..)``."""

    def __init__(self, function: str, arg: Expression | None, distinct: bool = False, filter: Expression | None = None) -> None:
        self.function = function
        self.arg = arg
        self.is_distinct = distinct
        self.filter = filter

    def lower(self, ctx: Lowering) -> dict[str, Any]:
        raise TypeError(f"aggregate {self.function.upper()} is only allowed in group_by(...).select(...) or select on a table")

    def aggregates(self) -> list["AggregateExpr"]:
        return [self]

    def __repr__(self) -> str:
        return f"{self.function}({self.arg!r})"


class JsonAggregateExpr(AggregateExpr):
    """``JSON_ARRAYAGG(..)`` / ``JSON_OBJECTAGG(..)``: computed, as the SQL front end computes
    them (core/src/sql/derived_aggregates.rs), from an ``ARRAY_AGG`` of each row's
    ``JSON_ARRAY('NULL', ..)`` text, joined after the aggregate by the function of that name."""

    def __init__(self, function: str, on_null: Any, args: list[Expression]) -> None:
        super().__init__(function.lower(), None)
        self.sql_name = function
        self.on_null = getattr(on_null, "name", str(on_null))
        self.args = args

    def reduce(self) -> Expression:
        """This aggregate as ARRAY_AGG and the function that joins its array."""
        row_json = CallExpr("JSON_ARRAY", [LiteralExpr("NULL"), *self.args])
        present = CallExpr("IS NOT NULL", [self.args[-1]]) if self.on_null == "ABSENT" else None
        return CallExpr(self.sql_name, [AggregateExpr("array_agg", row_json, filter=present)])

    def __repr__(self) -> str:
        return f"{self.sql_name}({', '.join(repr(a) for a in self.args)} {self.on_null} ON NULL)"


def _e(value: Any) -> Expression:
    return value if isinstance(value, Expression) else LiteralExpr(value)


def json_scalar(v: Any) -> Any:
    """A Python value as the JSON scalar the job spec's ``values`` rows and literals use."""
    if isinstance(v, datetime.datetime):
        return v.isoformat(" ", "milliseconds") if v.microsecond else v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, datetime.time):
        return v.isoformat("milliseconds") if v.microsecond else v.isoformat("seconds")
    if isinstance(v, decimal.Decimal):
        return str(v)
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).decode("utf-8")
    if isinstance(v, float) and v != v:
        return None
    if isinstance(v, (list, tuple)):
        return [json_scalar(x) for x in v]
    if isinstance(v, dict):
        # MAP keys go as JSON text: strings as they are, other keys as their JSON (`1`, `true`).
        return {k if isinstance(k, str) else _json.dumps(json_scalar(k)): json_scalar(x) for k, x in v.items()}
    return v


def col(name: str) -> Expression:
    """The column ``name`` (``col('*')``: every column)."""
    return ColumnExpr(name)


def lit(value: Any, data_type: DataType | None = None) -> Expression:
    """A constant."""
    return LiteralExpr(value, data_type)


def call(f: "str | UserDefinedFunctionWrapper", *args: Any) -> Expression:
    """A call of a function by name (built-in or registered with
    ``create_temporary_function``) or of a Python function object."""
    if not isinstance(f, str) and hasattr(f, "table_function"):
        return f(*args)  # type: ignore[operator]
    return CallExpr(f, [_e(a) for a in args])


def call_sql(sql_expression: str) -> Expression:
    """Not supported yet: write the expression with the Table API or in SQL."""
    from weir.errors import unsupported

    raise unsupported("call_sql (SQL expression strings in the Table API)")


def row_interval(rows: int) -> Expression:
    """``rows`` rows before the current one: an over window's ``preceding`` bound."""
    from weir.table.over_window import RowIntervalExpr

    return RowIntervalExpr(rows)


def and_(*conditions: Expression) -> Expression:
    """All conditions."""
    out = conditions[0]
    for c in conditions[1:]:
        out = out & c
    return out


def or_(*conditions: Expression) -> Expression:
    """Any condition."""
    out = conditions[0]
    for c in conditions[1:]:
        out = out | c
    return out


def if_then_else(condition: Expression, if_true: Any, if_false: Any) -> Expression:
    """``IF(condition, if_true, if_false)``."""
    return condition.if_then_else(if_true, if_false)


def concat(*args: Any) -> Expression:
    """``CONCAT(args)``."""
    return CallExpr("CONCAT", [_e(a) for a in args])


def coalesce(*args: Any) -> Expression:
    """``COALESCE(args)``."""
    return CallExpr("COALESCE", [_e(a) for a in args])


# PyFlink's other expression functions, and the Expression methods Weir does not have yet.
from weir.table.expression_functions import *  # noqa: E402,F401,F403
