"""Window evictors, as in Flink (``org.apache.flink.streaming.api.windowing.evictors``; PyFlink's
Python API has none): ``WindowedStream.evictor(...)`` removes elements from a window when it
fires, before the window function sees them (``evict_before``) or after (``evict_after``). A
window with an evictor keeps every element with its timestamp, also for ``reduce`` and
``aggregate`` (which fold what remains when the window fires), as Flink's
``EvictingWindowOperator`` does.

``CountEvictor`` and ``TimeEvictor`` run in the engine's window operator; ``DeltaEvictor`` and
user-written ``Evictor`` subclasses are called from it (``WindowRunner.evict``) with the window's
elements as a list of :class:`TimestampedValue`, which they remove from in place."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from weir.common.time import Duration


class TimestampedValue:
    """An element of a window with its timestamp (None: it has none)."""

    __slots__ = ("_value", "_timestamp")

    def __init__(self, value: Any, timestamp: int | None = None) -> None:
        self._value = value
        self._timestamp = timestamp

    def get_value(self) -> Any:
        """The element."""
        return self._value

    def get_timestamp(self) -> int:
        """Its timestamp (raises when it has none)."""
        if self._timestamp is None:
            raise ValueError("this element has no timestamp")
        return self._timestamp

    def has_timestamp(self) -> bool:
        """Whether it has a timestamp."""
        return self._timestamp is not None

    def __repr__(self) -> str:
        return f"TimestampedValue({self._value!r}, {self._timestamp!r})"


class Evictor(ABC):
    """Removes elements from a firing window's ``elements`` (a list of
    :class:`TimestampedValue`, in arrival order) in place."""

    class EvictorContext(ABC):
        """What an evictor can read: the clocks."""

        @abstractmethod
        def get_current_processing_time(self) -> int:
            """The current processing time."""

        @abstractmethod
        def get_current_watermark(self) -> int:
            """The current watermark."""

        @abstractmethod
        def get_metric_group(self) -> Any:
            """Metrics are not available in Weir (raises)."""

    @abstractmethod
    def evict_before(self, elements: list[TimestampedValue], size: int, window: Any, evictor_context: "Evictor.EvictorContext") -> None:
        """Before the window function runs."""

    @abstractmethod
    def evict_after(self, elements: list[TimestampedValue], size: int, window: Any, evictor_context: "Evictor.EvictorContext") -> None:
        """After the window function ran."""


class CountEvictor(Evictor):
    """Keeps the last ``max_count`` elements (run by the engine)."""

    def __init__(self, max_count: int, do_evict_after: bool = False) -> None:
        if int(max_count) <= 0:
            raise ValueError(f"CountEvictor needs a positive count, got {max_count}")
        self.max_count = int(max_count)
        self.do_evict_after = bool(do_evict_after)

    @staticmethod
    def of(max_count: int, do_evict_after: bool = False) -> "CountEvictor":
        """Keeps ``max_count`` elements, before (or after) the function runs."""
        return CountEvictor(max_count, do_evict_after)

    def _evict(self, elements: list[TimestampedValue]) -> None:
        if len(elements) > self.max_count:
            del elements[:len(elements) - self.max_count]

    def evict_before(self, elements: list[TimestampedValue], size: int, window: Any, evictor_context: Evictor.EvictorContext) -> None:
        """Evicts unless ``do_evict_after``."""
        if not self.do_evict_after:
            self._evict(elements)

    def evict_after(self, elements: list[TimestampedValue], size: int, window: Any, evictor_context: Evictor.EvictorContext) -> None:
        """Evicts with ``do_evict_after``."""
        if self.do_evict_after:
            self._evict(elements)

    def __repr__(self) -> str:
        return f"CountEvictor({self.max_count}, {self.do_evict_after})"


class TimeEvictor(Evictor):
    """Keeps the elements newer than the newest element's timestamp minus ``window_size``
    (elements without timestamps are all kept; run by the engine)."""

    def __init__(self, window_size: int, do_evict_after: bool = False) -> None:
        if int(window_size) <= 0:
            raise ValueError(f"TimeEvictor needs a positive window size, got {window_size}")
        self.window_size = int(window_size)
        self.do_evict_after = bool(do_evict_after)

    @staticmethod
    def of(window_size: Duration | int, do_evict_after: bool = False) -> "TimeEvictor":
        """Keeps ``window_size`` (a Duration or milliseconds) of elements."""
        return TimeEvictor(int(getattr(window_size, "to_milliseconds", lambda: window_size)()), do_evict_after)

    def _evict(self, elements: list[TimestampedValue]) -> None:
        if not elements or not elements[0].has_timestamp():
            return
        cutoff = max(e.get_timestamp() for e in elements if e.has_timestamp()) - self.window_size
        elements[:] = [e for e in elements if e.has_timestamp() and e.get_timestamp() > cutoff]

    def evict_before(self, elements: list[TimestampedValue], size: int, window: Any, evictor_context: Evictor.EvictorContext) -> None:
        """Evicts unless ``do_evict_after``."""
        if not self.do_evict_after:
            self._evict(elements)

    def evict_after(self, elements: list[TimestampedValue], size: int, window: Any, evictor_context: Evictor.EvictorContext) -> None:
        """Evicts with ``do_evict_after``."""
        if self.do_evict_after:
            self._evict(elements)

    def __repr__(self) -> str:
        return f"TimeEvictor({self.window_size}, {self.do_evict_after})"


class DeltaEvictor(Evictor):
    """Evicts the elements whose ``delta_function(element, last)`` against the window's last
    element is at least ``threshold`` (called from the engine)."""

    def __init__(self, threshold: float, delta_function: Any, do_evict_after: bool = False) -> None:
        delta = getattr(delta_function, "get_delta", delta_function)
        if not callable(delta):
            raise TypeError(f"DeltaEvictor needs a DeltaFunction (get_delta) or a callable, got {delta_function!r}")
        self.threshold = float(threshold)
        self.delta: Callable[[Any, Any], float] = delta
        self.do_evict_after = bool(do_evict_after)

    @staticmethod
    def of(threshold: float, delta_function: Any, do_evict_after: bool = False) -> "DeltaEvictor":
        """Evicts elements ``threshold`` or more apart from the last one."""
        return DeltaEvictor(threshold, delta_function, do_evict_after)

    def _evict(self, elements: list[TimestampedValue]) -> None:
        if not elements:
            return
        last = elements[-1].get_value()
        elements[:] = [e for e in elements if self.delta(e.get_value(), last) < self.threshold]

    def evict_before(self, elements: list[TimestampedValue], size: int, window: Any, evictor_context: Evictor.EvictorContext) -> None:
        """Evicts unless ``do_evict_after``."""
        if not self.do_evict_after:
            self._evict(elements)

    def evict_after(self, elements: list[TimestampedValue], size: int, window: Any, evictor_context: Evictor.EvictorContext) -> None:
        """Evicts with ``do_evict_after``."""
        if self.do_evict_after:
            self._evict(elements)

    def __repr__(self) -> str:
        return f"DeltaEvictor({self.threshold}, {self.do_evict_after})"


def evictor_spec(evictor: Evictor) -> dict[str, Any]:
    """The job spec's ``evictor``: one the engine runs, or ``user`` (asked through the runner)."""
    kind = type(evictor)
    if kind is CountEvictor:
        return {"kind": "count", "max_count": evictor.max_count, "evict_after": evictor.do_evict_after}  # type: ignore[attr-defined]
    if kind is TimeEvictor:
        return {"kind": "time", "window_ms": evictor.window_size, "evict_after": evictor.do_evict_after}  # type: ignore[attr-defined]
    return {"kind": "user"}
