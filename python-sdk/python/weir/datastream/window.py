"""DataStream windows, as in ``pyflink.datastream.window``: the window types, the assigners that
put an element into windows, and the triggers that decide when a window's contents are
evaluated. The operator that runs them is :mod:`weir.datastream.window_operator`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from enum import Enum
from typing import Any, Callable, Collection, Iterable

from weir.common.time import Duration
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
    "SessionWindowTimeGapExtractor", "GlobalWindows",
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


# ----- triggers -----
class TriggerResult(Enum):
    """What a trigger decides for a window: evaluate it (fire), drop its contents (purge), both,
    or nothing (continue)."""

    CONTINUE = (False, False)
    FIRE_AND_PURGE = (True, True)
    FIRE = (True, False)
    PURGE = (False, True)

    def is_fire(self) -> bool:
        """Whether the window function runs."""
        return bool(self.value[0])

    def is_purge(self) -> bool:
        """Whether the window's contents are dropped."""
        return bool(self.value[1])


class Trigger(ABC):
    """Decides when a window (of one key) is evaluated. Triggers keep no state of their own:
    state goes through ``ctx.get_partitioned_state(descriptor)``, scoped to key and window."""

    class TriggerContext(ABC):
        """What trigger methods can do: read the clocks, set timers, use per-window state."""

        @abstractmethod
        def get_current_processing_time(self) -> int:
            """The current processing time."""

        @abstractmethod
        def get_metric_group(self) -> Any:
            """Metrics are not available in Weir (raises)."""

        @abstractmethod
        def get_current_watermark(self) -> int:
            """The current event-time watermark."""

        @abstractmethod
        def register_processing_time_timer(self, time: int) -> None:
            """Calls ``on_processing_time`` when processing time reaches ``time``."""

        @abstractmethod
        def register_event_time_timer(self, time: int) -> None:
            """Calls ``on_event_time`` when the watermark reaches ``time``."""

        @abstractmethod
        def delete_processing_time_timer(self, time: int) -> None:
            """Deletes a processing-time timer of this window."""

        @abstractmethod
        def delete_event_time_timer(self, time: int) -> None:
            """Deletes an event-time timer of this window."""

        @abstractmethod
        def get_partitioned_state(self, state_descriptor: Any) -> Any:
            """The state of ``state_descriptor`` scoped to the current key and window."""

    class OnMergeContext(TriggerContext):
        """The context of ``on_merge``: can also merge the merged windows' state into the new one."""

        @abstractmethod
        def merge_partitioned_state(self, state_descriptor: Any) -> None:
            """Merges the state of ``state_descriptor`` of the merged windows into the result window."""

    @abstractmethod
    def on_element(self, element: Any, timestamp: int, window: Any, ctx: "Trigger.TriggerContext") -> TriggerResult:
        """Called for each element added to ``window``."""

    @abstractmethod
    def on_processing_time(self, time: int, window: Any, ctx: "Trigger.TriggerContext") -> TriggerResult:
        """Called when a processing-time timer of ``window`` fires."""

    @abstractmethod
    def on_event_time(self, time: int, window: Any, ctx: "Trigger.TriggerContext") -> TriggerResult:
        """Called when an event-time timer of ``window`` fires."""

    def can_merge(self) -> bool:
        """Whether the trigger supports merging (session) windows."""
        return False

    def on_merge(self, window: Any, ctx: "Trigger.OnMergeContext") -> None:
        """Called when windows have been merged into ``window``."""
        raise TypeError(f"{type(self).__name__} does not support merging windows")

    @abstractmethod
    def clear(self, window: Any, ctx: "Trigger.TriggerContext") -> None:
        """Deletes the trigger's timers and state for ``window`` (the window is purged)."""


class EventTimeTrigger(Trigger):
    """Fires when the watermark passes the window's end, and again for each element arriving
    later but within the allowed lateness."""

    @staticmethod
    def create() -> "EventTimeTrigger":
        """An event-time trigger."""
        return EventTimeTrigger()

    def on_element(self, element: Any, timestamp: int, window: Any, ctx: Trigger.TriggerContext) -> TriggerResult:
        """Fires right away if the watermark has passed the window, else sets a timer at its end."""
        if window.max_timestamp() <= ctx.get_current_watermark():
            return TriggerResult.FIRE
        ctx.register_event_time_timer(window.max_timestamp())
        return TriggerResult.CONTINUE

    def on_processing_time(self, time: int, window: Any, ctx: Trigger.TriggerContext) -> TriggerResult:
        """Nothing."""
        return TriggerResult.CONTINUE

    def on_event_time(self, time: int, window: Any, ctx: Trigger.TriggerContext) -> TriggerResult:
        """Fires at the window's end."""
        return TriggerResult.FIRE if time == window.max_timestamp() else TriggerResult.CONTINUE

    def can_merge(self) -> bool:
        """Yes."""
        return True

    def on_merge(self, window: Any, ctx: Trigger.OnMergeContext) -> None:
        """Sets the timer at the merged window's end (unless the watermark is past it)."""
        if window.max_timestamp() > ctx.get_current_watermark():
            ctx.register_event_time_timer(window.max_timestamp())

    def clear(self, window: Any, ctx: Trigger.TriggerContext) -> None:
        """Deletes the end-of-window timer."""
        ctx.delete_event_time_timer(window.max_timestamp())

    def __repr__(self) -> str:
        return "EventTimeTrigger()"


class ProcessingTimeTrigger(Trigger):
    """Fires when processing time passes the window's end."""

    @staticmethod
    def create() -> "ProcessingTimeTrigger":
        """A processing-time trigger."""
        return ProcessingTimeTrigger()

    def on_element(self, element: Any, timestamp: int, window: Any, ctx: Trigger.TriggerContext) -> TriggerResult:
        """Sets a processing-time timer at the window's end."""
        ctx.register_processing_time_timer(window.max_timestamp())
        return TriggerResult.CONTINUE

    def on_processing_time(self, time: int, window: Any, ctx: Trigger.TriggerContext) -> TriggerResult:
        """Fires."""
        return TriggerResult.FIRE

    def on_event_time(self, time: int, window: Any, ctx: Trigger.TriggerContext) -> TriggerResult:
        """Nothing."""
        return TriggerResult.CONTINUE

    def can_merge(self) -> bool:
        """Yes."""
        return True

    def on_merge(self, window: Any, ctx: Trigger.OnMergeContext) -> None:
        """Sets the timer at the merged window's end."""
        if window.max_timestamp() > ctx.get_current_processing_time():
            ctx.register_processing_time_timer(window.max_timestamp())

    def clear(self, window: Any, ctx: Trigger.TriggerContext) -> None:
        """Deletes the end-of-window timer."""
        ctx.delete_processing_time_timer(window.max_timestamp())

    def __repr__(self) -> str:
        return "ProcessingTimeTrigger()"


def _min(a: int, b: int) -> int:
    return min(a, b)


def _plus(a: int, b: int) -> int:
    return a + b


class _Continuous(Trigger):
    """Fires every ``interval`` of one clock (and, for event time, at the window's end); the
    next firing time is kept in per-window reducing state (the minimum, when merged)."""

    event_time = True

    def __init__(self, interval: int) -> None:
        if interval <= 0:
            raise ValueError(f"{type(self).__name__}: the interval must be positive, got {interval} ms")
        self.interval = interval
        self.state_desc = PartitionedStateDescriptor("fire-time", "reducing", _min)

    def _register(self, ctx: Trigger.TriggerContext, time: int) -> None:
        if self.event_time:
            ctx.register_event_time_timer(time)
        else:
            ctx.register_processing_time_timer(time)

    def _delete(self, ctx: Trigger.TriggerContext, time: int) -> None:
        if self.event_time:
            ctx.delete_event_time_timer(time)
        else:
            ctx.delete_processing_time_timer(time)

    def _schedule_next(self, time: int, window: Any, ctx: Trigger.TriggerContext, state: Any) -> None:
        fire_at = min(time + self.interval, window.max_timestamp())
        state.add(fire_at)
        self._register(ctx, fire_at)

    def _on_own_timer(self, time: int, window: Any, ctx: Trigger.TriggerContext) -> TriggerResult:
        state = ctx.get_partitioned_state(self.state_desc)
        if state.get() == time:
            state.clear()
            self._schedule_next(time, window, ctx, state)
            return TriggerResult.FIRE
        return TriggerResult.CONTINUE

    def can_merge(self) -> bool:
        """Yes."""
        return True

    def on_merge(self, window: Any, ctx: Trigger.OnMergeContext) -> None:
        """Keeps the earliest pending firing of the merged windows."""
        ctx.merge_partitioned_state(self.state_desc)
        next_fire = ctx.get_partitioned_state(self.state_desc).get()
        if next_fire is not None:
            self._register(ctx, next_fire)

    def clear(self, window: Any, ctx: Trigger.TriggerContext) -> None:
        """Deletes the pending firing."""
        state = ctx.get_partitioned_state(self.state_desc)
        fire_at = state.get()
        if fire_at is not None:
            self._delete(ctx, fire_at)
            state.clear()


class ContinuousEventTimeTrigger(_Continuous):
    """Fires every ``interval`` of event time (as the watermark advances) and at the window's end."""

    @staticmethod
    def of(interval: Duration) -> "ContinuousEventTimeTrigger":
        """A trigger firing every ``interval``."""
        return ContinuousEventTimeTrigger(interval.to_milliseconds())

    def on_element(self, element: Any, timestamp: int, window: Any, ctx: Trigger.TriggerContext) -> TriggerResult:
        """Fires if the watermark has passed the window; else makes sure a firing is scheduled."""
        if window.max_timestamp() <= ctx.get_current_watermark():
            return TriggerResult.FIRE
        ctx.register_event_time_timer(window.max_timestamp())
        state = ctx.get_partitioned_state(self.state_desc)
        if state.get() is None:
            self._schedule_next(timestamp - timestamp % self.interval, window, ctx, state)
        return TriggerResult.CONTINUE

    def on_event_time(self, time: int, window: Any, ctx: Trigger.TriggerContext) -> TriggerResult:
        """Fires at the window's end and at each scheduled firing."""
        if time == window.max_timestamp():
            return TriggerResult.FIRE
        return self._on_own_timer(time, window, ctx)

    def on_processing_time(self, time: int, window: Any, ctx: Trigger.TriggerContext) -> TriggerResult:
        """Nothing."""
        return TriggerResult.CONTINUE

    def clear(self, window: Any, ctx: Trigger.TriggerContext) -> None:
        """Deletes the pending firing and the end-of-window timer."""
        super().clear(window, ctx)
        ctx.delete_event_time_timer(window.max_timestamp())

    def on_merge(self, window: Any, ctx: Trigger.OnMergeContext) -> None:
        """Keeps the earliest pending firing and sets the merged window's end timer."""
        super().on_merge(window, ctx)
        if window.max_timestamp() > ctx.get_current_watermark():
            ctx.register_event_time_timer(window.max_timestamp())

    def __repr__(self) -> str:
        return f"ContinuousEventTimeTrigger({self.interval})"


class ContinuousProcessingTimeTrigger(_Continuous):
    """Fires every ``interval`` of processing time."""

    event_time = False

    @staticmethod
    def of(interval: Duration) -> "ContinuousProcessingTimeTrigger":
        """A trigger firing every ``interval``."""
        return ContinuousProcessingTimeTrigger(interval.to_milliseconds())

    def on_element(self, element: Any, timestamp: int, window: Any, ctx: Trigger.TriggerContext) -> TriggerResult:
        """Makes sure a firing is scheduled."""
        state = ctx.get_partitioned_state(self.state_desc)
        if state.get() is None:
            now = ctx.get_current_processing_time()
            self._schedule_next(now - now % self.interval, window, ctx, state)
        return TriggerResult.CONTINUE

    def on_processing_time(self, time: int, window: Any, ctx: Trigger.TriggerContext) -> TriggerResult:
        """Fires at each scheduled firing."""
        return self._on_own_timer(time, window, ctx)

    def on_event_time(self, time: int, window: Any, ctx: Trigger.TriggerContext) -> TriggerResult:
        """Nothing."""
        return TriggerResult.CONTINUE

    def __repr__(self) -> str:
        return f"ContinuousProcessingTimeTrigger({self.interval})"


class CountTrigger(Trigger):
    """Fires each time the window has received ``window_size`` more elements."""

    def __init__(self, window_size: int) -> None:
        if window_size <= 0:
            raise ValueError(f"CountTrigger: the count must be positive, got {window_size}")
        self.window_size = window_size
        self.count_desc = PartitionedStateDescriptor("count", "reducing", _plus)

    @staticmethod
    def of(window_size: int) -> "CountTrigger":
        """A trigger firing every ``window_size`` elements."""
        return CountTrigger(window_size)

    def on_element(self, element: Any, timestamp: int, window: Any, ctx: Trigger.TriggerContext) -> TriggerResult:
        """Counts the element; fires (and restarts the count) at ``window_size``."""
        count = ctx.get_partitioned_state(self.count_desc)
        count.add(1)
        if count.get() >= self.window_size:
            count.clear()
            return TriggerResult.FIRE
        return TriggerResult.CONTINUE

    def on_processing_time(self, time: int, window: Any, ctx: Trigger.TriggerContext) -> TriggerResult:
        """Nothing."""
        return TriggerResult.CONTINUE

    def on_event_time(self, time: int, window: Any, ctx: Trigger.TriggerContext) -> TriggerResult:
        """Nothing."""
        return TriggerResult.CONTINUE

    def can_merge(self) -> bool:
        """Yes: merged windows add their counts."""
        return True

    def on_merge(self, window: Any, ctx: Trigger.OnMergeContext) -> None:
        """Adds the merged windows' counts."""
        ctx.merge_partitioned_state(self.count_desc)

    def clear(self, window: Any, ctx: Trigger.TriggerContext) -> None:
        """Drops the count."""
        ctx.get_partitioned_state(self.count_desc).clear()

    def __repr__(self) -> str:
        return f"CountTrigger({self.window_size})"


class PurgingTrigger(Trigger):
    """Another trigger whose every firing also purges the window."""

    def __init__(self, nested_trigger: Trigger) -> None:
        self.nested_trigger = nested_trigger

    @staticmethod
    def of(nested_trigger: Trigger) -> "PurgingTrigger":
        """``nested_trigger``, purging when it fires."""
        return PurgingTrigger(nested_trigger)

    @staticmethod
    def _purging(result: TriggerResult) -> TriggerResult:
        return TriggerResult.FIRE_AND_PURGE if result.is_fire() else result

    def on_element(self, element: Any, timestamp: int, window: Any, ctx: Trigger.TriggerContext) -> TriggerResult:
        """The nested trigger's decision, purging if it fires."""
        return self._purging(self.nested_trigger.on_element(element, timestamp, window, ctx))

    def on_event_time(self, time: int, window: Any, ctx: Trigger.TriggerContext) -> TriggerResult:
        """The nested trigger's decision, purging if it fires."""
        return self._purging(self.nested_trigger.on_event_time(time, window, ctx))

    def on_processing_time(self, time: int, window: Any, ctx: Trigger.TriggerContext) -> TriggerResult:
        """The nested trigger's decision, purging if it fires."""
        return self._purging(self.nested_trigger.on_processing_time(time, window, ctx))

    def clear(self, window: Any, ctx: Trigger.TriggerContext) -> None:
        """Clears the nested trigger."""
        self.nested_trigger.clear(window, ctx)

    def can_merge(self) -> bool:
        """Whether the nested trigger can merge."""
        return self.nested_trigger.can_merge()

    def on_merge(self, window: Any, ctx: Trigger.OnMergeContext) -> None:
        """Merges the nested trigger."""
        self.nested_trigger.on_merge(window, ctx)

    def __repr__(self) -> str:
        return f"PurgingTrigger({self.nested_trigger!r})"


class NeverTrigger(Trigger):
    """Never fires (the default of :class:`GlobalWindows`)."""

    def on_element(self, element: Any, timestamp: int, window: Any, ctx: Trigger.TriggerContext) -> TriggerResult:
        """Nothing."""
        return TriggerResult.CONTINUE

    def on_processing_time(self, time: int, window: Any, ctx: Trigger.TriggerContext) -> TriggerResult:
        """Nothing."""
        return TriggerResult.CONTINUE

    def on_event_time(self, time: int, window: Any, ctx: Trigger.TriggerContext) -> TriggerResult:
        """Nothing."""
        return TriggerResult.CONTINUE

    def can_merge(self) -> bool:
        """Yes (nothing to merge)."""
        return True

    def on_merge(self, window: Any, ctx: Trigger.OnMergeContext) -> None:
        """Nothing."""

    def clear(self, window: Any, ctx: Trigger.TriggerContext) -> None:
        """Nothing."""


class PartitionedStateDescriptor:
    """A trigger's own per-window state: ``kind`` is ``"value"`` or ``"reducing"`` (with
    ``reduce_function``). User triggers may pass PyFlink's state descriptors instead."""

    def __init__(self, name: str, kind: str, reduce_function: Callable[[Any, Any], Any] | None = None) -> None:
        self.name = name
        self.kind = kind
        self.reduce_function = reduce_function


# ----- assigners -----
class WindowAssigner(ABC):
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


class MergingWindowAssigner(WindowAssigner):
    """An assigner whose windows can merge (sessions)."""

    class MergeCallback(ABC):
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
            raise ValueError(f"{type(self).__name__} parameters must satisfy abs(offset) < slide and size > 0 (size {size} ms, slide {slide} ms, offset {offset} ms)")
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
