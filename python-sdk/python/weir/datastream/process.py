"""How process functions run: the engine's ``process`` node calls a :class:`Runner` per
worker (``Runner.factory``), with the operator's state and timers reachable through
``weir._weir`` while a call is under way. Outputs are rows ``(seq, v, ts, tag)``: the record
pickled, its timestamp (the element's; an event-time timer's; none for a processing-time
timer, as Flink erases it) and the side output's tag (NULL for the main output).

Elements come a batch at a time (``Runner.process_batch``: all the elements of one input
batch of the operator in one call, each for its own key); timers one call each."""

from __future__ import annotations

import copy
import itertools
import pickle
import reprlib
from collections.abc import Callable, Iterable
from typing import Any

from weir import _weir
from weir.datastream import functions
from weir.datastream.time_domain import TimeDomain

COLUMNS = [("seq", "BIGINT"), ("v", "BYTES"), ("ts", "BIGINT"), ("tag", "STRING")]
PROTOCOL = pickle.HIGHEST_PROTOCOL
_NO_TIMERS = "Setting timers is only supported on a keyed streams."
_UNSEEN = object()
_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 80


class _TimerService(functions.TimerService):
    """The timer service of the call under way."""

    def __init__(self, keyed: bool) -> None:
        self._keyed = keyed

    def current_processing_time(self) -> int:
        """The processing time, in epoch milliseconds."""
        return int(_weir.scope_current_processing_time())

    def current_watermark(self) -> int:
        """The event-time watermark."""
        return int(_weir.scope_current_watermark())

    def _timer(self, register: bool, domain: int, timestamp: int) -> None:
        if not self._keyed:
            raise RuntimeError(_NO_TIMERS)
        (_weir.scope_register_timer if register else _weir.scope_delete_timer)(domain, int(timestamp))

    def register_processing_time_timer(self, timestamp: int) -> None:
        """Calls ``on_timer`` when the processing time reaches ``timestamp``."""
        self._timer(True, 1, timestamp)

    def register_event_time_timer(self, timestamp: int) -> None:
        """Calls ``on_timer`` when the watermark reaches ``timestamp``."""
        self._timer(True, 0, timestamp)

    def delete_processing_time_timer(self, timestamp: int) -> None:
        """Cancels a processing-time timer."""
        self._timer(False, 1, timestamp)

    def delete_event_time_timer(self, timestamp: int) -> None:
        """Cancels an event-time timer."""
        self._timer(False, 0, timestamp)


class _Context(functions.OnTimerContext):
    """The context of one call (reused across calls)."""

    def __init__(self, timers: _TimerService) -> None:
        self._timers = timers
        self._key: Any = None
        self._timestamp: int | None = None
        self._domain: Any = None
        self._side: list[tuple[str, Any]] = []

    def get_current_key(self) -> Any:
        """The key of the element (or timer) being processed."""
        return self._key

    def timestamp(self) -> int | None:
        """The element's timestamp (in ``on_timer``: the timer's), or None."""
        return self._timestamp

    def timer_service(self) -> functions.TimerService:
        """Time and timers."""
        return self._timers

    def time_domain(self) -> Any:
        """Which clock fired the timer (in ``on_timer``)."""
        return self._domain

    def output(self, output_tag: Any, value: Any) -> None:
        """Emits ``value`` to the side output ``output_tag``."""
        tag_id = getattr(output_tag, "tag_id", None)
        if not isinstance(tag_id, str):
            raise TypeError(f"expected an OutputTag, got {output_tag!r}")
        self._side.append((tag_id, value))


class Timestamped:
    """An output with its own timestamp: a process function that returns or yields
    ``Timestamped(value, ts)`` emits ``value`` with timestamp ``ts`` (None: no timestamp)
    instead of the element's or timer's. Weir's own window operators use it (Flink's window
    results carry the window's max timestamp whatever clock fired them)."""

    __slots__ = ("value", "timestamp")

    def __init__(self, value: Any, timestamp: int | None) -> None:
        self.value = value
        self.timestamp = timestamp


class Runner:
    """One worker's instance of a process function (a copy of the user's object, as each
    Flink subtask has its own), opened with its :class:`RuntimeContext`."""

    def __init__(self, function: Any, keyed: bool, counter: "itertools.count[int]", label: str, worker: int, workers: int) -> None:
        try:
            function = copy.deepcopy(function)
        except Exception:  # an object that cannot be copied is shared, as a plain function is
            pass
        self.function = function
        self.keyed = keyed
        self.counter = counter
        self.context = _Context(_TimerService(keyed))
        if hasattr(function, "process_element1"):
            self.elements: list[Callable[..., Any]] = [function.process_element1, function.process_element2]
        else:
            self.elements = [function.process_element]
        self.on_timer_fn = getattr(function, "on_timer", None)
        opened = getattr(function, "open", None)
        if opened is not None:
            opened(functions.RuntimeContext(label, worker, workers, keyed))

    @staticmethod
    def factory(function: Any, keyed: bool, counter: "itertools.count[int]", label: str) -> Callable[[int, int], "Runner"]:
        """The engine's ``factory(worker, workers)``."""
        return lambda worker, workers: Runner(function, keyed, counter, label, worker, workers)

    def _rows(self, produced: Iterable[Any] | None, ts: int | None) -> list[tuple[int, bytes, int | None, str | None]]:
        out = []
        counter, dumps, side = self.counter, _weir.dumps_record, self.context._side
        if produced is not None:
            for value in produced:
                if type(value) is Timestamped:
                    out.append((next(counter), dumps(value.value), value.timestamp, None))
                else:
                    out.append((next(counter), dumps(value), ts, None))
        for tag, value in side:
            out.append((next(counter), dumps(value), ts, tag))
        side.clear()
        return out

    def process_element(self, input: int, key: Any, value: bytes, timestamp: int | None) -> list[tuple[int, bytes, int | None, str | None]]:
        """The rows for one element of input ``input``."""
        ctx = self.context
        ctx._key = _weir.loads_record(key) if self.keyed else None
        ctx._timestamp = timestamp
        ctx._domain = None
        ctx._side.clear()
        record = _weir.loads_record(value)
        try:
            return self._rows(self.elements[input](record, ctx), timestamp)
        except Exception as e:
            _name_element(e, record, ctx)
            raise

    def process_batch(self, elements: Any) -> None:
        """Every element of one input batch, in order: ``elements`` (``_weir.Elements``) yields
        ``(input, key, value, timestamp)`` and makes each element's key the current one as it
        does; each element's rows go to ``elements.out`` before the next is asked for. The
        same as :meth:`process_element` per element, without a call from the engine each."""
        ctx, handlers, keyed, out = self.context, self.elements, self.keyed, elements.out
        counter, dumps, side, loads, append = self.counter, _weir.dumps_record, ctx._side, _weir.loads_record, elements.out.append
        keys: dict[Any, Any] = {}  # the batch's keys, unpickled once each
        ctx._domain = None
        if not keyed:
            ctx._key = None
        side.clear()
        record: Any = None
        try:
            for input, key, value, ts in elements:
                if keyed:
                    k = keys.get(key, _UNSEEN)
                    if k is _UNSEEN:
                        k = keys[key] = loads(key)
                    ctx._key = k
                ctx._timestamp = ts
                record = value  # named as bytes should they not unpickle
                record = loads(value)
                produced = handlers[input](record, ctx)
                if produced is not None:
                    for v in produced:
                        if type(v) is Timestamped:
                            append((next(counter), dumps(v.value), v.timestamp, None))
                        else:
                            append((next(counter), dumps(v), ts, None))
                if side:
                    for tag, v in side:
                        append((next(counter), dumps(v), ts, tag))
                    side.clear()
        except Exception as e:
            # The failing element's rows do not go out, as when it was a call of its own.
            out.clear()
            side.clear()
            _name_element(e, record, ctx)
            raise

    def on_timer(self, domain: int, key: Any, timestamp: int) -> list[tuple[int, bytes, int | None, str | None]]:
        """The rows when a timer fires (``domain`` 0: event time, 1: processing time)."""
        ctx = self.context
        ctx._key = _weir.loads_record(key)
        ctx._timestamp = timestamp
        ctx._domain = TimeDomain.EVENT_TIME if domain == 0 else TimeDomain.PROCESSING_TIME
        ctx._side.clear()
        if self.on_timer_fn is None:
            return []
        return self._rows(self.on_timer_fn(timestamp, ctx), timestamp if domain == 0 else None)

    def close(self) -> None:
        """The input has ended."""
        closed = getattr(self.function, "close", None)
        if closed is not None:
            closed()


def _name_element(e: BaseException, record: Any, ctx: _Context) -> None:
    """Says in ``e``'s traceback which element the function failed on."""
    e.add_note(f"while processing the element {_REPR.repr(record)} (key {_REPR.repr(ctx._key)}, timestamp {ctx._timestamp})")
