"""``WindowedStream`` (``KeyedStream.window`` / ``count_window``) and ``AllWindowedStream``
(``DataStream.window_all``), as in PyFlink: configure the trigger, the allowed lateness and the
late-data side output, then evaluate each window with ``reduce``, ``aggregate``, ``apply`` or
``process``. Every window runs on the engine's window operator
(:mod:`weir.datastream.window_runner`: Python is called to fold elements, per fired window, for
dynamic gaps, and for a user-written trigger's decisions or a user-written assigner's windows
and merges)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from weir.datastream.functions import as_callable
from weir.datastream.window import MergingWindowAssigner, Trigger, WindowAssigner
from weir.datastream.window_evictors import Evictor, evictor_spec
from weir.datastream.window_functions import internal
from weir.datastream.window_runner import AggregateContents, Contents, EngineWindow, ReduceContents, engine_assigner

if TYPE_CHECKING:
    from weir.common.typeinfo import TypeInformation
    from weir.datastream import OutputTag
    from weir.datastream.data_stream import DataStream, KeyedStream, ReduceLike
    from weir.datastream.functions import (
        AggregateFunction,
        AllWindowFunction,
        ProcessAllWindowFunction,
        ProcessWindowFunction,
        WindowFunction,
    )
    from weir.datastream.stream_execution_environment import StreamExecutionEnvironment

    # ``window_all`` streams take the ``All`` variants of the window functions.
    WindowFunctionLike = WindowFunction[Any, Any, Any, Any] | AllWindowFunction[Any, Any, Any]
    ProcessWindowFunctionLike = ProcessWindowFunction[Any, Any, Any, Any] | ProcessAllWindowFunction[Any, Any, Any]


class WindowedStream:
    """A keyed stream cut into windows by an assigner."""

    _all_windows = False

    def __init__(self, keyed_stream: "KeyedStream", window_assigner: WindowAssigner) -> None:
        if not isinstance(window_assigner, WindowAssigner):
            raise TypeError(f"expected a WindowAssigner (TumblingEventTimeWindows.of(...), ...), got {window_assigner!r}")
        self._keyed_stream = keyed_stream
        self._assigner = window_assigner
        self._trigger: Trigger = window_assigner.get_default_trigger(keyed_stream.get_execution_environment())
        self._default_trigger = True
        self._allowed_lateness = 0
        self._late_data_tag: Any = None
        self._evictor: Evictor | None = None

    def get_execution_environment(self) -> StreamExecutionEnvironment:
        """The environment of the stream."""
        return self._keyed_stream.get_execution_environment()

    def get_input_type(self) -> TypeInformation | None:
        """The input records' type information, when declared."""
        return self._keyed_stream.get_type()

    def trigger(self, trigger: Trigger) -> "WindowedStream":
        """Replaces the assigner's default trigger."""
        if not isinstance(trigger, Trigger):
            raise TypeError(f"expected a Trigger (EventTimeTrigger.create(), CountTrigger.of(n), ...), got {trigger!r}")
        if isinstance(self._assigner, MergingWindowAssigner) and not trigger.can_merge():
            raise TypeError(f"a merging window assigner ({self._assigner!r}) needs a trigger that can merge; {trigger!r} cannot")
        self._trigger = trigger
        self._default_trigger = False
        return self

    def evictor(self, evictor: Evictor) -> "WindowedStream":
        """Removes elements from each window as it fires (Flink's evictors: ``CountEvictor``,
        ``TimeEvictor``, ``DeltaEvictor`` or an ``Evictor`` subclass); the window then keeps
        every element, also for ``reduce`` and ``aggregate``."""
        if not isinstance(evictor, Evictor):
            raise TypeError(f"expected an Evictor (CountEvictor.of(n), ...), got {evictor!r}")
        self._evictor = evictor
        return self

    def allowed_lateness(self, time_ms: int) -> "WindowedStream":
        """Keeps each event-time window's state ``time_ms`` past its end: a late element within
        it re-fires the window with the updated contents (as Flink's EventTimeTrigger does)."""
        ms = int(getattr(time_ms, "to_milliseconds", lambda: time_ms)())
        if ms < 0:
            raise ValueError(f"allowed_lateness must not be negative, got {ms} ms")
        if ms > 0 and not self._assigner.is_event_time():
            raise ValueError("allowed_lateness is only defined for event-time windows")
        self._allowed_lateness = ms
        return self

    def side_output_late_data(self, output_tag: OutputTag) -> "WindowedStream":
        """Sends elements arriving after their windows' lateness to the side output
        ``output_tag`` (read it with ``get_side_output``) instead of dropping them."""
        if not hasattr(output_tag, "tag_id"):
            raise TypeError(f"expected an OutputTag, got {output_tag!r}")
        self._late_data_tag = output_tag
        return self

    def _run(self, contents: Contents | None, function: Any, output_type: TypeInformation | None) -> "DataStream":
        """The windows' output: ``contents`` None keeps every element (``apply`` / ``process``)."""
        from weir.datastream.data_stream import _stream_window

        assigner, trigger = engine_assigner(self._assigner, self._trigger, self._default_trigger)
        internal_function = internal(function, self._all_windows)
        spec = EngineWindow(self._assigner, contents, internal_function, self._late_data_tag, self._trigger, self._evictor)
        evictor = None if self._evictor is None else evictor_spec(self._evictor)
        return _stream_window(self._keyed_stream, spec, assigner, trigger, self._allowed_lateness, _label_of(function, contents), output_type, evictor)

    def reduce(self, reduce_function: ReduceLike, window_function: WindowFunctionLike | ProcessWindowFunctionLike | None = None,
               output_type: TypeInformation | None = None) -> "DataStream":
        """Each window's elements combined by ``reduce_function`` as they arrive; the result,
        or what ``window_function`` makes of it, is the window's output."""
        return self._run(ReduceContents(as_callable(reduce_function, "reduce")), window_function, output_type)

    def aggregate(self, aggregate_function: AggregateFunction, window_function: WindowFunctionLike | ProcessWindowFunctionLike | None = None,
                  accumulator_type: TypeInformation | None = None, output_type: TypeInformation | None = None) -> "DataStream":
        """Each window's elements accumulated by ``aggregate_function`` (an AggregateFunction);
        its result, or what ``window_function`` makes of it, is the window's output."""
        for method in ("create_accumulator", "add", "get_result"):
            if not callable(getattr(aggregate_function, method, None)):
                raise TypeError(f"expected an AggregateFunction (create_accumulator, add, get_result, merge), got {aggregate_function!r}")
        return self._run(AggregateContents(aggregate_function), window_function, output_type)

    def apply(self, window_function: WindowFunctionLike, output_type: TypeInformation | None = None) -> "DataStream":
        """Each window's elements given to ``window_function.apply``."""
        if not hasattr(window_function, "apply"):
            raise TypeError(f"expected a WindowFunction (apply), got {window_function!r}")
        return self._run(None, window_function, output_type)

    def process(self, process_window_function: ProcessWindowFunctionLike, output_type: TypeInformation | None = None) -> "DataStream":
        """Each window's elements given to ``process_window_function.process`` with a context."""
        if not hasattr(process_window_function, "process"):
            raise TypeError(f"expected a ProcessWindowFunction (process), got {process_window_function!r}")
        return self._run(None, process_window_function, output_type)


class AllWindowedStream(WindowedStream):
    """A whole (non-keyed) stream cut into windows: all records go through one window operator."""

    _all_windows = True

    def __init__(self, data_stream: "DataStream", window_assigner: WindowAssigner) -> None:
        super().__init__(data_stream.key_by(_all_one_key), window_assigner)


def _label_of(function: Any, contents: Contents | None) -> Any:
    """What names the windowed computation in errors: the window function, else the reduce or
    aggregate function."""
    if function is not None:
        return function
    return getattr(contents, "reduce", None) or getattr(contents, "function", None) or contents


def _all_one_key(record: Any) -> int:
    return 0

