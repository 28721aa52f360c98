"""``WatermarkStrategy``: declared for import compatibility; event time is not there yet."""

from __future__ import annotations

from typing import Any

from weir.errors import unsupported


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
