"""A test driver for the window operator alone (as Flink's operator test harnesses): keyed
state in dicts, timers in a set, a watermark and a processing-time clock the test moves. It lets
the unit tests reach every branch of the operator deterministically; the end-to-end tests in
``test_windows.py`` run the same operator in the engine."""

from __future__ import annotations

from typing import Any

from weir.datastream.process import Timestamped
from weir.datastream.time_domain import TimeDomain
from weir.datastream.window import MIN_LONG


class _Map:
    def __init__(self, h: "Harness", name: str) -> None:
        self._h, self._name = h, name

    def _d(self) -> dict[Any, Any]:
        return self._h.state.setdefault((self._h.key, self._name), {})

    def get(self, k: Any) -> Any:
        return self._d().get(k)

    def put(self, k: Any, v: Any) -> None:
        self._d()[k] = v

    def contains(self, k: Any) -> bool:
        return k in self._d()

    def remove(self, k: Any) -> None:
        del self._d()[k]

    def keys(self) -> list[Any]:
        return list(self._d())

    def items(self) -> list[tuple[Any, Any]]:
        return list(self._d().items())

    def is_empty(self) -> bool:
        return not self._d()


class _Value:
    def __init__(self, h: "Harness", name: str) -> None:
        self._h, self._name = h, name

    def value(self) -> Any:
        return self._h.state.get((self._h.key, self._name))

    def update(self, v: Any) -> None:
        self._h.state[(self._h.key, self._name)] = v

    def clear(self) -> None:
        self._h.state.pop((self._h.key, self._name), None)


class _RuntimeContext:
    def __init__(self, h: "Harness") -> None:
        self._h = h

    def get_map_state(self, desc: Any) -> _Map:
        return _Map(self._h, desc.name)

    def get_state(self, desc: Any) -> _Value:
        return _Value(self._h, desc.name)


class _TimerService:
    def __init__(self, h: "Harness") -> None:
        self._h = h

    def current_watermark(self) -> int:
        return self._h.watermark

    def current_processing_time(self) -> int:
        return self._h.now

    def register_event_time_timer(self, t: int) -> None:
        self._h.timers.add((TimeDomain.EVENT_TIME, self._h.key, t))

    def register_processing_time_timer(self, t: int) -> None:
        self._h.timers.add((TimeDomain.PROCESSING_TIME, self._h.key, t))

    def delete_event_time_timer(self, t: int) -> None:
        self._h.timers.discard((TimeDomain.EVENT_TIME, self._h.key, t))

    def delete_processing_time_timer(self, t: int) -> None:
        self._h.timers.discard((TimeDomain.PROCESSING_TIME, self._h.key, t))


class _Context:
    def __init__(self, h: "Harness", timestamp: int | None, domain: Any = None) -> None:
        self._h, self._ts, self._domain = h, timestamp, domain

    def timestamp(self) -> int | None:
        return self._ts

    def get_current_key(self) -> Any:
        return self._h.key

    def timer_service(self) -> _TimerService:
        return _TimerService(self._h)

    def output(self, tag: Any, value: Any) -> None:
        self._h.side.append((tag.tag_id, value))

    def time_domain(self) -> Any:
        return self._domain


class Harness:
    """Feeds one window operator: ``element(key, value, ts)``, ``advance_watermark(w)``,
    ``advance_processing_time(t)``; ``out`` collects ``(timestamp, record)``, ``side`` the side
    outputs."""

    def __init__(self, op: Any) -> None:
        self.op = op
        self.state: dict[Any, Any] = {}
        self.timers: set[tuple[Any, Any, int]] = set()
        self.watermark = MIN_LONG
        self.now = 0
        self.key: Any = None
        self.out: list[tuple[int, Any]] = []
        self.side: list[tuple[str, Any]] = []
        op.open(_RuntimeContext(self))

    def _emit(self, produced: Any) -> None:
        for r in produced:
            assert isinstance(r, Timestamped), r
            self.out.append((r.timestamp, r.value))

    def element(self, key: Any, value: Any, ts: int | None = None, watermark: int | None = None) -> None:
        """Handles one element; ``watermark`` is what the operator sees during the call (the
        engine shows a late row the watermark it was late against), without firing timers."""
        self.key = key
        kept = self.watermark
        if watermark is not None:
            self.watermark = watermark
        try:
            self._emit(self.op.process_element(value, _Context(self, ts)))
        finally:
            self.watermark = kept

    def _fire(self, domain: Any, upto: int) -> None:
        while True:
            due = sorted((t, repr(k), k) for d, k, t in self.timers if d == domain and t <= upto)
            if not due:
                return
            t, _, k = due[0]
            self.timers.discard((domain, k, t))
            self.key = k
            self._emit(self.op.on_timer(t, _Context(self, t, domain)))

    def advance_watermark(self, w: int) -> None:
        self.watermark = w
        self._fire(TimeDomain.EVENT_TIME, w)

    def advance_processing_time(self, t: int) -> None:
        self.now = t
        self._fire(TimeDomain.PROCESSING_TIME, t)

    def live_state(self) -> dict[Any, Any]:
        """The non-empty state entries (to check windows are cleaned up)."""
        return {k: v for k, v in self.state.items() if v not in ({}, None)}
