"""The window operator, as a ``KeyedProcessFunction`` (Flink's ``WindowOperator``): each element
is put into windows by the assigner (session windows merge), added to the window's contents
(kept in keyed MapState under the window), and the trigger decides on each element and timer
whether the window function runs over the contents. Every window has a cleanup time —
``max_timestamp() + allowed_lateness`` in event time — at which its state is dropped; an element
whose windows are all past cleanup is late: it goes to the late-data side output, or is dropped
and counted. Output records carry the window's ``max_timestamp()`` as their timestamp."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from weir.common.typeinfo import Types
from weir.datastream.functions import KeyedProcessFunction, WindowContext
from weir.datastream.process import Timestamped
from weir.datastream.state import MapStateDescriptor, ValueStateDescriptor
from weir.datastream.window import MAX_LONG, MIN_LONG, MergingWindowAssigner, Trigger, WindowAssigner
from weir.datastream.window_functions import InternalWindowFunction
from weir.datastream.window_state import Contents, ScopedState, WindowStateStore, merge_scoped

EVENT = "event"
PROCESSING = "processing"


def _domain(time_domain: Any) -> str:
    name = getattr(time_domain, "name", time_domain)
    return EVENT if str(name).upper().endswith("EVENT_TIME") else PROCESSING


class _Timers:
    """The operator's timers: a window asks for one at a time; the engine's timer service keeps
    one timer per (key, time), and ``(domain, time) -> windows`` in keyed MapState says which
    windows it is for. One ``_Timers`` serves one call (it caches the entries it read). ``hint``
    (a value state) keeps a lower bound of the key's event-time timers, so the operator knows
    without listing them whether a watermark passes one."""

    def __init__(self, store: Any, service: Any, hint: Any) -> None:
        self.store = store
        self.service = service
        self.hint = hint
        self._read: dict[tuple[str, int], list[Any]] = {}

    def _get(self, key: tuple[str, int]) -> list[Any]:
        if key not in self._read:
            self._read[key] = list(self.store.get(key) or [])
        return self._read[key]

    def _put(self, key: tuple[str, int], windows: list[Any]) -> None:
        self._read[key] = windows
        if windows:
            self.store.put(key, windows)
        else:
            self.store.remove(key)

    def register(self, domain: str, time: int, window: Any) -> None:
        """A timer for ``window`` at ``time``."""
        windows = self._get((domain, time))
        if window in windows:
            return
        if not windows:
            if domain == EVENT:
                self.service.register_event_time_timer(time)
                earliest = self.hint.value()
                if earliest is None or time < earliest:
                    self.hint.update(time)
            else:
                self.service.register_processing_time_timer(time)
        self._put((domain, time), [*windows, window])

    def delete(self, domain: str, time: int, window: Any) -> None:
        """Deletes ``window``'s timer at ``time``, if any."""
        windows = self._get((domain, time))
        if window not in windows:
            return
        rest = [w for w in windows if w != window]
        self._put((domain, time), rest)
        if not rest:
            if domain == EVENT:
                self.service.delete_event_time_timer(time)
            else:
                self.service.delete_processing_time_timer(time)

    def due_event_times(self, watermark: int) -> list[int]:
        """The key's event-time timers at or before ``watermark``, in time order (the hint
        moves to the earliest one left)."""
        earliest = self.hint.value()
        if earliest is None or earliest > watermark:
            return []
        times = sorted(t for d, t in self.store.keys() if d == EVENT)
        later = [t for t in times if t > watermark]
        if later:
            self.hint.update(later[0])
        else:
            self.hint.clear()
        return [t for t in times if t <= watermark]

    def passed(self, time: int) -> None:
        """The engine fires the event-time timer at ``time``: it fires them in time order, so
        the key's earlier ones are gone and the hint moves past it (timers registered while it
        fires lower it again)."""
        earliest = self.hint.value()
        if earliest is not None and earliest <= time:
            self.hint.update(time + 1)

    def take(self, domain: str, time: int) -> list[Any]:
        """The windows of a timer fired by the operator itself, before the engine would (the
        engine's timer is deleted)."""
        windows = self.pop(domain, time)
        if windows:
            if domain == EVENT:
                self.service.delete_event_time_timer(time)
            else:
                self.service.delete_processing_time_timer(time)
        return windows

    def pop(self, domain: str, time: int) -> list[Any]:
        """The windows whose timer at ``time`` fired (forgotten)."""
        windows = self._get((domain, time))
        if windows:
            self._put((domain, time), [])
        return windows


class _TriggerContext(Trigger.OnMergeContext):
    """The trigger's view of one window of the current key."""

    def __init__(self, op: "WindowOperator", ctx: Any, timers: _Timers, window: Any, merged: list[Any] | None = None) -> None:
        self._op = op
        self._ctx = ctx
        self._timers = timers
        self.window = window
        self._merged = merged or []

    def get_current_processing_time(self) -> int:
        """Processing time."""
        return int(self._ctx.timer_service().current_processing_time())

    def get_metric_group(self) -> Any:
        """Metrics are not available in Weir."""
        from weir.errors import unsupported

        raise unsupported("Trigger metric groups")

    def get_current_watermark(self) -> int:
        """The watermark."""
        return self._op.current_watermark(self._ctx)

    def register_processing_time_timer(self, time: int) -> None:
        """A processing-time timer for this window."""
        self._timers.register(PROCESSING, time, self.window)

    def register_event_time_timer(self, time: int) -> None:
        """An event-time timer for this window."""
        self._timers.register(EVENT, time, self.window)

    def delete_processing_time_timer(self, time: int) -> None:
        """Deletes a processing-time timer of this window."""
        self._timers.delete(PROCESSING, time, self.window)

    def delete_event_time_timer(self, time: int) -> None:
        """Deletes an event-time timer of this window."""
        self._timers.delete(EVENT, time, self.window)

    def get_partitioned_state(self, state_descriptor: Any) -> ScopedState:
        """State of this window and key."""
        return ScopedState(self._op._trigger_state, state_descriptor, self.window)

    def merge_partitioned_state(self, state_descriptor: Any) -> None:
        """Combines the merged windows' state into this window's."""
        merge_scoped(self._op._trigger_state, state_descriptor, self._merged, self.window)


class _AssignerContext(WindowAssigner.WindowAssignerContext):
    def __init__(self, ctx: Any, runtime_context: Any) -> None:
        self._ctx = ctx
        self._runtime_context = runtime_context

    def get_current_processing_time(self) -> int:
        return int(self._ctx.timer_service().current_processing_time())

    def get_runtime_context(self) -> Any:
        return self._runtime_context


def _watermark(ctx: Any) -> int:
    w = ctx.timer_service().current_watermark()
    return MIN_LONG if w is None else int(w)


class _MergeCollector(MergingWindowAssigner.MergeCallback):
    def __init__(self) -> None:
        self.merges: list[tuple[list[Any], Any]] = []

    def merge(self, to_be_merged: Iterable[Any], merge_result: Any) -> None:
        self.merges.append((list(to_be_merged), merge_result))


class WindowOperator(KeyedProcessFunction):
    """Runs one windowed computation of a keyed stream (see the module)."""

    def __init__(self, assigner: WindowAssigner, trigger: Trigger, contents: Contents, function: InternalWindowFunction,
                 allowed_lateness: int = 0, late_data_tag: Any = None) -> None:
        if allowed_lateness < 0:
            raise ValueError(f"allowed_lateness must not be negative, got {allowed_lateness} ms")
        self.assigner = assigner
        self.trigger = trigger
        self.contents = contents
        self.function = function
        self.allowed_lateness = allowed_lateness
        self.late_data_tag = late_data_tag
        self.merging = isinstance(assigner, MergingWindowAssigner)
        self.event_time = assigner.is_event_time()
        self.late_records_dropped = 0
        self._watermark_now = MIN_LONG

    def open(self, runtime_context: Any) -> None:
        """Gets the operator's keyed state."""
        self._runtime_context = runtime_context

        def map_state(name: str) -> Any:
            return runtime_context.get_map_state(MapStateDescriptor(name, Types.PICKLED_BYTE_ARRAY(), Types.PICKLED_BYTE_ARRAY()))

        self._contents = map_state("window-contents")
        self._trigger_state = map_state("window-trigger-state")
        self._window_state = map_state("window-function-state")
        self._sessions = map_state("window-sessions")
        self._timer_windows = map_state("window-timers")
        self._earliest_timer = runtime_context.get_state(ValueStateDescriptor("window-earliest-event-timer", Types.LONG()))
        self.function.open(runtime_context)

    def close(self) -> None:
        """Closes the window function; reports the late elements dropped (Flink's
        ``numLateRecordsDropped`` metric) as a warning of the ``weir.datastream.window`` logger."""
        self.function.close()
        if self.late_records_dropped:
            logging.getLogger("weir.datastream.window").warning(
                "window operator (%r) dropped %d late element(s); use allowed_lateness or side_output_late_data to keep them",
                self.assigner, self.late_records_dropped)

    # ----- time -----
    def _timers(self, ctx: Any) -> _Timers:
        return _Timers(self._timer_windows, ctx.timer_service(), self._earliest_timer)

    def _cleanup_time(self, window: Any) -> int:
        if not self.event_time:
            return int(window.max_timestamp())
        return min(int(window.max_timestamp()) + self.allowed_lateness, MAX_LONG)

    def _is_window_late(self, window: Any, watermark: int) -> bool:
        return self.event_time and self._cleanup_time(window) <= watermark

    def _register_cleanup(self, timers: _Timers, window: Any) -> None:
        time = self._cleanup_time(window)
        if time < MAX_LONG:
            timers.register(EVENT if self.event_time else PROCESSING, time, window)

    def _delete_cleanup(self, timers: _Timers, window: Any) -> None:
        time = self._cleanup_time(window)
        if time < MAX_LONG:
            timers.delete(EVENT if self.event_time else PROCESSING, time, window)

    # ----- elements -----
    def process_element(self, value: Any, ctx: Any) -> list[Any]:
        """Adds ``value`` to its windows and runs the trigger on each; late values go to the side
        output (or are dropped). Returns the window results, each ``Timestamped`` with its window's
        ``max_timestamp()``."""
        timers = self._timers(ctx)
        timestamp = ctx.timestamp()
        out: list[Any] = []
        watermark = self._catch_up(ctx, timers, out)
        windows = self.assigner.assign_windows(value, timestamp, _AssignerContext(ctx, self._runtime_context))
        skipped = True
        for window in windows:
            state_window = window
            if self.merging:
                window, state_window = self._add_session(window, ctx, timers, watermark)
            if self._is_window_late(window, watermark):
                if self.merging:
                    self._retire(window)
                continue
            skipped = False
            self.contents.add(self._contents, state_window, value)
            result = self.trigger.on_element(value, timestamp, window, _TriggerContext(self, ctx, timers, window))
            self._apply(result, window, state_window, ctx, out)
            self._register_cleanup(timers, window)
        if skipped and self.event_time and timestamp is not None and timestamp + self.allowed_lateness <= watermark:
            if self.late_data_tag is not None:
                ctx.output(self.late_data_tag, value)
            else:
                self.late_records_dropped += 1
        return out

    def _apply(self, result: Any, window: Any, state_window: Any, ctx: Any, out: list[Any]) -> None:
        if result.is_fire():
            elements = self.contents.elements(self._contents, state_window)
            if elements is not None:
                context = _ProcessContext(self, ctx, window)
                produced = self.function.process(ctx.get_current_key(), window, context, elements)
                ts = window.max_timestamp()
                out.extend(Timestamped(v, ts) for v in (produced or []))
        if result.is_purge():
            self.contents.clear(self._contents, state_window)

    def _retire(self, window: Any) -> None:
        if self._sessions.contains(window):
            self._sessions.remove(window)

    def _add_session(self, new: Any, ctx: Any, timers: _Timers, watermark: int) -> tuple[Any, Any]:
        """Adds the new session window of an element to the key's sessions, merging the ones it
        overlaps, and returns the window it ended in and the window its contents are kept under.
        As in Flink's ``MergingWindowSet``, a merged window keeps the contents of one of the
        windows it replaces (no copy when a session grows); the others' are moved into them."""
        active = dict(self._sessions.items())
        collector = _MergeCollector()
        self.assigner.merge_windows(list(dict.fromkeys([*active, new])), collector)  # type: ignore[attr-defined]
        result_window = new
        for merged, result in collector.merges:
            if new in merged:
                result_window = result
            existing = [w for w in merged if w in active]
            if existing == [result]:
                continue
            if self.event_time and min(int(result.max_timestamp()) + self.allowed_lateness, MAX_LONG) <= watermark:
                raise RuntimeError(f"merging sessions into {result!r} would end it before the current watermark {watermark}")
            state_windows = [active.pop(w) for w in existing]
            self.trigger.on_merge(result, _TriggerContext(self, ctx, timers, result, existing))
            for m in existing:
                if m != result:
                    self.trigger.clear(m, _TriggerContext(self, ctx, timers, m))
                    self._delete_cleanup(timers, m)
                self._sessions.remove(m)
            if len(state_windows) > 1:
                self.contents.merge(self._contents, state_windows[0], state_windows[1:])
            self._sessions.put(result, state_windows[0])
            active[result] = state_windows[0]
        if result_window not in active:
            self._sessions.put(result_window, result_window)
            return result_window, result_window
        return result_window, active[result_window]

    # ----- time -----
    def _catch_up(self, ctx: Any, timers: _Timers, out: list[Any]) -> int:
        """The watermark for the element now arriving, after firing the key's event-time timers
        it has passed. The engine's watermark is its input frontier, which trails the records it
        has delivered, except that a late record is seen behind the watermark it was late
        against: the timers that watermark has passed may not have fired yet, and in Flink they
        would have, before the late element arrived (so a window fires before a late element
        re-fires it)."""
        watermark = self._watermark_now = _watermark(ctx)
        for time in timers.due_event_times(watermark):
            self._fire(EVENT, time, timers.take(EVENT, time), ctx, timers, out)
        return watermark

    def current_watermark(self, ctx: Any) -> int:
        """The watermark of the call under way."""
        return self._watermark_now

    def on_timer(self, timestamp: int, ctx: Any) -> list[Any]:
        """Runs the trigger of each window whose timer fired; drops windows at cleanup time.
        Returns the window results, each ``Timestamped`` with its window's ``max_timestamp()``."""
        domain = _domain(ctx.time_domain())
        timers = self._timers(ctx)
        self._watermark_now = _watermark(ctx)
        out: list[Any] = []
        if domain == EVENT:
            timers.passed(timestamp)
        self._fire(domain, timestamp, timers.pop(domain, timestamp), ctx, timers, out)
        if self._timer_windows.is_empty():
            self._earliest_timer.clear()
        return out

    def _fire(self, domain: str, timestamp: int, windows: list[Any], ctx: Any, timers: _Timers, out: list[Any]) -> None:
        for window in windows:
            state_window = window
            if self.merging:
                state_window = self._sessions.get(window)
                if state_window is None:
                    continue
            tctx = _TriggerContext(self, ctx, timers, window)
            if domain == EVENT:
                result = self.trigger.on_event_time(timestamp, window, tctx)
            else:
                result = self.trigger.on_processing_time(timestamp, window, tctx)
            self._apply(result, window, state_window, ctx, out)
            if (domain == EVENT) == self.event_time and timestamp == self._cleanup_time(window):
                self.contents.clear(self._contents, state_window)
                self.trigger.clear(window, tctx)
                self.function.clear(window, _ProcessContext(self, ctx, window))
                if self.merging:
                    self._retire(window)


class _ProcessContext(WindowContext):
    """``ProcessWindowFunction.Context``: the window, the clocks, per-window and per-key state,
    side outputs."""

    def __init__(self, op: WindowOperator, ctx: Any, window: Any) -> None:
        self._op = op
        self._ctx = ctx
        self._window = window

    def window(self) -> Any:
        """The window being evaluated."""
        return self._window

    def current_processing_time(self) -> int:
        """Processing time."""
        return int(self._ctx.timer_service().current_processing_time())

    def current_watermark(self) -> int:
        """The watermark."""
        return self._op.current_watermark(self._ctx)

    def window_state(self) -> WindowStateStore:
        """State of the current key and window (not for merging windows)."""
        if self._op.merging:
            raise TypeError("per-window state is not allowed with merging (session) windows")
        return WindowStateStore(self._op._window_state, self._window)

    def global_state(self) -> Any:
        """State of the current key, across its windows."""
        return self._op._runtime_context

    def output(self, output_tag: Any, value: Any) -> None:
        """Emits ``value`` to the side output ``output_tag``."""
        self._ctx.output(output_tag, value)
