"""Per-window state for the engine's window operator: the state objects a trigger gets from
``ctx.get_partitioned_state(descriptor)`` and a ``ProcessWindowFunction`` from
``context.window_state()``, stored in one keyed ``MapState`` of the operator under
``(state name, window)`` (the window runner's, :mod:`weir.datastream.window_runner`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any


def state_kind(descriptor: Any) -> str:
    """``value``, ``list``, ``map``, ``reducing`` or ``aggregating`` for a state descriptor (PyFlink's
    descriptor classes, or ``window_triggers.PartitionedStateDescriptor``)."""
    kind = getattr(descriptor, "kind", None)
    if isinstance(kind, str):
        return kind
    kinds = {"ValueStateDescriptor": "value", "ListStateDescriptor": "list", "MapStateDescriptor": "map",
             "ReducingStateDescriptor": "reducing", "AggregatingStateDescriptor": "aggregating"}
    for cls in type(descriptor).__mro__:
        if cls.__name__ in kinds:
            return kinds[cls.__name__]
    raise TypeError(f"expected a state descriptor (ValueStateDescriptor, ListStateDescriptor, ...), got {descriptor!r}")


def _reduce_function(descriptor: Any) -> Callable[[Any, Any], Any]:
    f = descriptor.get_reduce_function() if hasattr(descriptor, "get_reduce_function") else getattr(descriptor, "reduce_function", None)
    f = getattr(f, "reduce", f)
    if not callable(f):
        raise TypeError(f"reducing state {descriptor.name!r} needs a ReduceFunction, got {f!r}")
    return f  # type: ignore[no-any-return]


def _agg_function(descriptor: Any) -> Any:
    f = descriptor.get_agg_function() if hasattr(descriptor, "get_agg_function") else getattr(descriptor, "agg_function", None)
    if f is None or not hasattr(f, "add"):
        raise TypeError(f"aggregating state {descriptor.name!r} needs an AggregateFunction, got {f!r}")
    return f


class ScopedState:
    """One state of one window: the value under ``(name, window)`` in ``store`` (a MapState of
    the current key). It offers the methods of the descriptor's state kind."""

    def __init__(self, store: Any, descriptor: Any, window: Any) -> None:
        self._store = store
        self._descriptor = descriptor
        self._key = (descriptor.name, window)
        self.kind = state_kind(descriptor)

    def _get(self) -> Any:
        return self._store.get(self._key)

    def _put(self, value: Any) -> None:
        if value is None:
            self.clear()
        else:
            self._store.put(self._key, value)

    def clear(self) -> None:
        """Drops the state."""
        if self._store.contains(self._key):
            self._store.remove(self._key)

    # value
    def value(self) -> Any:
        """The value (value state), or None."""
        return self._get()

    def update(self, value: Any) -> None:
        """Replaces the value (value state) or the list (list state)."""
        self._put(list(value) if self.kind == "list" and value is not None else value)

    # list, reducing, aggregating
    def get(self, key: Any = None) -> Any:
        """The list (list state), the combined value (reducing), the result (aggregating), or
        the value under ``key`` (map state)."""
        current = self._get()
        if self.kind == "map":
            return None if current is None else current.get(key)
        if self.kind == "list":
            return list(current or [])
        if self.kind == "aggregating":
            return None if current is None else _agg_function(self._descriptor).get_result(current)
        return current

    def add(self, value: Any) -> None:
        """Appends (list), combines (reducing) or accumulates (aggregating) ``value``."""
        current = self._get()
        if self.kind == "list":
            self._put([*(current or []), value])
        elif self.kind == "reducing":
            self._put(value if current is None else _reduce_function(self._descriptor)(current, value))
        elif self.kind == "aggregating":
            agg = _agg_function(self._descriptor)
            self._put(agg.add(value, agg.create_accumulator() if current is None else current))
        else:
            raise TypeError(f"state {self._descriptor.name!r} is {self.kind} state: add() is not defined for it")

    def add_all(self, values: Iterable[Any]) -> None:
        """Appends ``values`` (list state)."""
        self._put([*(self._get() or []), *values])

    # map
    def put(self, key: Any, value: Any) -> None:
        """Sets ``key`` (map state)."""
        self._put({**(self._get() or {}), key: value})

    def put_all(self, entries: dict[Any, Any]) -> None:
        """Sets several keys (map state)."""
        self._put({**(self._get() or {}), **entries})

    def remove(self, key: Any) -> None:
        """Drops ``key`` (map state)."""
        current = dict(self._get() or {})
        current.pop(key, None)
        self._put(current or None)

    def contains(self, key: Any) -> bool:
        """Whether ``key`` is set (map state)."""
        return key in (self._get() or {})

    def items(self) -> Iterator[tuple[Any, Any]]:
        """The entries (map state)."""
        return iter(list((self._get() or {}).items()))

    def keys(self) -> Iterator[Any]:
        """The keys (map state)."""
        return iter(list((self._get() or {}).keys()))

    def values(self) -> Iterator[Any]:
        """The values (map state)."""
        return iter(list((self._get() or {}).values()))

    def is_empty(self) -> bool:
        """Whether the map is empty (map state)."""
        return not self._get()

    def __iter__(self) -> Iterator[Any]:
        return iter(self.get()) if self.kind == "list" else self.keys()


def merge_scoped(store: Any, descriptor: Any, sources: list[Any], target: Any) -> None:
    """Combines the state of ``descriptor`` of the windows ``sources`` into ``target`` (which may
    be one of them), as session windows merge."""
    kind = state_kind(descriptor)
    parts = []
    for w in dict.fromkeys([*sources, target]):
        key = (descriptor.name, w)
        if store.contains(key):
            parts.append(store.get(key))
            store.remove(key)
    if not parts:
        return
    if kind == "value":
        raise TypeError(f"value state {descriptor.name!r} cannot be merged (use reducing, aggregating, list or map state)")
    merged = parts[0]
    for p in parts[1:]:
        if kind == "list":
            merged = [*merged, *p]
        elif kind == "map":
            merged = {**merged, **p}
        elif kind == "reducing":
            merged = _reduce_function(descriptor)(merged, p)
        else:
            merged = _agg_function(descriptor).merge(merged, p)
    store.put((descriptor.name, target), merged)


class WindowStateStore:
    """``ProcessWindowFunction.Context.window_state()``: keyed state scoped to one window."""

    def __init__(self, store: Any, window: Any) -> None:
        self._store = store
        self._window = window

    def _state(self, descriptor: Any) -> ScopedState:
        return ScopedState(self._store, descriptor, self._window)

    get_state = get_list_state = get_map_state = get_reducing_state = get_aggregating_state = _state
