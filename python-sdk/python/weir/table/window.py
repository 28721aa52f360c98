"""Group windows (``Tumble``, ``Slide``) and over windows, as in ``pyflink.table.window``.

``table.window(Tumble.over(lit(10).minutes).on(col('ts')).alias('w'))`` lowers to the job
spec's ``window`` node (which appends ``window_start``, ``window_end``, ``window_time``);
``.group_by(col('w'), ...)`` groups by the window's start and end, and ``col('w').start`` /
``.end`` / ``.rowtime`` read them; ``Session.with_gap(..)`` windows have sessions per value of
the other grouping keys, which must be columns. Over windows (``Over``) are in :mod:`weir.table.over_window`."""

from __future__ import annotations

from typing import Any

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

    def _with(self, slide_ms: int | None = None, time_field: str | None = None, alias: str | None = None) -> "GroupWindow":
        return GroupWindow(self.kind, self.size_ms, slide_ms or self.slide_ms, time_field or self.time_field, alias or self.alias_name)

    def on(self, time_field: Expression | str) -> "GroupWindow":
        """The TIMESTAMP column rows are windowed by."""
        return self._with(time_field=time_field.name if isinstance(time_field, ColumnExpr) else str(time_field))

    def alias(self, alias: str) -> "GroupWindow":
        """The name ``group_by`` and ``select`` refer to the window by."""
        return self._with(alias=alias)

    def every(self, slide: Any) -> "GroupWindow":
        """For sliding windows: how often a window starts."""
        return self._with(slide_ms=_millis(slide, "slide"))

    def node(self, node_id: str, input_id: str, partition_by: list[str] | None = None) -> dict[str, Any]:
        """The job spec's ``window`` node for this window over ``input_id``; a session window
        has sessions per value of the ``partition_by`` columns (the other grouping keys)."""
        if self.time_field is None or self.alias_name is None:
            raise TypeError("a group window needs .on(time column) and .alias(name)")
        node: dict[str, Any] = {"kind": "window", "id": node_id, "input": input_id, "window": self.kind, "time_column": self.time_field}
        if self.kind == "session":
            node["gap_ms"] = self.size_ms
            node["partition_by"] = partition_by or []
            return node
        node["size_ms"] = self.size_ms
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
    """Session windows: per value of the other grouping keys, rows at most ``gap`` apart
    share a window, which ends ``gap`` after its last row."""

    @staticmethod
    def with_gap(gap: Any) -> GroupWindow:
        """Sessions closed by ``gap`` of inactivity (``lit(5).seconds``)."""
        return GroupWindow("session", _millis(gap, "gap"))


from weir.table.over_window import Over, OverWindow  # noqa: E402,F401
