"""``WatermarkStrategy``, as in ``pyflink.common``. DataStream records carry no event time in
Weir yet: a strategy is accepted where a source takes one (``from_source``), and whatever needs
event time (timestamp assigners, ``assign_timestamps_and_watermarks``, windows, timers) raises
:class:`weir.UnsupportedError`."""

from __future__ import annotations

from typing import Any

from weir.common.time import Duration
from weir.errors import declare_unsupported, unsupported_class


class WatermarkStrategy:
    """How a source's watermarks follow its records' event times."""

    def __init__(self, kind: str = "none", max_out_of_orderness: Any = None) -> None:
        self.kind = kind
        self.max_out_of_orderness = max_out_of_orderness

    @staticmethod
    def for_monotonous_timestamps() -> "WatermarkStrategy":
        """Watermarks at the latest event time (accepted; records carry no event time yet)."""
        return WatermarkStrategy("monotonous")

    @staticmethod
    def for_bounded_out_of_orderness(max_out_of_orderness: Any) -> "WatermarkStrategy":
        """Watermarks trailing the latest event time (accepted; records carry no event time yet)."""
        return WatermarkStrategy("bounded", max_out_of_orderness)

    @staticmethod
    def no_watermarks() -> "WatermarkStrategy":
        """No watermarks."""
        return WatermarkStrategy()


class TimestampAssigner:
    """Extracts a record's event time: implement ``extract_timestamp``."""

    def extract_timestamp(self, value: Any, record_timestamp: int) -> int:
        """The event time of ``value`` in epoch milliseconds."""
        raise NotImplementedError


declare_unsupported(WatermarkStrategy, {
    "with_timestamp_assigner": "event time in the DataStream API", "with_idleness": "event time in the DataStream API",
    "with_watermark_alignment": "event time in the DataStream API",
})

AssignerWithPeriodicWatermarksWrapper = unsupported_class("AssignerWithPeriodicWatermarksWrapper", "legacy watermark assigners", __name__)

__all__ = ["AssignerWithPeriodicWatermarksWrapper", "Duration", "TimestampAssigner", "WatermarkStrategy"]
