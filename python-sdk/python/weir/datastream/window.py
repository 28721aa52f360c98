"""DataStream windows, as in ``pyflink.datastream.window``: the window types and the assigners
that put an element into windows; the triggers that decide when a window's contents are
evaluated are in :mod:`weir.datastream.window_triggers` (re-exported here). The operator that
runs them is the engine's (:mod:`weir.datastream.window_runner`)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterable
from typing import Any, Generic, TypeVar

from weir.common.time import Duration
from weir.datastream.window_evictors import CountEvictor, DeltaEvictor, Evictor, TimeEvictor, TimestampedValue
from weir.datastream.window_triggers import (
    ContinuousEventTimeTrigger,
    ContinuousProcessingTimeTrigger,
    CountTrigger,
    EventTimeTrigger,
    NeverTrigger,
    ProcessingTimeTrigger,
    PurgingTrigger,
    Trigger,
    TriggerResult,
)
from weir.errors import unsupported_class

MAX_LONG = 2**63 - 1
MIN_LONG = -(2**63)

__all__ = [
    "Window", "TimeWindow", "CountWindow", "GlobalWindow", "TumblingProcessingTimeWindows", "TumblingEventTimeWindows",
    "SlidingProcessingTimeWindows", "SlidingEventTimeWindows", "ProcessingTimeSessionWindows", "EventTimeSessionWindows",
    "DynamicProcessingTimeSessionWindows", "DynamicEventTimeSessionWindows", "WindowAssigner", "MergingWindowAssigner",
    "CountTumblingWindowAssigner", "CountSlidingWindowAssigner", "TriggerResult", "Trigger", "EventTimeTrigger",
    "ProcessingTimeTrigger", "ContinuousEventTimeTrigger", "ContinuousProcessingTimeTrigger", "NeverTrigger",
    "PurgingTrigger", "CountTrigger", "TimeWindowSerializer", "CountWindowSerializer", "GlobalWindowSerializer",
    "SessionWindowTimeGapExtractor", "GlobalWindows", "Evictor", "CountEvictor", "TimeEvictor", "DeltaEvictor", "TimestampedValue",
]


# ----- windows -----
class Window(ABC):
    """A finite bucket of elements; every element of it has a timestamp up to ``max_timestamp()``."""

    @abstractmethod
    def max_timestamp(self) -> int:
        """The largest timestamp an element of this window can have."""


class TimeWindow(Window):
    """The time interval ``[start, end)`` in epoch milliseconds."""

    __slots__ = ("start", "end")

    def __init__(self, start: int, end: int) -> None:
        self.start = start
        self.end = end

    def max_timestamp(self) -> int:
        """``end - 1``."""
        return self.end - 1

    def intersects(self, other: "TimeWindow") -> bool:
        """Whether the two windows overlap or touch (sessions that touch merge)."""
        return self.start <= other.end and self.end >= other.start

    def cover(self, other: "TimeWindow") -> "TimeWindow":
        """The smallest window containing both."""
        return TimeWindow(min(self.start, other.start), max(self.end, other.end))

    @staticmethod
    def get_window_start_with_offset(timestamp: int, offset: int, window_size: int) -> int:
        """The start of the window of ``window_size`` (shifted by ``offset``) holding ``timestamp``."""
        return timestamp - (timestamp - offset + window_size) % window_size

    @staticmethod
    def merge_windows(windows: Iterable["TimeWindow"], callback: "MergingWindowAssigner.MergeCallback") -> None:
        """Calls ``callback.merge(windows, cover)`` for each group of two or more windows that
        overlap or touch, transitively."""
        group: list[TimeWindow] = []
        cover: TimeWindow | None = None
        for w in sorted(windows, key=lambda w: (w.start, w.end)):
            if cover is not None and cover.intersects(w):
                cover = cover.cover(w)
                group.append(w)
                continue
            if cover is not None and len(group) > 1:
                callback.merge(group, cover)
            cover, group = w, [w]
        if cover is not None and len(group) > 1:
            callback.merge(group, cover)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TimeWindow) and self.start == other.start and self.end == other.end

    def __hash__(self) -> int:
        return hash((self.start, self.end))

    def __lt__(self, other: "TimeWindow") -> bool:
        return (self.start, self.end) < (other.start, other.end)

    def __repr__(self) -> str:
        return f"TimeWindow(start={self.start}, end={self.end})"

    def __reduce__(self) -> Any:
        return TimeWindow, (self.start, self.end)


class CountWindow(Window):
    """The ``id``-th window of a count-window assigner (per key)."""

    __slots__ = ("id",)

    def __init__(self, id: int) -> None:
        self.id = id

    def max_timestamp(self) -> int:
        """Count windows are not bounded in time."""
        return MAX_LONG

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CountWindow) and self.id == other.id

    def __hash__(self) -> int:
        return hash(("count", self.id))

    def __repr__(self) -> str:
        return f"CountWindow(id={self.id})"

    def __reduce__(self) -> Any:
        return CountWindow, (self.id,)


class GlobalWindow(Window):
    """The one window of :class:`GlobalWindows`, holding every element of a key."""

    @staticmethod
    def get() -> "GlobalWindow":
        """The global window."""
        return GlobalWindow()

    def max_timestamp(self) -> int:
        """The global window never ends."""
        return MAX_LONG

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GlobalWindow)

    def __hash__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return "GlobalWindow"


# ----- assigners -----
T = TypeVar("T")
W = TypeVar("W")


class WindowAssigner(ABC, Generic[T, W]):
    """Puts each element into zero or more windows; has a default trigger."""

    class WindowAssignerContext(ABC):
        """What an assigner can read: processing time and the runtime context."""

        @abstractmethod
        def get_current_processing_time(self) -> int:
            """The current processing time."""

        @abstractmethod
        def get_runtime_context(self) -> Any:
            """The operator's runtime context (keyed state of the current key)."""

    @abstractmethod
    def assign_windows(self, element: Any, timestamp: int, context: "WindowAssigner.WindowAssignerContext") -> Collection[Any]:
        """The windows of ``element`` (with event time ``timestamp``)."""

    @abstractmethod
    def get_default_trigger(self, env: Any) -> Trigger:
        """The trigger used when ``WindowedStream.trigger`` is not called."""

    def get_window_serializer(self) -> Any:
        """Windows are pickled in Weir: no serializer is needed."""
        return None

    @abstractmethod
    def is_event_time(self) -> bool:
        """Whether windows follow event time (watermarks) rather than processing time."""


class MergingWindowAssigner(WindowAssigner[T, W]):
    """An assigner whose windows can merge (sessions)."""

    class MergeCallback(ABC, Generic[W]):
        """Told which windows merge into which."""

        @abstractmethod
        def merge(self, to_be_merged: Iterable[Any], merge_result: Any) -> None:
            """``to_be_merged`` become ``merge_result``."""

    @abstractmethod
    def merge_windows(self, windows: Iterable[Any], callback: "MergingWindowAssigner.MergeCallback") -> None:
        """Calls ``callback.merge`` for each group of ``windows`` that merge."""


def _millis(t: Duration | int, what: str) -> int:
    ms = t if isinstance(t, int) else t.to_milliseconds()
    if not isinstance(ms, int):
        raise TypeError(f"{what}: expected a Time/Duration or milliseconds, got {t!r}")
    return ms


def _event_timestamp(timestamp: int | None) -> int:
    if timestamp is None or timestamp <= MIN_LONG:
        raise ValueError("a record has no timestamp: event-time windows need "
                         "'data_stream.assign_timestamps_and_watermarks(...)' before them")
    return timestamp


class _Tumbling(WindowAssigner):
    event_time = True

    def __init__(self, size: int, offset: int = 0) -> None:
        if size <= 0 or abs(offset) >= size:
            raise ValueError(f"{type(self).__name__} parameters must satisfy abs(offset) < size and size > 0 (size {size} ms, offset {offset} ms)")
        self._size = size
        self._offset = offset

    @classmethod
    def of(cls, size: Duration, offset: Duration | None = None) -> Any:
        """Windows of ``size``, starting at multiples of it shifted by ``offset``."""
        return cls(_millis(size, cls.__name__), _millis(offset, cls.__name__) if offset is not None else 0)

    def assign_windows(self, element: Any, timestamp: int, context: WindowAssigner.WindowAssignerContext) -> list[TimeWindow]:
        """The one window holding the element's time."""
        t = _event_timestamp(timestamp) if self.event_time else context.get_current_processing_time()
        start = TimeWindow.get_window_start_with_offset(t, self._offset, self._size)
        return [TimeWindow(start, start + self._size)]

    def get_default_trigger(self, env: Any) -> Trigger:
        """Fires at the window's end."""
        return EventTimeTrigger() if self.event_time else ProcessingTimeTrigger()

    def is_event_time(self) -> bool:
        """See the class."""
        return self.event_time

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._size}, {self._offset})"


class TumblingEventTimeWindows(_Tumbling):
    """Consecutive, non-overlapping event-time windows of a fixed size."""


class TumblingProcessingTimeWindows(_Tumbling):
    """Consecutive, non-overlapping processing-time windows of a fixed size."""

    event_time = False


class _Sliding(WindowAssigner):
    event_time = True

    def __init__(self, size: int, slide: int, offset: int = 0) -> None:
        if size <= 0 or slide <= 0 or abs(offset) >= slide:
            raise ValueError(
                f"{type(self).__name__} parameters must satisfy abs(offset) < slide and size > 0 (size {size} ms, slide {slide} ms, offset {offset} ms)"
            )
        self._size = size
        self._slide = slide
        self._offset = offset

    @classmethod
    def of(cls, size: Duration, slide: Duration, offset: Duration | None = None) -> Any:
        """Windows of ``size`` starting every ``slide`` (shifted by ``offset``)."""
        return cls(_millis(size, cls.__name__), _millis(slide, cls.__name__), _millis(offset, cls.__name__) if offset is not None else 0)

    def assign_windows(self, element: Any, timestamp: int, context: WindowAssigner.WindowAssignerContext) -> list[TimeWindow]:
        """Every window holding the element's time (``size / slide`` of them)."""
        t = _event_timestamp(timestamp) if self.event_time else context.get_current_processing_time()
        start = TimeWindow.get_window_start_with_offset(t, self._offset, self._slide)
        windows = []
        while start > t - self._size:
            windows.append(TimeWindow(start, start + self._size))
            start -= self._slide
        return windows

    def get_default_trigger(self, env: Any) -> Trigger:
        """Fires at the window's end."""
        return EventTimeTrigger() if self.event_time else ProcessingTimeTrigger()

    def is_event_time(self) -> bool:
        """See the class."""
        return self.event_time

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._size}, {self._slide}, {self._offset})"


class SlidingEventTimeWindows(_Sliding):
    """Overlapping event-time windows of a fixed size, starting every ``slide``."""


class SlidingProcessingTimeWindows(_Sliding):
    """Overlapping processing-time windows of a fixed size, starting every ``slide``."""

    event_time = False


class SessionWindowTimeGapExtractor(ABC):
    """The session gap of an element, for dynamic session windows: implement ``extract``."""

    @abstractmethod
    def extract(self, element: Any) -> int:
        """The gap in milliseconds after ``element``."""


class _Sessions(MergingWindowAssigner):
    event_time = True

    def __init__(self, gap: int | None = None, extractor: Any = None) -> None:
        if gap is not None and gap <= 0:
            raise ValueError(f"{type(self).__name__}: the session gap must be positive, got {gap} ms")
        self._gap = gap
        self._extract: Callable[[Any], int] | None = None
        if extractor is not None:
            self._extract = extractor.extract if hasattr(extractor, "extract") else extractor
            if not callable(self._extract):
                raise TypeError(f"expected a SessionWindowTimeGapExtractor or a function, got {extractor!r}")

    def assign_windows(self, element: Any, timestamp: int, context: WindowAssigner.WindowAssignerContext) -> list[TimeWindow]:
        """``[t, t + gap)``, merged later with the key's overlapping sessions."""
        t = _event_timestamp(timestamp) if self.event_time else context.get_current_processing_time()
        gap = self._gap
        if self._extract is not None:
            gap = self._extract(element)
            if not isinstance(gap, int) or gap <= 0:
                raise ValueError(f"{type(self).__name__}: the session gap extracted from {element!r} must be a positive number of milliseconds, got {gap!r}")
        assert gap is not None
        return [TimeWindow(t, t + gap)]

    def merge_windows(self, windows: Iterable[TimeWindow], callback: MergingWindowAssigner.MergeCallback) -> None:
        """Overlapping or touching sessions merge."""
        TimeWindow.merge_windows(windows, callback)

    def get_default_trigger(self, env: Any) -> Trigger:
        """Fires at the session's end."""
        return EventTimeTrigger() if self.event_time else ProcessingTimeTrigger()

    def is_event_time(self) -> bool:
        """See the class."""
        return self.event_time

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._gap if self._extract is None else 'dynamic'})"


class EventTimeSessionWindows(_Sessions):
    """Per key, event-time sessions: elements closer than ``gap`` share a window."""

    @staticmethod
    def with_gap(size: Duration) -> "EventTimeSessionWindows":
        """Sessions closing after ``size`` without elements."""
        return EventTimeSessionWindows(_millis(size, "EventTimeSessionWindows"))

    @staticmethod
    def with_dynamic_gap(extractor: Any) -> "DynamicEventTimeSessionWindows":
        """Sessions whose gap after each element is ``extractor.extract(element)``."""
        return DynamicEventTimeSessionWindows(extractor=extractor)


class DynamicEventTimeSessionWindows(_Sessions):
    """Event-time sessions with a gap chosen per element."""

    @staticmethod
    def with_dynamic_gap(extractor: Any) -> "DynamicEventTimeSessionWindows":
        """Sessions whose gap after each element is ``extractor.extract(element)``."""
        return DynamicEventTimeSessionWindows(extractor=extractor)


class ProcessingTimeSessionWindows(_Sessions):
    """Per key, processing-time sessions."""

    event_time = False

    @staticmethod
    def with_gap(size: Duration) -> "ProcessingTimeSessionWindows":
        """Sessions closing after ``size`` without elements."""
        return ProcessingTimeSessionWindows(_millis(size, "ProcessingTimeSessionWindows"))

    @staticmethod
    def with_dynamic_gap(extractor: Any) -> "DynamicProcessingTimeSessionWindows":
        """Sessions whose gap after each element is ``extractor.extract(element)``."""
        return DynamicProcessingTimeSessionWindows(extractor=extractor)


class DynamicProcessingTimeSessionWindows(_Sessions):
    """Processing-time sessions with a gap chosen per element."""

    event_time = False

    @staticmethod
    def with_dynamic_gap(extractor: Any) -> "DynamicProcessingTimeSessionWindows":
        """Sessions whose gap after each element is ``extractor.extract(element)``."""
        return DynamicProcessingTimeSessionWindows(extractor=extractor)


class GlobalWindows(WindowAssigner):
    """Every element of a key in one window; it only fires with a custom trigger."""

    @staticmethod
    def create() -> "GlobalWindows":
        """The global-window assigner."""
        return GlobalWindows()

    def assign_windows(self, element: Any, timestamp: int, context: WindowAssigner.WindowAssignerContext) -> list[GlobalWindow]:
        """The global window."""
        return [GlobalWindow()]

    def get_default_trigger(self, env: Any) -> Trigger:
        """Never fires."""
        return NeverTrigger()

    def is_event_time(self) -> bool:
        """No."""
        return False

    def __repr__(self) -> str:
        return "GlobalWindows()"


class _CountWindows(WindowAssigner):
    """Count windows number the key's elements; the count is keyed state of the operator."""

    def _next_index(self, context: WindowAssigner.WindowAssignerContext) -> int:
        from weir.common.typeinfo import Types
        from weir.datastream.state import ValueStateDescriptor

        count = context.get_runtime_context().get_state(ValueStateDescriptor(f"{type(self).__name__}-count", Types.LONG()))
        n = count.value() or 0
        count.update(n + 1)
        return int(n)

    def is_event_time(self) -> bool:
        """No."""
        return False


class CountTumblingWindowAssigner(_CountWindows):
    """Per key, consecutive windows of ``window_size`` elements; each fires when full."""

    def __init__(self, window_size: int) -> None:
        if window_size <= 0:
            raise ValueError(f"count windows need a positive size, got {window_size}")
        self._window_size = window_size

    @staticmethod
    def of(window_size: int) -> "CountTumblingWindowAssigner":
        """Windows of ``window_size`` elements."""
        return CountTumblingWindowAssigner(window_size)

    def assign_windows(self, element: Any, timestamp: int, context: WindowAssigner.WindowAssignerContext) -> list[CountWindow]:
        """The ``n // window_size``-th window for the key's ``n``-th element."""
        return [CountWindow(self._next_index(context) // self._window_size)]

    def get_default_trigger(self, env: Any) -> Trigger:
        """Fires (and purges) when the window is full."""
        return PurgingTrigger(CountTrigger(self._window_size))

    def __repr__(self) -> str:
        return f"CountTumblingWindowAssigner({self._window_size})"


class CountSlidingWindowAssigner(_CountWindows):
    """Per key, windows of ``window_size`` elements starting every ``window_slide`` elements;
    each fires when full (as PyFlink's)."""

    def __init__(self, window_size: int, window_slide: int) -> None:
        if window_size <= 0 or window_slide <= 0:
            raise ValueError(f"count windows need a positive size and slide, got {window_size} and {window_slide}")
        self._window_size = window_size
        self._window_slide = window_slide

    @staticmethod
    def of(window_size: int, window_slide: int) -> "CountSlidingWindowAssigner":
        """Windows of ``window_size`` elements every ``window_slide`` elements."""
        return CountSlidingWindowAssigner(window_size, window_slide)

    def assign_windows(self, element: Any, timestamp: int, context: WindowAssigner.WindowAssignerContext) -> list[CountWindow]:
        """Window ``i`` holds the key's elements ``i * slide`` up to ``i * slide + size - 1``."""
        n = self._next_index(context)
        windows = []
        i = n // self._window_slide
        while i >= 0 and i * self._window_slide + self._window_size > n:
            windows.append(CountWindow(i))
            i -= 1
        return windows

    def get_default_trigger(self, env: Any) -> Trigger:
        """Fires (and purges) when the window is full."""
        return PurgingTrigger(CountTrigger(self._window_size))

    def __repr__(self) -> str:
        return f"CountSlidingWindowAssigner({self._window_size}, {self._window_slide})"


_SERIALIZERS = "window serializers (Weir pickles windows)"
TimeWindowSerializer = unsupported_class("TimeWindowSerializer", _SERIALIZERS, __name__)
CountWindowSerializer = unsupported_class("CountWindowSerializer", _SERIALIZERS, __name__)
GlobalWindowSerializer = unsupported_class("GlobalWindowSerializer", _SERIALIZERS, __name__)
