"""DataStream windows, as in ``pyflink.datastream.window``: declared so programs import, but
windows need event time; creating one raises :class:`weir.UnsupportedError`."""

from __future__ import annotations

from typing import Any

from weir.errors import unsupported, unsupported_class


class _Window:
    @classmethod
    def of(cls, *args: Any, **kwargs: Any) -> Any:
        """Not supported yet."""
        raise unsupported(f"{cls.__name__} (windows need event time)")

    @classmethod
    def with_gap(cls, *args: Any, **kwargs: Any) -> Any:
        """Not supported yet."""
        raise unsupported(f"{cls.__name__} (windows need event time)")


class TumblingEventTimeWindows(_Window):
    """Not supported yet."""


class SlidingEventTimeWindows(_Window):
    """Not supported yet."""


class EventTimeSessionWindows(_Window):
    """Not supported yet."""


class TumblingProcessingTimeWindows(_Window):
    """Not supported yet."""


class SlidingProcessingTimeWindows(_Window):
    """Not supported yet."""


class CountTumblingWindowAssigner(_Window):
    """Not supported yet."""


def _missing(name: str) -> type:
    return unsupported_class(name, "DataStream windows (need event time)", __name__)


ProcessingTimeSessionWindows = _missing("ProcessingTimeSessionWindows")
DynamicEventTimeSessionWindows = _missing("DynamicEventTimeSessionWindows")
DynamicProcessingTimeSessionWindows = _missing("DynamicProcessingTimeSessionWindows")
CountSlidingWindowAssigner = _missing("CountSlidingWindowAssigner")
GlobalWindows = _missing("GlobalWindows")
SessionWindowTimeGapExtractor = _missing("SessionWindowTimeGapExtractor")
Window = _missing("Window")
TimeWindow = _missing("TimeWindow")
CountWindow = _missing("CountWindow")
GlobalWindow = _missing("GlobalWindow")
TimeWindowSerializer = _missing("TimeWindowSerializer")
CountWindowSerializer = _missing("CountWindowSerializer")
GlobalWindowSerializer = _missing("GlobalWindowSerializer")
WindowAssigner = _missing("WindowAssigner")
MergingWindowAssigner = _missing("MergingWindowAssigner")
Trigger = _missing("Trigger")
TriggerResult = _missing("TriggerResult")
EventTimeTrigger = _missing("EventTimeTrigger")
ProcessingTimeTrigger = _missing("ProcessingTimeTrigger")
ContinuousEventTimeTrigger = _missing("ContinuousEventTimeTrigger")
ContinuousProcessingTimeTrigger = _missing("ContinuousProcessingTimeTrigger")
CountTrigger = _missing("CountTrigger")
NeverTrigger = _missing("NeverTrigger")
PurgingTrigger = _missing("PurgingTrigger")
