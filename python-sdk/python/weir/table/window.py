"""Group windows (``Tumble``, ``Slide``) and over windows, as in ``pyflink.table.window``.

``table.window(Tumble.over(lit(10).minutes).on(col('ts')).alias('w'))`` lowers to the job
spec's ``window`` node (which appends ``window_start``, ``window_end``, ``window_time``);
``.group_by(col('w'), ...)`` groups by the window's start and end, and ``col('w').start`` /
``.end`` / ``.rowtime`` read them. ``Session`` windows and ``Over`` windows are not supported
yet and raise :class:`weir.UnsupportedError`."""

from __future__ import annotations

from typing import Any

from weir.errors import unsupported, unsupported_class
from weir.table.expressions import ColumnExpr, Expression, IntervalExpr


def _millis(size: Any, what: str) -> int:
    if isinstance(size, IntervalExpr):
        return size.interval_ms
    raise TypeError(f"{what} must be an interval such as lit(10).minutes, got {size!r}")


class GroupWindow:
    """A group window: kind, size (and slide), time column and alias."""

    def __init__(self, kind: str, size_ms: int, slide_ms: int | None = None, time_field: str | None = None, alias: str | None = None) -> None:
        self.kind = kind
        self.size_ms = size_ms
        self.slide_ms = slide_ms
        self.time_field = time_field
        self.alias_name = alias

    def on(self, time_field: Expression | str) -> "GroupWindow":
        """The TIMESTAMP column rows are windowed by."""
        name = time_field.name if isinstance(time_field, ColumnExpr) else str(time_field)
        return GroupWindow(self.kind, self.size_ms, self.slide_ms, name, self.alias_name)

    def alias(self, alias: str) -> "GroupWindow":
        """The name ``group_by`` and ``select`` refer to the window by."""
        return GroupWindow(self.kind, self.size_ms, self.slide_ms, self.time_field, alias)

    def every(self, slide: Any) -> "GroupWindow":
        """For sliding windows: how often a window starts."""
        return GroupWindow(self.kind, self.size_ms, _millis(slide, "slide"), self.time_field, self.alias_name)

    def node(self, node_id: str, input_id: str) -> dict[str, Any]:
        """The job spec's ``window`` node for this window over ``input_id``."""
        if self.time_field is None or self.alias_name is None:
            raise TypeError("a group window needs .on(time column) and .alias(name)")
        node: dict[str, Any] = {
            "kind": "window",
            "id": node_id,
            "input": input_id,
            "window": self.kind,
            "time_column": self.time_field,
            "size_ms": self.size_ms,
        }
        if self.kind == "hop":
            if self.slide_ms is None:
                raise TypeError("a sliding window needs .every(slide)")
            node["slide_ms"] = self.slide_ms
        return node


class Tumble:
    """Tumbling windows: consecutive, non-overlapping windows of one size."""

    @staticmethod
    def over(size: Any) -> GroupWindow:
        """Windows of ``size`` (``lit(10).minutes``)."""
        return GroupWindow("tumble", _millis(size, "size"))


class Slide:
    """Sliding windows: windows of one size starting at every ``slide``."""

    @staticmethod
    def over(size: Any) -> GroupWindow:
        """Windows of ``size``; follow with ``.every(slide)``."""
        return GroupWindow("hop", _millis(size, "size"))


class Session:
    """Session windows (not supported yet)."""

    @staticmethod
    def with_gap(gap: Any) -> Any:
        """Not supported yet."""
        raise unsupported("Session windows")


class Over:
    """Over windows (not supported yet)."""

    @staticmethod
    def partition_by(*keys: Any) -> Any:
        """Not supported yet."""
        raise unsupported("Over windows (over aggregates)")

    @staticmethod
    def order_by(key: Any) -> Any:
        """Not supported yet."""
        raise unsupported("Over windows (over aggregates)")
OverWindow = unsupported_class("OverWindow", "over windows", __name__)
