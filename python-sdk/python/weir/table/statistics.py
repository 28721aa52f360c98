"""Flink's statistical aggregates in the Table API (``col('x').stddev_pop`` and the like),
reduced exactly as the SQL front end reduces them (core/src/sql/statistics.rs, Calcite's
``AggregateReduceFunctionsRule``): ``SUM(x * x)``, ``SUM(x)`` and ``COUNT(x)`` in the aggregate,
combined after it as ``(SUM(x * x) - SUM(x) * SUM(x) / COUNT(x)) / d`` with ``d`` the count
(population) or the count less one (sample, NULL for one value), under ``POWER(.., 0.5)`` for
the deviations, cast to Flink's result type: the argument's own INT, BIGINT, FLOAT or DOUBLE type,
DECIMAL(38, max(6, s)) for DECIMAL(p, s)."""

from __future__ import annotations

import re

from weir.errors import PlanError
from weir.table.expressions import AggregateExpr, CallExpr, CastExpr, Expression, LiteralExpr
from weir.table.types import DataType

#: Statistic name -> (divides by the count rather than the count less one, takes the root).
STATISTICS: dict[str, tuple[bool, bool]] = {
    "var_pop": (True, False),
    "var_samp": (False, False),
    "stddev_pop": (True, True),
    "stddev_samp": (False, True),
}

_DECIMAL = re.compile(r"DECIMAL\(\s*\d+\s*,\s*(\d+)\s*\)")


def result_type(function: str, arg_type: str) -> str:
    """Flink's result type of ``function`` over an argument of SQL type ``arg_type``."""
    if arg_type in ("INT", "BIGINT", "FLOAT", "DOUBLE"):
        return arg_type
    m = _DECIMAL.fullmatch(arg_type)
    if m:
        return f"DECIMAL(38, {max(6, int(m.group(1)))})"
    raise PlanError(f"{function.upper()} needs a numeric argument, found {arg_type}")


def reduce_statistic(e: AggregateExpr, arg_type: str) -> Expression:
    """``e`` (a statistic over an argument of SQL type ``arg_type``) as an expression of SUM
    and COUNT aggregates."""
    biased, root = STATISTICS[e.function]
    if e.arg is None:
        raise PlanError(f"{e.function.upper()} takes exactly one argument")
    result = DataType(result_type(e.function, arg_type), True)
    x = e.arg if result.sql == arg_type else CastExpr(e.arg, result)
    sum_of_squares = AggregateExpr("sum", CallExpr("*", [x, x]), e.is_distinct)
    total = AggregateExpr("sum", x, e.is_distinct)
    count = AggregateExpr("count", x, e.is_distinct)
    difference = CallExpr("-", [sum_of_squares, CallExpr("/", [CallExpr("*", [total, total]), count])])
    denominator: Expression = count
    if not biased:
        no_value = CastExpr(LiteralExpr(None), DataType("BIGINT", True))
        denominator = CallExpr("IF", [CallExpr("<>", [count, LiteralExpr(1)]), CallExpr("-", [count, LiteralExpr(1)]), no_value])
    value: Expression = CallExpr("/", [difference, denominator])
    if root:
        value = CallExpr("POWER", [value, LiteralExpr(0.5)])
    return CastExpr(value, result)
