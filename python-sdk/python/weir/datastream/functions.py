"""Function interfaces of the DataStream API, as in ``pyflink.datastream.functions``. Plain
Python callables work everywhere too."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from weir.errors import unsupported, unsupported_class

if TYPE_CHECKING:
    from weir.datastream import OutputTag
    from weir.datastream.state import (
        AggregatingState,
        AggregatingStateDescriptor,
        ListState,
        ListStateDescriptor,
        MapState,
        MapStateDescriptor,
        ReducingState,
        ReducingStateDescriptor,
        ValueState,
        ValueStateDescriptor,
    )
    from weir.datastream.time_domain import TimeDomain

IN = TypeVar("IN")
OUT = TypeVar("OUT")
KEY = TypeVar("KEY")
W = TypeVar("W")


class Function:
    """Base class of DataStream functions."""

    def open(self, runtime_context: RuntimeContext) -> None:
        """Called before the first record (Weir calls it for process functions)."""

    def close(self) -> None:
        """Called after the last record (Weir calls it for process functions)."""


class MapFunction(Function):
    """One record in, one out: implement ``map``."""

    def map(self, value: Any) -> Any:
        """The output for ``value``."""
        raise NotImplementedError


class FlatMapFunction(Function):
    """One record in, any number out: implement ``flat_map`` (return or yield them)."""

    def flat_map(self, value: Any) -> Iterable[Any]:
        """The outputs for ``value``."""
        raise NotImplementedError


class FilterFunction(Function):
    """Keeps records for which ``filter`` is true."""

    def filter(self, value: Any) -> bool:
        """Whether to keep ``value``."""
        raise NotImplementedError


class ReduceFunction(Function):
    """Combines two records of one key: implement ``reduce``."""

    def reduce(self, value1: Any, value2: Any) -> Any:
        """The combination of two records."""
        raise NotImplementedError


class KeySelector(Function):
    """The key of a record: implement ``get_key``."""

    def get_key(self, value: Any) -> Any:
        """The key of ``value``."""
        raise NotImplementedError


class CoMapFunction(Function):
    """Maps the two inputs of connected streams: implement ``map1`` and ``map2``."""

    def map1(self, value: Any) -> Any:
        """The output for a record of the first stream."""
        raise NotImplementedError

    def map2(self, value: Any) -> Any:
        """The output for a record of the second stream."""
        raise NotImplementedError


class CoFlatMapFunction(Function):
    """Flat-maps the two inputs of connected streams: implement ``flat_map1`` and ``flat_map2``."""

    def flat_map1(self, value: Any) -> Iterable[Any]:
        """The outputs for a record of the first stream."""
        raise NotImplementedError

    def flat_map2(self, value: Any) -> Iterable[Any]:
        """The outputs for a record of the second stream."""
        raise NotImplementedError


class RuntimeContext:
    """What a function learns about where it runs, and its keyed state (``open`` receives it):
    ``get_state(ValueStateDescriptor(..))``, ``get_list_state``, ``get_map_state``,
    ``get_reducing_state``, ``get_aggregating_state``. The state objects may be kept (e.g. on
    ``self``) and used in later calls; they always refer to the current call's key."""

    def __init__(self, task_name: str, index: int, parallelism: int, keyed: bool) -> None:
        self._task_name = task_name
        self._index = index
        self._parallelism = parallelism
        self._keyed = keyed

    def get_task_name(self) -> str:
        """The operator's name."""
        return self._task_name

    def get_task_name_with_subtasks(self) -> str:
        """The operator's name with this instance's position, as Flink prints it."""
        return f"{self._task_name} ({self._index + 1}/{self._parallelism})"

    def get_number_of_parallel_subtasks(self) -> int:
        """How many instances of the function run (the job's workers)."""
        return self._parallelism

    def get_max_number_of_parallel_subtasks(self) -> int:
        """The job's workers."""
        return self._parallelism

    def get_index_of_this_subtask(self) -> int:
        """This instance's position, from 0."""
        return self._index

    def get_attempt_number(self) -> int:
        """0: jobs are not restarted."""
        return 0

    def get_job_parameter(self, key: str, default_value: str) -> str:
        """``default_value`` (Weir has no job parameters)."""
        return default_value

    def get_metrics_group(self) -> "MetricGroup":
        """A metric group whose counters, gauges and meters count in this instance only (they
        are not reported anywhere)."""
        return MetricGroup()

    def _state(self, descriptor: Any, kind: type) -> Any:
        from weir.datastream import state

        if not self._keyed:
            raise RuntimeError("Keyed state can only be used on a 'keyed stream', i.e., after a 'key_by()' operation.")
        if not isinstance(descriptor, kind):
            raise TypeError(f"expected a {kind.__name__}, got {descriptor!r}")
        ref = descriptor._ref()
        if isinstance(descriptor, state.ReducingStateDescriptor):
            return state.ReducingState(ref, descriptor.reduce_function)
        if isinstance(descriptor, state.AggregatingStateDescriptor):
            return state.AggregatingState(ref, descriptor.agg_function)
        if isinstance(descriptor, state.MapStateDescriptor):
            return state.MapState(ref)
        if isinstance(descriptor, state.ListStateDescriptor):
            return state.ListState(ref)
        return state.ValueState(ref)

    def get_state(self, state_descriptor: ValueStateDescriptor) -> ValueState:
        """The :class:`ValueState` ``state_descriptor`` declares."""
        from weir.datastream.state import ValueStateDescriptor

        return self._state(state_descriptor, ValueStateDescriptor)

    def get_list_state(self, state_descriptor: ListStateDescriptor) -> ListState:
        """The :class:`ListState` ``state_descriptor`` declares."""
        from weir.datastream.state import ListStateDescriptor

        return self._state(state_descriptor, ListStateDescriptor)

    def get_map_state(self, state_descriptor: MapStateDescriptor) -> MapState:
        """The :class:`MapState` ``state_descriptor`` declares."""
        from weir.datastream.state import MapStateDescriptor

        return self._state(state_descriptor, MapStateDescriptor)

    def get_reducing_state(self, state_descriptor: ReducingStateDescriptor) -> ReducingState:
        """The :class:`ReducingState` ``state_descriptor`` declares."""
        from weir.datastream.state import ReducingStateDescriptor

        return self._state(state_descriptor, ReducingStateDescriptor)

    def get_aggregating_state(self, state_descriptor: AggregatingStateDescriptor) -> AggregatingState:
        """The :class:`AggregatingState` ``state_descriptor`` declares."""
        from weir.datastream.state import AggregatingStateDescriptor

        return self._state(state_descriptor, AggregatingStateDescriptor)


class Counter:
    """A metric counter (local to the function instance)."""

    def __init__(self) -> None:
        self._count = 0

    def inc(self, n: int = 1) -> None:
        """Adds ``n``."""
        self._count += n

    def dec(self, n: int = 1) -> None:
        """Subtracts ``n``."""
        self._count -= n

    def get_count(self) -> int:
        """The count."""
        return self._count


class MetricGroup:
    """Flink's metric group, kept locally: ``counter``, ``gauge``, ``meter``, ``distribution``
    and ``add_group`` work; nothing is reported."""

    def __init__(self) -> None:
        self._metrics: dict[str, Any] = {}

    def add_group(self, name: str, extra: str | None = None) -> "MetricGroup":
        """A sub-group."""
        group = self._metrics.setdefault(f"group:{name}:{extra}", MetricGroup())
        return group  # type: ignore[no-any-return]

    def counter(self, name: str) -> Counter:
        """The counter called ``name``."""
        counter = self._metrics.setdefault(f"counter:{name}", Counter())
        return counter  # type: ignore[no-any-return]

    def gauge(self, name: str, obj: Callable[[], int]) -> None:
        """Registers a gauge (not reported)."""
        self._metrics[f"gauge:{name}"] = obj

    def meter(self, name: str, time_span_in_seconds: int = 60) -> Counter:
        """A meter, counted like a counter (``mark_event`` = ``inc``)."""
        meter = self._metrics.setdefault(f"meter:{name}", Counter())
        meter.mark_event = meter.inc
        return meter  # type: ignore[no-any-return]

    def distribution(self, name: str) -> Any:
        """A distribution (``update(value)`` records nothing)."""
        return self._metrics.setdefault(f"distribution:{name}", _Distribution())


class _Distribution:
    def update(self, value: int) -> None:
        """Records ``value`` (not reported)."""


class TimerService:
    """Time and timers of the current key, from a process function's context."""

    def current_processing_time(self) -> int:
        """The processing time, in epoch milliseconds."""
        raise NotImplementedError

    def current_watermark(self) -> int:
        """The event-time watermark (``-2**63`` before the first one)."""
        raise NotImplementedError

    def register_processing_time_timer(self, timestamp: int) -> None:
        """Calls ``on_timer`` when the processing time reaches ``timestamp``."""
        raise NotImplementedError

    def register_event_time_timer(self, timestamp: int) -> None:
        """Calls ``on_timer`` when the watermark reaches ``timestamp``."""
        raise NotImplementedError

    def delete_processing_time_timer(self, timestamp: int) -> None:
        """Cancels a processing-time timer."""
        raise NotImplementedError

    def delete_event_time_timer(self, timestamp: int) -> None:
        """Cancels an event-time timer."""
        raise NotImplementedError


class BaseContext:
    """What a process function's context offers everywhere."""

    def timestamp(self) -> int | None:
        """The element's timestamp (in ``on_timer``: the timer's), or None."""
        raise NotImplementedError

    def timer_service(self) -> TimerService:
        """Time and timers."""
        raise NotImplementedError

    def output(self, output_tag: OutputTag, value: Any) -> None:
        """Emits ``value`` to the side output ``output_tag``."""
        raise NotImplementedError


class KeyedContext(BaseContext):
    """A keyed process function's context: also the current key."""

    def get_current_key(self) -> Any:
        """The key of the element (or timer) being processed."""
        raise NotImplementedError


class OnTimerContext(KeyedContext):
    """The context of ``on_timer``: also which clock fired the timer."""

    def time_domain(self) -> TimeDomain:
        """``TimeDomain.EVENT_TIME`` or ``TimeDomain.PROCESSING_TIME``."""
        raise NotImplementedError


# ``OnTimerContext`` for annotations inside the process-function classes, whose own
# ``OnTimerContext`` attribute (PyFlink's ``KeyedProcessFunction.OnTimerContext``) shadows it.
_OnTimerContext = OnTimerContext


class ProcessFunction(Function):
    """Processes each element of a (non-keyed) stream: implement ``process_element(value, ctx)``,
    returning or yielding outputs; ``ctx.timestamp()`` and ``ctx.output(tag, value)`` are
    available, timers and state need a keyed stream."""

    Context = BaseContext
    OnTimerContext = OnTimerContext

    def process_element(self, value: Any, ctx: BaseContext) -> Iterable[Any] | None:
        """The outputs for ``value``."""
        raise NotImplementedError

    def on_timer(self, timestamp: int, ctx: _OnTimerContext) -> Iterable[Any] | None:
        """Never called: non-keyed streams have no timers."""


class KeyedProcessFunction(Function):
    """Processes each element of a keyed stream with keyed state and timers: implement
    ``process_element(value, ctx)`` and optionally ``on_timer(timestamp, ctx)``; both may
    return or yield outputs."""

    Context = KeyedContext
    OnTimerContext = OnTimerContext

    def process_element(self, value: Any, ctx: KeyedContext) -> Iterable[Any] | None:
        """The outputs for ``value``."""
        raise NotImplementedError

    def on_timer(self, timestamp: int, ctx: _OnTimerContext) -> Iterable[Any] | None:
        """The outputs when a timer of ``ctx.get_current_key()`` fires."""


class CoProcessFunction(Function):
    """Processes the elements of two connected (non-keyed) streams: implement
    ``process_element1`` and ``process_element2``."""

    Context = BaseContext
    OnTimerContext = OnTimerContext

    def process_element1(self, value: Any, ctx: BaseContext) -> Iterable[Any] | None:
        """The outputs for an element of the first stream."""
        raise NotImplementedError

    def process_element2(self, value: Any, ctx: BaseContext) -> Iterable[Any] | None:
        """The outputs for an element of the second stream."""
        raise NotImplementedError

    def on_timer(self, timestamp: int, ctx: _OnTimerContext) -> Iterable[Any] | None:
        """Never called: non-keyed streams have no timers."""


class KeyedCoProcessFunction(Function):
    """Processes the elements of two connected keyed streams with shared keyed state and
    timers: implement ``process_element1``, ``process_element2`` and optionally ``on_timer``."""

    Context = KeyedContext
    OnTimerContext = OnTimerContext

    def process_element1(self, value: Any, ctx: KeyedContext) -> Iterable[Any] | None:
        """The outputs for an element of the first stream."""
        raise NotImplementedError

    def process_element2(self, value: Any, ctx: KeyedContext) -> Iterable[Any] | None:
        """The outputs for an element of the second stream."""
        raise NotImplementedError

    def on_timer(self, timestamp: int, ctx: _OnTimerContext) -> Iterable[Any] | None:
        """The outputs when a timer of ``ctx.get_current_key()`` fires."""


class _NeedsKeyedState(Function):
    """A function kind Weir cannot run yet; using one raises ``UnsupportedError``."""


class BroadcastProcessFunction(_NeedsKeyedState):
    """Not supported yet (broadcast state)."""


class KeyedBroadcastProcessFunction(_NeedsKeyedState):
    """Not supported yet (broadcast state)."""


class AggregateFunction(Function):
    """Incremental aggregation of a window's elements into an accumulator."""

    def create_accumulator(self) -> Any:
        """A new, empty accumulator."""
        raise NotImplementedError

    def add(self, value: Any, accumulator: Any) -> Any:
        """``accumulator`` with ``value`` added (may update and return it)."""
        raise NotImplementedError

    def get_result(self, accumulator: Any) -> Any:
        """The aggregate's value."""
        raise NotImplementedError

    def merge(self, acc_a: Any, acc_b: Any) -> Any:
        """Two accumulators combined (session windows merging)."""
        raise NotImplementedError


class WindowFunction(Function, Generic[IN, OUT, KEY, W]):
    """Evaluates a keyed window: implement ``apply(key, window, inputs)``."""

    def apply(self, key: KEY, window: W, inputs: Iterable[IN]) -> Iterable[OUT]:
        """The records for the window's elements ``inputs``."""
        raise NotImplementedError


class AllWindowFunction(Function, Generic[IN, OUT, W]):
    """Evaluates a window of ``window_all``: implement ``apply(window, inputs)``."""

    def apply(self, window: W, inputs: Iterable[IN]) -> Iterable[OUT]:
        """The records for the window's elements ``inputs``."""
        raise NotImplementedError


class WindowContext(Generic[W]):
    """The context of a ``ProcessWindowFunction`` / ``ProcessAllWindowFunction`` call
    (``ProcessWindowFunction.Context[TimeWindow]`` in annotations)."""

    def window(self) -> W:
        """The window being evaluated."""
        raise NotImplementedError

    def current_processing_time(self) -> int:
        """The processing time, in epoch milliseconds."""
        raise NotImplementedError

    def current_watermark(self) -> int:
        """The event-time watermark."""
        raise NotImplementedError

    def window_state(self) -> Any:
        """Keyed state scoped to the current key and window (``get_state(descriptor)``, ...)."""
        raise NotImplementedError

    def global_state(self) -> Any:
        """Keyed state of the current key, shared by its windows."""
        raise NotImplementedError

    def output(self, output_tag: OutputTag, value: Any) -> None:
        """Emits ``value`` to the side output ``output_tag``."""
        raise NotImplementedError


class ProcessWindowFunction(Function, Generic[IN, OUT, KEY, W]):
    """Evaluates a keyed window with a context (``window()``, ``current_watermark()``,
    ``current_processing_time()``, ``window_state()``, ``global_state()``, ``output(tag, v)``):
    implement ``process(key, context, elements)``."""

    Context = WindowContext

    def process(self, key: KEY, context: WindowContext[W], elements: Iterable[IN]) -> Iterable[OUT]:
        """The records for the window's ``elements``."""
        raise NotImplementedError

    def clear(self, context: WindowContext[W]) -> None:
        """Called when the window's state is dropped (clear per-window state here)."""


class ProcessAllWindowFunction(Function, Generic[IN, OUT, W]):
    """Evaluates a window of ``window_all`` with a context: implement ``process(context, elements)``."""

    Context = WindowContext

    def process(self, context: WindowContext[W], elements: Iterable[IN]) -> Iterable[OUT]:
        """The records for the window's ``elements``."""
        raise NotImplementedError

    def clear(self, context: WindowContext[W]) -> None:
        """Called when the window's state is dropped."""


class SourceFunction(_NeedsKeyedState):
    """Not supported yet: use ``from_collection`` or ``from_source``."""


class SinkFunction(_NeedsKeyedState):
    """Not supported yet: use ``sink_to``, ``print`` or ``execute_and_collect``."""


class Partitioner(Function):
    """Not supported yet (custom partitioning)."""

    def partition(self, key: Any, num_partitions: int) -> int:
        """The partition of ``key``."""
        raise NotImplementedError


def as_callable(f: Any, method: str) -> Callable[..., Any]:
    """``f`` itself when callable, else its ``method`` (a ``MapFunction`` object's ``map``)."""
    if isinstance(f, _NeedsKeyedState):
        raise unsupported(f"{type(f).__name__} (broadcast, window and source/sink functions)")
    if isinstance(f, (ProcessFunction, KeyedProcessFunction, CoProcessFunction, KeyedCoProcessFunction)):
        raise TypeError(f"{type(f).__name__} is a process function: use process(), not {method}()")
    bound = getattr(f, method, None)
    if bound is not None and isinstance(f, Function):
        return bound  # type: ignore[no-any-return]
    if callable(f):
        return f  # type: ignore[no-any-return]
    raise TypeError(f"expected a function or an object with a {method}() method, got {f!r}")


BaseBroadcastProcessFunction = unsupported_class("BaseBroadcastProcessFunction", "broadcast state", __name__)
AsyncFunction = unsupported_class("AsyncFunction", "asynchronous I/O", __name__)
AsyncFunctionDescriptor = unsupported_class("AsyncFunctionDescriptor", "asynchronous I/O", __name__)
AsyncRetryPredicate = unsupported_class("AsyncRetryPredicate", "asynchronous I/O", __name__)
AsyncRetryStrategy = unsupported_class("AsyncRetryStrategy", "asynchronous I/O", __name__)
