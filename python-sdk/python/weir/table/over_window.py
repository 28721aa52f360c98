"""Over windows of the Table API, as in ``pyflink.table.window.Over``:
``table.over_window(Over.partition_by(col('k')).order_by(col('ts')).preceding(row_interval(2))
.alias('w')).select(col('k'), col('v').max.over(col('w')))``.

Each window becomes the job spec's ``over`` node (the SQL ``agg(x) OVER (PARTITION BY ..
ORDER BY ts ROWS|RANGE BETWEEN .. PRECEDING AND CURRENT ROW)``): rows in event-time order
of ``order_by``, a frame that ends at the current row. As in Flink, ``preceding`` defaults to
``UNBOUNDED_RANGE`` and ``following`` may only be the current row or range."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from weir.errors import PlanError
from weir.table.expression_functions import _OverBound
from weir.table.expressions import AggregateExpr, AliasExpr, ColumnExpr, Expression, IntervalExpr, LiteralExpr

if TYPE_CHECKING:
    from weir.table.table import Table


class RowIntervalExpr(LiteralExpr):
    """``row_interval(n)``: ``n`` rows before the current one, as an over window's bound."""

    def __init__(self, rows: int) -> None:
        super().__init__(rows)
        self.rows = rows


class OverCallExpr(Expression):
    """``agg.over(col('w'))``: an aggregate computed over the over window aliased ``w``."""

    def __init__(self, aggregate: Expression, window: str) -> None:
        self.aggregate = aggregate
        self.window = window

    def lower(self, ctx: Any) -> dict[str, Any]:
        raise TypeError(f"{self.aggregate!r}.over({self.window}) is only allowed in over_window(...).select(...)")

    def __repr__(self) -> str:
        return f"{self.aggregate!r} OVER {self.window}"


def _bound_name(e: Any) -> str | None:
    return e.name if isinstance(e, _OverBound) else None


class OverWindow:
    """A complete over window: partition keys, order column, frame and alias."""

    def __init__(
        self, partition_by: list[Expression], order_by: Expression | None, preceding: Any = None, following: Any = None, alias: str | None = None
    ) -> None:
        self.partition_keys = partition_by
        self.order_column = order_by
        self.preceding_bound = preceding
        self.following_bound = following
        self.alias_name = alias

    def _with(self, **changes: Any) -> "OverWindow":
        fields = {
            "partition_by": self.partition_keys,
            "order_by": self.order_column,
            "preceding": self.preceding_bound,
            "following": self.following_bound,
            "alias": self.alias_name,
        }
        fields.update(changes)
        return OverWindow(**fields)

    def order_by(self, order_by: Expression | str) -> "OverWindow":
        """The event-time column rows are ordered by."""
        return self._with(order_by=order_by if isinstance(order_by, Expression) else ColumnExpr(order_by))

    def preceding(self, preceding: Any) -> "OverWindow":
        """The frame's start: ``row_interval(n)``, an interval (``lit(10).seconds``),
        ``UNBOUNDED_ROW`` or ``UNBOUNDED_RANGE``."""
        return self._with(preceding=preceding)

    def following(self, following: Any) -> "OverWindow":
        """The frame's end: ``CURRENT_ROW`` or ``CURRENT_RANGE`` (the only ends Flink allows)."""
        return self._with(following=following)

    def alias(self, alias: str) -> "OverWindow":
        """The name ``.over(col(alias))`` refers to the window by."""
        return self._with(alias=alias)

    def frame(self) -> dict[str, Any]:
        """The ``over`` node's frame."""
        bound = _bound_name(self.preceding_bound)
        if self.preceding_bound is None or bound == "UNBOUNDED_RANGE":
            unit, preceding = "range", None
        elif bound == "UNBOUNDED_ROW":
            unit, preceding = "rows", None
        elif isinstance(self.preceding_bound, RowIntervalExpr):
            unit, preceding = "rows", self.preceding_bound.rows
        elif isinstance(self.preceding_bound, IntervalExpr):
            unit, preceding = "range", self.preceding_bound.interval_ms
        else:
            raise PlanError(
                f"over window {self.alias_name!r}: preceding is be row_interval(n), an interval, UNBOUNDED_ROW or UNBOUNDED_RANGE, not {self.preceding_bound!r}"
            )
        following = _bound_name(self.following_bound)
        if self.following_bound is not None and following not in ("CURRENT_ROW", "CURRENT_RANGE"):
            raise PlanError(f"over window {self.alias_name!r}: following must be CURRENT_ROW or CURRENT_RANGE, got {self.following_bound!r}")
        if following is not None and (following == "CURRENT_ROW") != (unit == "rows"):
            raise PlanError(f"over window {self.alias_name!r}: a {unit} frame ends at {'CURRENT_ROW' if unit == 'rows' else 'CURRENT_RANGE'}, not {following}")
        out: dict[str, Any] = {"unit": unit}
        if preceding is not None:
            out["preceding"] = preceding
        return out


class Over:
    """Over windows: ``Over.partition_by(..).order_by(..).preceding(..).alias(..)``."""

    @staticmethod
    def partition_by(*partition_by: Expression | str) -> OverWindow:
        """Rows are aggregated with the rows of the same keys."""
        return OverWindow([p if isinstance(p, Expression) else ColumnExpr(p) for p in partition_by], None)

    @staticmethod
    def order_by(order_by: Expression | str) -> OverWindow:
        """One partition of all rows, ordered by the event-time column ``order_by``."""
        return OverWindow([], None).order_by(order_by)


class OverWindowedTable:
    """A table with over windows; ``select`` computes columns and ``agg.over(col(w))``."""

    def __init__(self, table: "Table", windows: list[OverWindow]) -> None:
        for w in windows:
            if not isinstance(w, OverWindow) or w.alias_name is None or w.order_column is None:
                raise PlanError("over_window takes Over.partition_by(..).order_by(..)[.preceding(..)].alias(..) windows")
        self._table = table
        self._windows = {w.alias_name: w for w in windows}

    def select(self, *fields: Expression | str) -> "Table":
        """The columns, where ``agg.over(col('w'))`` is the aggregate over window ``w``."""
        t = self._table
        env = t._env
        calls: dict[str, list[tuple[str, AggregateExpr]]] = {}

        def swap(e: Expression) -> Expression | None:
            if not isinstance(e, OverCallExpr):
                return None
            if e.window not in self._windows:
                raise PlanError(f"over window {e.window!r} is not defined; over_window defines {', '.join(self._windows)}")
            agg = e.aggregate
            if not isinstance(agg, AggregateExpr):
                raise PlanError(f"only an aggregate can be computed over a window, not {agg!r}")
            if agg.is_distinct:
                raise PlanError(f"{agg.function.upper()}(DISTINCT ..) over a window is not supported")
            name = f"$over{sum(len(v) for v in calls.values())}"
            calls.setdefault(e.window, []).append((name, agg))
            return ColumnExpr(name)

        outputs = []
        for i, f in enumerate(t._expand(fields)):
            name = f.default_name() or f"EXPR${i}"
            swapped = f.replace(swap)
            outputs.append(swapped if swapped is f or isinstance(swapped, AliasExpr) else swapped.alias(name))
        for alias, aggregates in calls.items():
            w = self._windows[alias]
            order = w.order_column
            if not isinstance(order, ColumnExpr):
                raise PlanError(f"over window {alias!r} must be ordered by a column, not {order!r}")
            node = {
                "kind": "over",
                "id": env._fresh_id("over"),
                "input": t._head,
                "partition_by": [p.lower(env) for p in w.partition_keys],
                "order_by": order.name,
                "frame": w.frame(),
                "aggregates": [{"name": n, "function": a.function, **({"args": [a.arg.lower(env)]} if a.arg is not None else {})} for n, a in aggregates],
            }
            t = t._then(node)
        return t._project(outputs)
