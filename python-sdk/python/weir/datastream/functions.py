"""Function interfaces of the DataStream API, as in ``pyflink.datastream.functions``. Plain
Python callables work everywhere too."""

from __future__ import annotations

from typing import Any, Callable, Iterable

from weir.errors import unsupported, unsupported_class


class Function:
    """Base class of DataStream functions."""

    def open(self, runtime_context: Any) -> None:
        """Called before the first record (not called by Weir yet)."""

    def close(self) -> None:
        """Called after the last record (not called by Weir yet)."""


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
    """Not available yet (keyed state needs the engine's keyed-state operator)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise unsupported("RuntimeContext (keyed state)")


class _NeedsKeyedState(Function):
    """A function kind that needs keyed state or timers; using one raises ``UnsupportedError``."""


class ProcessFunction(_NeedsKeyedState):
    """Not supported yet (process functions, timers)."""


class KeyedProcessFunction(_NeedsKeyedState):
    """Not supported yet (keyed state and timers)."""


class CoProcessFunction(_NeedsKeyedState):
    """Not supported yet (process functions, timers)."""


class KeyedCoProcessFunction(_NeedsKeyedState):
    """Not supported yet (keyed state and timers)."""


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


class WindowFunction(Function):
    """Evaluates a keyed window: implement ``apply(key, window, inputs)``."""

    def apply(self, key: Any, window: Any, inputs: Iterable[Any]) -> Iterable[Any]:
        """The records for the window's elements ``inputs``."""
        raise NotImplementedError


class AllWindowFunction(Function):
    """Evaluates a window of ``window_all``: implement ``apply(window, inputs)``."""

    def apply(self, window: Any, inputs: Iterable[Any]) -> Iterable[Any]:
        """The records for the window's elements ``inputs``."""
        raise NotImplementedError


class ProcessWindowFunction(Function):
    """Evaluates a keyed window with a context (``window()``, ``current_watermark()``,
    ``current_processing_time()``, ``window_state()``, ``global_state()``, ``output(tag, v)``):
    implement ``process(key, context, elements)``."""

    def process(self, key: Any, context: Any, elements: Iterable[Any]) -> Iterable[Any]:
        """The records for the window's ``elements``."""
        raise NotImplementedError

    def clear(self, context: Any) -> None:
        """Called when the window's state is dropped (clear per-window state here)."""


class ProcessAllWindowFunction(Function):
    """Evaluates a window of ``window_all`` with a context: implement ``process(context, elements)``."""

    def process(self, context: Any, elements: Iterable[Any]) -> Iterable[Any]:
        """The records for the window's ``elements``."""
        raise NotImplementedError

    def clear(self, context: Any) -> None:
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
        raise unsupported(f"{type(f).__name__} (process and window functions need keyed state and timers)")
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
TimerService = unsupported_class("TimerService", "timers (keyed state)", __name__)
