"""Window triggers, as in ``pyflink.datastream.window`` (which re-exports them): a trigger decides,
per key and window, when the window function runs over the window's contents and when the
contents are purged."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from enum import Enum
from typing import Any, Generic, TypeVar

from weir.common.time import Duration


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


T = TypeVar("T")
W = TypeVar("W")


class Trigger(ABC, Generic[T, W]):
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
