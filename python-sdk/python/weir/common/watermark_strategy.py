"""``WatermarkStrategy``: declared for import compatibility; event time is not there yet."""

from __future__ import annotations

from typing import Any

from weir.common.time import Duration
from weir.errors import declare_unsupported, unsupported, unsupported_class


class WatermarkStrategy:
    """Event-time watermarks. Not supported yet: every constructor raises
    :class:`weir.UnsupportedError`."""

    @staticmethod
    def for_monotonous_timestamps() -> "WatermarkStrategy":
        """Not supported yet."""
        raise unsupported("WatermarkStrategy (event time)")

    @staticmethod
    def for_bounded_out_of_orderness(max_out_of_orderness: Any) -> "WatermarkStrategy":
        """Not supported yet."""
        raise unsupported("WatermarkStrategy (event time)")

    @staticmethod
    def no_watermarks() -> "WatermarkStrategy":
        """A strategy without watermarks: accepted (Weir's DataStream jobs are bounded)."""
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
