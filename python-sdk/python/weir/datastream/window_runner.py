"""Windows on the engine: what the engine's window operator (``WindowOperator`` in EXPLAIN)
calls. The engine assigns elements to windows, keeps each window's contents in its state store
and runs the triggers; per worker, a :class:`WindowRunner` folds a batch of
a window's elements into its accumulator (``reduce`` / ``aggregate``, pickled) and evaluates a
window when it fires (the window function, if any, over the accumulator's result or the
elements). Rows out are ``(seq, v, ts, tag)`` as for process functions: the result pickled,
the window's ``max_timestamp()`` and the side output's tag (NULL for the main output).

:func:`engine_assigner` gives the engine's assigner and trigger for a windowed stream: built-in
assigners (global, count and dynamic-gap session windows included) and Flink's built-in
triggers run natively; a user-written trigger is asked through :meth:`WindowRunner.trigger`,
a user-written ``WindowAssigner`` through :meth:`WindowRunner.assign` and a
``MergingWindowAssigner``'s merges through :meth:`WindowRunner.merge_windows`.

Windows cross to the engine as ``(start, end)``: a ``TimeWindow`` as itself, ``CountWindow(id)``
as ``(id, MAX_LONG)``, the ``GlobalWindow`` as ``(MIN_LONG, MAX_LONG)`` (:func:`window_pair`,
:func:`window_of`); a user assigner's windows must be of these types."""

from __future__ import annotations

import copy
import itertools
import logging
import pickle
from collections.abc import Callable
from typing import Any

from weir import _weir
from weir.common.typeinfo import Types
from weir.datastream.functions import ProcessAllWindowFunction, ProcessWindowFunction, RuntimeContext, WindowContext
from weir.datastream.state import MapStateDescriptor
from weir.datastream.window import (
    MAX_LONG,
    MIN_LONG,
    ContinuousEventTimeTrigger,
    ContinuousProcessingTimeTrigger,
    CountSlidingWindowAssigner,
    CountTrigger,
    CountTumblingWindowAssigner,
    CountWindow,
    DynamicEventTimeSessionWindows,
    DynamicProcessingTimeSessionWindows,
    EventTimeSessionWindows,
    EventTimeTrigger,
    GlobalWindow,
    GlobalWindows,
    MergingWindowAssigner,
    NeverTrigger,
    ProcessingTimeSessionWindows,
    ProcessingTimeTrigger,
    PurgingTrigger,
    SlidingEventTimeWindows,
    SlidingProcessingTimeWindows,
    TimeWindow,
    Trigger,
    TumblingEventTimeWindows,
    TumblingProcessingTimeWindows,
    WindowAssigner,
)
from weir.datastream.window_evictors import Evictor, TimestampedValue
from weir.datastream.window_functions import InternalWindowFunction, PassThrough
from weir.datastream.window_state import ScopedState, WindowStateStore, merge_scoped

PROTOCOL = pickle.HIGHEST_PROTOCOL
Row = tuple[int, bytes, int | None, str | None]


class ReduceContents:
    """A window's contents: its elements combined by a ``ReduceFunction`` as they arrive."""

    def __init__(self, reduce: Callable[[Any, Any], Any]) -> None:
        self.reduce = reduce


class AggregateContents:
    """A window's contents: an ``AggregateFunction``'s accumulator."""

    def __init__(self, function: Any) -> None:
        self.function = function


Contents = ReduceContents | AggregateContents


def engine_assigner(assigner: WindowAssigner, trigger: Trigger, default_trigger: bool) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The job spec's ``assigner`` and ``trigger`` (None: the assigner's default, which the
    engine runs itself)."""
    spec = _assigner_spec(assigner)
    if spec["kind"] == "count" and default_trigger:
        return spec, None
    if spec["kind"] in ("tumbling", "sliding", "session") and (default_trigger or _same_default(assigner, trigger)):
        return spec, None
    return spec, _trigger_spec(trigger)


def _assigner_spec(assigner: WindowAssigner) -> dict[str, Any]:
    """The job spec's ``assigner``: a built-in one, or ``user`` (asked through the runner)."""
    kind = type(assigner)
    if kind in (TumblingEventTimeWindows, TumblingProcessingTimeWindows):
        return {"kind": "tumbling", "size_ms": assigner._size, "offset_ms": assigner._offset, "event_time": assigner.event_time}
    if kind in (SlidingEventTimeWindows, SlidingProcessingTimeWindows):
        return {"kind": "sliding", "size_ms": assigner._size, "slide_ms": assigner._slide, "offset_ms": assigner._offset, "event_time": assigner.event_time}
    if kind in (EventTimeSessionWindows, ProcessingTimeSessionWindows, DynamicEventTimeSessionWindows, DynamicProcessingTimeSessionWindows):
        if assigner._extract is not None:
            return {"kind": "dynamic_session", "event_time": assigner.event_time}
        if assigner._gap is not None:
            return {"kind": "session", "gap_ms": assigner._gap, "event_time": assigner.event_time}
    if kind is GlobalWindows:
        return {"kind": "global"}
    if kind is CountTumblingWindowAssigner:
        return {"kind": "count", "size": assigner._window_size, "slide": assigner._window_size}
    if kind is CountSlidingWindowAssigner:
        return {"kind": "count", "size": assigner._window_size, "slide": assigner._window_slide}
    # Written by the user: the engine asks it through the runner (``WindowRunner.assign``).
    return {"kind": "user", "event_time": bool(assigner.is_event_time()), "merging": isinstance(assigner, MergingWindowAssigner)}


def window_pair(window: Any, assigner: Any) -> tuple[int, int]:
    """``window`` as the engine keeps it (see the module)."""
    if isinstance(window, TimeWindow):
        if window.end == MAX_LONG:
            raise ValueError(f"{assigner!r} gave {window!r}: a TimeWindow ending at MAX_LONG cannot be told from a CountWindow in Weir")
        return int(window.start), int(window.end)
    if isinstance(window, CountWindow):
        return int(window.id), MAX_LONG
    if isinstance(window, GlobalWindow):
        return MIN_LONG, MAX_LONG
    raise TypeError(f"{assigner!r} gave {window!r}: Weir's window operator keeps TimeWindow, CountWindow and GlobalWindow windows, "
                    f"not {type(window).__name__}")


def window_of(start: int, end: int) -> Any:
    """The window the engine keeps as ``(start, end)`` (see the module)."""
    if end == MAX_LONG:
        return GlobalWindow.get() if start == MIN_LONG else CountWindow(start)
    return TimeWindow(start, end)


def _trigger_spec(trigger: Trigger) -> dict[str, Any]:
    """The job spec's ``trigger``: a built-in trigger the engine runs natively, or ``user``."""
    kind = type(trigger)
    if kind is EventTimeTrigger:
        return {"kind": "event_time"}
    if kind is ProcessingTimeTrigger:
        return {"kind": "processing_time"}
    if kind is NeverTrigger:
        return {"kind": "never"}
    if kind is CountTrigger:
        return {"kind": "count", "count": trigger.window_size}
    if kind is ContinuousEventTimeTrigger:
        return {"kind": "continuous_event_time", "interval_ms": trigger.interval}
    if kind is ContinuousProcessingTimeTrigger:
        return {"kind": "continuous_processing_time", "interval_ms": trigger.interval}
    if kind is PurgingTrigger:
        return {"kind": "purging", "trigger": _trigger_spec(trigger.nested_trigger)}
    # Written by the user: the engine asks it through the runner (``WindowRunner.trigger``).
    return {"kind": "user"}


def _user_trigger(trigger: Trigger) -> Trigger | None:
    """The user-written trigger inside ``trigger`` (through ``PurgingTrigger``s), if any."""
    while type(trigger) is PurgingTrigger:
        trigger = trigger.nested_trigger
    return None if _trigger_spec(trigger) != {"kind": "user"} else trigger


def _same_default(assigner: WindowAssigner, trigger: Trigger) -> bool:
    """Whether ``trigger`` (set with ``WindowedStream.trigger``) is the one the engine runs
    for ``assigner`` anyway."""
    expected = EventTimeTrigger if assigner.is_event_time() else ProcessingTimeTrigger
    return type(trigger) is expected


class EngineWindow:
    """What every worker's runner copies: the contents (reduce / aggregate accumulators, or
    None for elements), the window function adapter, the assigner and the late-data tag."""

    def __init__(self, assigner: WindowAssigner, contents: Contents | None, function: InternalWindowFunction, late_data_tag: Any,
                 trigger: Trigger | None = None, evictor: Evictor | None = None) -> None:
        self.evictor = evictor
        self.user_assigner = assigner if _assigner_spec(assigner)["kind"] == "user" else None
        self.merging = isinstance(assigner, MergingWindowAssigner)
        self.gap_extractor = getattr(assigner, "_extract", None)
        self.user_trigger = None if trigger is None else _user_trigger(trigger)
        self.assigner_label = repr(assigner)
        self.contents = contents
        self.function = function
        self.late_data_tag = late_data_tag

    def factory(self, counter: itertools.count[int], label: str) -> Callable[[int, int], "WindowRunner"]:
        """The engine's ``factory(worker, workers)``."""
        return lambda worker, workers: WindowRunner(self, counter, label, worker, workers)


class _Context(WindowContext):
    """``ProcessWindowFunction.Context`` during one firing (reused across firings)."""

    def __init__(self, runner: "WindowRunner") -> None:
        self._runner = runner
        self._window: Any = None
        self.side: list[tuple[str, Any]] = []

    def window(self) -> Any:
        """The window being evaluated."""
        return self._window

    def current_processing_time(self) -> int:
        """Processing time."""
        return int(_weir.scope_current_processing_time())

    def current_watermark(self) -> int:
        """The watermark."""
        return int(_weir.scope_current_watermark())

    def window_state(self) -> WindowStateStore:
        """State of the current key and window (not for merging windows)."""
        if self._runner.spec.merging:
            raise TypeError("per-window state is not allowed with merging (session) windows")
        return WindowStateStore(self._runner.window_state, self._window)

    def global_state(self) -> Any:
        """State of the current key, across its windows."""
        return self._runner.runtime_context

    def output(self, output_tag: Any, value: Any) -> None:
        """Emits ``value`` to the side output ``output_tag``."""
        tag_id = getattr(output_tag, "tag_id", None)
        if not isinstance(tag_id, str):
            raise TypeError(f"expected an OutputTag, got {output_tag!r}")
        self.side.append((tag_id, value))


class _TriggerContext(Trigger.OnMergeContext):
    """A user-written trigger's view of the window it is asked about (``WindowRunner.trigger``):
    its timers go back to the engine's operator, its partitioned state is kept per key and
    window in the operator's keyed state."""

    def __init__(self, runner: "WindowRunner") -> None:
        self._runner = runner
        self.window: Any = None
        self.merged: list[Any] = []
        self.timers: list[tuple[bool, bool, int]] = []

    def get_current_processing_time(self) -> int:
        """Processing time."""
        return int(_weir.scope_current_processing_time())

    def get_metric_group(self) -> Any:
        """Metrics are not available in Weir."""
        from weir.errors import unsupported

        raise unsupported("Trigger metric groups")

    def get_current_watermark(self) -> int:
        """The watermark."""
        return int(_weir.scope_current_watermark())

    def register_processing_time_timer(self, time: int) -> None:
        """A processing-time timer for this window."""
        self.timers.append((True, True, int(time)))

    def register_event_time_timer(self, time: int) -> None:
        """An event-time timer for this window."""
        self.timers.append((True, False, int(time)))

    def delete_processing_time_timer(self, time: int) -> None:
        """Deletes a processing-time timer of this window."""
        self.timers.append((False, True, int(time)))

    def delete_event_time_timer(self, time: int) -> None:
        """Deletes an event-time timer of this window."""
        self.timers.append((False, False, int(time)))

    def get_partitioned_state(self, state_descriptor: Any) -> ScopedState:
        """State of this window and key."""
        return ScopedState(self._runner.trigger_state, state_descriptor, self.window)

    def merge_partitioned_state(self, state_descriptor: Any) -> None:
        """Combines the merged windows' state into this window's."""
        merge_scoped(self._runner.trigger_state, state_descriptor, self.merged, self.window)


class _AssignerContext(WindowAssigner.WindowAssignerContext):
    """A user-written assigner's context: the clock and the runner's ``RuntimeContext`` (whose
    keyed state is the current key's, as the engine asks the assigner within its scope)."""

    def __init__(self, runtime_context: RuntimeContext) -> None:
        self._runtime_context = runtime_context

    def get_current_processing_time(self) -> int:
        """Processing time."""
        return int(_weir.scope_current_processing_time())

    def get_runtime_context(self) -> RuntimeContext:
        """The window function's runtime context."""
        return self._runtime_context


class _EvictorContext(Evictor.EvictorContext):
    """An evictor's view of the clocks."""

    def get_current_processing_time(self) -> int:
        """Processing time."""
        return int(_weir.scope_current_processing_time())

    def get_current_watermark(self) -> int:
        """The watermark."""
        return int(_weir.scope_current_watermark())

    def get_metric_group(self) -> Any:
        """Metrics are not available in Weir."""
        from weir.errors import unsupported

        raise unsupported("Evictor metric groups")


class _MergeCollector(MergingWindowAssigner.MergeCallback):
    """Collects the merges a ``MergingWindowAssigner`` reports."""

    def __init__(self) -> None:
        self.merges: list[tuple[list[Any], Any]] = []

    def merge(self, to_be_merged: Any, merge_result: Any) -> None:
        """One merge."""
        self.merges.append((list(to_be_merged), merge_result))


class WindowRunner:
    """One worker's window function (a copy of the user's objects, as each Flink subtask has
    its own), opened with its :class:`RuntimeContext`. See the module for what the engine calls."""

    def __init__(self, spec: EngineWindow, counter: itertools.count[int], label: str, worker: int, workers: int) -> None:
        try:
            spec = copy.deepcopy(spec)
        except Exception:  # objects that cannot be copied are shared, as plain functions are
            pass
        self.spec = spec
        self.counter = counter
        self.label = label
        self.function = spec.function
        self.pass_through = type(spec.function) is PassThrough
        own_clear = getattr(type(spec.function.function), "clear", None)
        self.clears = callable(own_clear) and own_clear not in (ProcessWindowFunction.clear, ProcessAllWindowFunction.clear)
        self.late_records_dropped = 0
        self.runtime_context = RuntimeContext(label, worker, workers, True)
        descriptor = MapStateDescriptor("window-function-state", Types.PICKLED_BYTE_ARRAY(), Types.PICKLED_BYTE_ARRAY())
        self.window_state = self.runtime_context.get_map_state(descriptor)
        self.context = _Context(self)
        self.trigger_state = self.runtime_context.get_map_state(
            MapStateDescriptor("window-trigger-state", Types.PICKLED_BYTE_ARRAY(), Types.PICKLED_BYTE_ARRAY()))
        self.trigger_context = _TriggerContext(self)
        self.assigner_context = _AssignerContext(self.runtime_context)
        self.evictor_context = _EvictorContext()
        contents = spec.contents
        # An AggregateFunction's add, called directly when folding (no wrapper call per element).
        self._aggregate = contents.function if isinstance(contents, AggregateContents) else None
        if isinstance(contents, ReduceContents):
            reduce = contents.reduce
            self._combine: Callable[[Any, Any], Any] = reduce
            self._first: Callable[[Any], Any] = _identity
            self._add: Callable[[Any, Any], Any] = reduce
            self._result: Callable[[Any], Any] = _identity
        elif isinstance(contents, AggregateContents):
            agg = contents.function
            self._combine = agg.merge
            self._first = lambda v: agg.add(v, agg.create_accumulator())
            self._add = lambda acc, v: agg.add(v, acc)
            self._result = agg.get_result
        self.function.open(self.runtime_context)

    def accumulate(self, acc: bytes | None, elements: list[bytes]) -> bytes:
        """The accumulator ``acc`` (None: empty window) with ``elements`` folded in."""
        loads, values = pickle.loads, iter(elements)
        if self._aggregate is not None:
            add = self._aggregate.add
            current = self._aggregate.create_accumulator() if acc is None else loads(acc)
            for value in values:
                current = add(loads(value), current)
            return pickle.dumps(current, PROTOCOL)
        add = self._add
        current = self._first(loads(next(values))) if acc is None else loads(acc)
        for value in values:
            current = add(current, loads(value))
        return pickle.dumps(current, PROTOCOL)

    def merge(self, accs: list[bytes]) -> bytes:
        """One accumulator for merged sessions (in window order)."""
        current = pickle.loads(accs[0])
        for other in accs[1:]:
            current = self._combine(current, pickle.loads(other))
        return pickle.dumps(current, PROTOCOL)

    def _window(self, start: int, end: int) -> Any:
        return window_of(start, end)

    def assign(self, value: bytes, timestamp: int | None) -> list[tuple[int, int]]:
        """The windows of the element ``value`` by the user's assigner (PyFlink's
        ``assign_windows(element, timestamp, context)``)."""
        assigner = self.spec.user_assigner
        windows = assigner.assign_windows(pickle.loads(value), MIN_LONG if timestamp is None else timestamp, self.assigner_context)
        return [window_pair(w, assigner) for w in windows or ()]

    def merge_windows(self, windows: list[tuple[int, int]]) -> list[tuple[list[tuple[int, int]], tuple[int, int]]]:
        """How the user's merging assigner merges a key's ``windows``: each merge it reported
        through PyFlink's ``MergeCallback`` (the windows merged and the result)."""
        assigner = self.spec.user_assigner
        collector = _MergeCollector()
        assigner.merge_windows([window_of(s, e) for s, e in windows], collector)
        return [([window_pair(w, assigner) for w in parts], window_pair(result, assigner)) for parts, result in collector.merges]

    def gap(self, value: bytes) -> int:
        """The session gap (milliseconds) of the element ``value`` (dynamic session windows)."""
        element = pickle.loads(value)
        gap = self.spec.gap_extractor(element)
        if isinstance(gap, bool) or not isinstance(gap, int) or gap <= 0:
            raise ValueError(f"the session gap extracted from {element!r} must be a positive number of milliseconds, got {gap!r}")
        return gap

    def fire(self, key: bytes, start: int, end: int, contents: bytes | list[bytes]) -> list[Row]:
        """The rows of one firing of window ``[start, end)`` (count windows: number ``start``)
        of ``key`` over its accumulator or elements."""
        window = self._window(start, end)
        ts = window.max_timestamp()
        if isinstance(contents, bytes):
            elements = [self._result(pickle.loads(contents))]
        elif self.spec.contents is not None:
            # An evictor keeps a reduce's or aggregate's elements: folded now.
            elements = [self._result(pickle.loads(self.accumulate(None, contents)))]
        else:
            elements = [pickle.loads(e) for e in contents]
        if self.pass_through:
            produced: Any = elements
        else:
            context = self.context
            context._window = window
            produced = self.function.process(pickle.loads(key), window, context, elements)
        counter, dumps = self.counter, pickle.dumps
        out: list[Row] = [(next(counter), dumps(v, PROTOCOL), ts, None) for v in (produced or [])]
        return self._side(out, ts)

    def evict(self, key: bytes, start: int, end: int, elements: list[bytes], timestamps: list[int | None], before: bool) -> list[int]:
        """Asks the user's evictor about window ``[start, end)`` of ``key`` as it fires,
        ``before`` the function runs or after: the indexes of the elements it keeps."""
        evictor = self.spec.evictor
        values = [TimestampedValue(pickle.loads(e), t) for e, t in zip(elements, timestamps)]
        kept = list(values)
        window = self._window(start, end)
        if before:
            evictor.evict_before(kept, len(values), window, self.evictor_context)
        else:
            evictor.evict_after(kept, len(values), window, self.evictor_context)
        index = {id(v): i for i, v in enumerate(values)}
        return [index[id(v)] for v in kept if id(v) in index]

    def trigger(self, key: bytes, start: int, end: int, kind: str, arg: Any) -> tuple[bool, bool, list[tuple[bool, bool, int]]]:
        """Asks the user's trigger about window ``[start, end)`` of ``key``: ``kind`` is
        ``element`` (``arg``: the pickled element and its timestamp), ``event_time`` /
        ``processing_time`` (``arg``: the timer's time), ``merge`` (``arg``: the ``(start, end)``
        of the windows merged into it) or ``clear``. Returns whether the window fires, whether
        it is purged, and the ``(register, processing, time)`` timers the trigger asked for."""
        trigger = self.spec.user_trigger
        window = self._window(start, end)
        context = self.trigger_context
        context.window = window
        context.merged = []
        result = None
        if kind == "element":
            value, timestamp = arg
            result = trigger.on_element(pickle.loads(value), timestamp, window, context)
        elif kind == "event_time":
            result = trigger.on_event_time(arg, window, context)
        elif kind == "processing_time":
            result = trigger.on_processing_time(arg, window, context)
        elif kind == "merge":
            context.merged = [self._window(s, e) for s, e in arg]
            trigger.on_merge(window, context)
        else:
            trigger.clear(window, context)
        timers, context.timers = context.timers, []
        if result is None:
            return False, False, timers
        return result.is_fire(), result.is_purge(), timers

    def _side(self, out: list[Row], ts: int | None) -> list[Row]:
        side = self.context.side
        for tag, value in side:
            out.append((next(self.counter), pickle.dumps(value, PROTOCOL), ts, tag))
        side.clear()
        return out

    def clear(self, key: bytes, start: int, end: int) -> list[Row]:
        """The window's state is dropped: the function's ``clear(context)``."""
        window = self._window(start, end)
        self.context._window = window
        self.function.clear(window, self.context)
        return self._side([], window.max_timestamp())

    def late(self, value: bytes, timestamp: int | None) -> list[Row]:
        """An element behind every window's lateness: to the late-data side output, or dropped."""
        tag = self.spec.late_data_tag
        if tag is None:
            self.late_records_dropped += 1
            return []
        return [(next(self.counter), value, timestamp, tag.tag_id)]

    def close(self) -> None:
        """Closes the window function; reports the late elements dropped (Flink's
        ``numLateRecordsDropped`` metric) as a warning of the ``weir.datastream.window`` logger."""
        self.function.close()
        if self.late_records_dropped:
            logging.getLogger("weir.datastream.window").warning(
                "window operator (%s) dropped %d late element(s); use allowed_lateness or side_output_late_data to keep them",
                self.spec.assigner_label, self.late_records_dropped)


def _identity(value: Any) -> Any:
    return value
