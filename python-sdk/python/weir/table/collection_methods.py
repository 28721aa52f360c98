"""Expression methods for Flink's collection aggregates and functions (``col('x').first_value``,
``.list_agg(',')``, ``.cardinality``, ``.at(i)``) and a few string and network functions
(``.printf``, ``.encode``, ``.decode``, ``.inet_aton``, ``.inet_ntoa``), as PyFlink names them.
They lower to the same plan as the SQL forms (see docs/functions.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from weir.table.expressions import Expression


class CollectionMethods:
    """Mixed into :class:`~weir.table.expressions.Expression`."""

    @property
    def first_value(self: "Expression") -> "Expression":
        """``FIRST_VALUE(expr)``: the first non-NULL value in arrival order."""
        from weir.table.expressions import AggregateExpr

        return AggregateExpr("first_value", self)

    @property
    def last_value(self: "Expression") -> "Expression":
        """``LAST_VALUE(expr)``: the last non-NULL value in arrival order."""
        from weir.table.expressions import AggregateExpr

        return AggregateExpr("last_value", self)

    @property
    def array_agg(self: "Expression") -> "Expression":
        """``ARRAY_AGG(expr)``: the values (NULLs included) as an ARRAY, in arrival order."""
        from weir.table.expressions import AggregateExpr

        return AggregateExpr("array_agg", self)

    @property
    def collect(self: "Expression") -> "Expression":
        """``COLLECT(expr)``: the non-NULL values as a MULTISET (a dict of value to count)."""
        from weir.table.expressions import AggregateExpr

        return AggregateExpr("collect", self)

    def list_agg(self: "Expression", separator: Any = None) -> "Expression":
        """``LISTAGG(expr[, separator])``: the non-NULL values joined by ``separator`` (``,``)
        in arrival order; NULL when there are none."""
        from weir.table.expressions import AggregateExpr, CallExpr, LiteralExpr, _e

        values = AggregateExpr("array_agg", self, filter=CallExpr("IS NOT NULL", [self]))
        return CallExpr("ARRAY_JOIN", [values, _e(separator) if separator is not None else LiteralExpr(",")])

    @property
    def cardinality(self: "Expression") -> "Expression":
        """``CARDINALITY(expr)``: the number of elements of an ARRAY, MAP or MULTISET."""
        from weir.table.expressions import CallExpr

        return CallExpr("CARDINALITY", [self])

    @property
    def element(self: "Expression") -> "Expression":
        """``ELEMENT(expr)``: the only element of an ARRAY (NULL when empty)."""
        from weir.table.expressions import CallExpr

        return CallExpr("ELEMENT", [self])

    def at(self: "Expression", index: Any) -> "Expression":
        """``expr[index]``: an ARRAY's element (from 1) or a MAP's value for a key."""
        from weir.table.expressions import CallExpr, _e

        return CallExpr("ITEM", [self, _e(index)])

    def printf(self: "Expression", *args: Any) -> "Expression":
        """``PRINTF(expr, args..)``: ``expr`` is a Java format string (``'%s-%05d'``)."""
        from weir.table.expressions import CallExpr, _e

        return CallExpr("PRINTF", [self, *(_e(a) for a in args)])

    def encode(self: "Expression", charset: Any) -> "Expression":
        """``ENCODE(expr, charset)``: the string's bytes in ``charset`` (e.g. ``'UTF-16'``)."""
        from weir.table.expressions import CallExpr, _e

        return CallExpr("ENCODE", [self, _e(charset)])

    def decode(self: "Expression", charset: Any) -> "Expression":
        """``DECODE(expr, charset)``: the bytes read as a string in ``charset``."""
        from weir.table.expressions import CallExpr, _e

        return CallExpr("DECODE", [self, _e(charset)])

    def inet_aton(self: "Expression") -> "Expression":
        """``INET_ATON(expr)``: an IPv4 address text as a BIGINT (NULL when invalid)."""
        from weir.table.expressions import CallExpr

        return CallExpr("INET_ATON", [self])

    def inet_ntoa(self: "Expression") -> "Expression":
        """``INET_NTOA(expr)``: a number as IPv4 address text (NULL out of range)."""
        from weir.table.expressions import CallExpr

        return CallExpr("INET_NTOA", [self])
