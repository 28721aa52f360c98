"""``WatermarkStrategy`` and ``TimestampAssigner``, as in ``pyflink.common``: how a DataStream's
records get their timestamps and how its watermarks follow them
(``DataStream.assign_timestamps_and_watermarks``, ``env.from_source(.., strategy)``).

Watermarks advance per record (Flink emits them periodically, every 200 ms by default): after
a record with timestamp ``t`` the watermark is ``t - max_out_of_orderness - 1``. Records
behind it are not dropped. ``with_idleness`` is accepted and has no effect: a worker that
receives no records holds the watermark back until its input ends (bounded inputs end)."""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable
from typing import Any

from weir.common.time import Duration
from weir.errors import declare_unsupported, unsupported_class


class WatermarkStrategy:
    """How a stream's watermarks follow its records' timestamps, and (with
    ``with_timestamp_assigner``) where the timestamps come from."""

    def __init__(self, kind: str = "none", max_out_of_orderness: Any = None) -> None:
        self.kind = kind
        self.max_out_of_orderness = max_out_of_orderness
        self.timestamp_assigner: Any = None
        self.idle_timeout: Any = None

    @staticmethod
    def for_monotonous_timestamps() -> "WatermarkStrategy":
        """Watermarks at the latest timestamp seen: records are expected in order."""
        return WatermarkStrategy("monotonous")

    @staticmethod
    def for_bounded_out_of_orderness(max_out_of_orderness: Duration) -> "WatermarkStrategy":
        """Watermarks trailing the latest timestamp seen by ``max_out_of_orderness`` (a
        ``Duration``)."""
        return WatermarkStrategy("bounded", max_out_of_orderness)

    @staticmethod
    def no_watermarks() -> "WatermarkStrategy":
        """No watermarks: event time does not advance until the input ends."""
        return WatermarkStrategy()

    def with_timestamp_assigner(self, timestamp_assigner: TimestampAssigner | Callable[..., int]) -> "WatermarkStrategy":
        """The same strategy, taking each record's timestamp from ``timestamp_assigner``: a
        ``TimestampAssigner`` (``extract_timestamp(value, record_timestamp)``) or a function of
        ``(value, record_timestamp)`` or of ``value`` returning epoch milliseconds."""
        if not (callable(getattr(timestamp_assigner, "extract_timestamp", None)) or callable(timestamp_assigner)):
            raise TypeError(f"expected a TimestampAssigner, got {timestamp_assigner!r}")
        strategy = copy.copy(self)
        strategy.timestamp_assigner = timestamp_assigner
        return strategy

    def with_idleness(self, idle_timeout: Duration) -> "WatermarkStrategy":
        """Accepted, without effect (see the module documentation)."""
        strategy = copy.copy(self)
        strategy.idle_timeout = idle_timeout
        return strategy

    def _assigner_function(self) -> Callable[[Any, int], Any] | None:
        """The timestamp assigner as a function of ``(value, record_timestamp)``."""
        assigner = self.timestamp_assigner
        if assigner is None:
            return None
        extract = getattr(assigner, "extract_timestamp", None)
        if callable(extract):
            return extract  # type: ignore[no-any-return]
        try:
            takes_one = len(inspect.signature(assigner).parameters) == 1
        except (TypeError, ValueError):
            takes_one = False
        return (lambda value, _ts: assigner(value)) if takes_one else assigner  # type: ignore[no-any-return]

    def _delay_ms(self) -> int | None:
        """The allowed out-of-orderness in milliseconds; None without watermarks."""
        if self.kind == "monotonous":
            return 0
        if self.kind == "bounded":
            d = self.max_out_of_orderness
            millis = int(d.to_milliseconds() if hasattr(d, "to_milliseconds") else d)
            if millis < 0:
                raise ValueError(f"max_out_of_orderness must not be negative, got {millis} ms")
            return millis
        return None


class TimestampAssigner:
    """Extracts a record's event time: implement ``extract_timestamp``."""

    def extract_timestamp(self, value: Any, record_timestamp: int) -> int:
        """The event time of ``value`` in epoch milliseconds."""
        raise NotImplementedError


declare_unsupported(WatermarkStrategy, {"with_watermark_alignment": "watermark alignment"})

AssignerWithPeriodicWatermarksWrapper = unsupported_class("AssignerWithPeriodicWatermarksWrapper", "legacy watermark assigners", __name__)

__all__ = ["AssignerWithPeriodicWatermarksWrapper", "Duration", "TimestampAssigner", "WatermarkStrategy"]
