"""Keyed state, as in ``pyflink.datastream.state``: descriptors, the state objects a process
function gets from its ``RuntimeContext``, and ``StateTtlConfig``.

The state lives in the engine's keyed-state store of the operator (in memory, or in RocksDB
with ``state.backend.type: rocksdb``), partitioned by key across workers: values are pickled,
each list element and each map entry on its own (``MapState.get`` reads one entry, not the
map; ``ListState.add`` appends without reading the list). A state object refers to "the
current key" of the call under way: it can only be used inside ``process_element`` /
``on_timer``; used anywhere else it raises ``RuntimeError``.

TTL is measured in processing time (Flink's only TTL time characteristic). Expired values are
never returned (``NeverReturnExpired``; ``ReturnExpiredIfNotCleanedUp`` only allows returning
them, so it behaves the same), and they are removed when a read finds them."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterable, Iterator
from enum import Enum
from typing import TYPE_CHECKING, Any

from weir import _weir
from weir.errors import unsupported_class

if TYPE_CHECKING:
    from weir.common.time import Duration
    from weir.common.typeinfo import TypeInformation
    from weir.datastream.functions import AggregateFunction, ReduceFunction

_PROTOCOL = pickle.HIGHEST_PROTOCOL


def _dumps(value: Any) -> bytes:
    """A value's bytes in state: a pickle (written natively for plain values: any pickle reads
    back the same, so values written before by ``pickle.dumps`` still read)."""
    return _weir.dumps_record(value)


def _key_bytes(key: Any) -> bytes:
    """A map key's bytes in state: ``pickle.dumps``'s, always (entries are found by these bytes,
    so they must not change: a restored checkpoint's keys were written so)."""
    return pickle.dumps(key, _PROTOCOL)


class StateTtlConfig:
    """How long state values live, in processing time: build with
    ``StateTtlConfig.new_builder(Time.seconds(10)).set_update_type(..).build()``."""

    class UpdateType(Enum):
        """What refreshes a value's time-to-live."""

        Disabled = 0
        OnCreateAndWrite = 1
        OnReadAndWrite = 2

    class StateVisibility(Enum):
        """Whether expired values not yet removed may be returned (Weir never returns them)."""

        ReturnExpiredIfNotCleanedUp = 0
        NeverReturnExpired = 1

    class TtlTimeCharacteristic(Enum):
        """The time TTL follows: processing time only, as in Flink."""

        ProcessingTime = 0

    def __init__(
        self,
        update_type: "StateTtlConfig.UpdateType",
        state_visibility: "StateTtlConfig.StateVisibility",
        ttl_time_characteristic: "StateTtlConfig.TtlTimeCharacteristic",
        ttl: Duration | int,
    ) -> None:
        self._update_type = update_type
        self._state_visibility = state_visibility
        self._ttl_time_characteristic = ttl_time_characteristic
        self._ttl = ttl

    @staticmethod
    def new_builder(ttl: Duration | int) -> "StateTtlConfig.Builder":
        """A builder for a TTL of ``ttl`` (a ``Time`` / ``Duration``)."""
        return StateTtlConfig.Builder(ttl)

    def get_update_type(self) -> "StateTtlConfig.UpdateType":
        """What refreshes a value's TTL."""
        return self._update_type

    def get_state_visibility(self) -> "StateTtlConfig.StateVisibility":
        """Whether expired values may be returned."""
        return self._state_visibility

    def get_ttl(self) -> Duration | int:
        """The time-to-live."""
        return self._ttl

    def get_ttl_time_characteristic(self) -> "StateTtlConfig.TtlTimeCharacteristic":
        """Processing time."""
        return self._ttl_time_characteristic

    def is_enabled(self) -> bool:
        """Whether values expire at all."""
        return self._update_type != StateTtlConfig.UpdateType.Disabled

    def _millis(self) -> int:
        ttl = self._ttl
        millis = ttl.to_milliseconds() if hasattr(ttl, "to_milliseconds") else int(ttl)
        if millis <= 0:
            raise ValueError(f"a state TTL must be positive, got {millis} ms")
        return int(millis)

    class Builder:
        """Builds a :class:`StateTtlConfig`; cleanup settings are accepted (expired values are
        removed when read, whatever they say)."""

        def __init__(self, ttl: Duration | int) -> None:
            self._ttl = ttl
            self._update_type = StateTtlConfig.UpdateType.OnCreateAndWrite
            self._visibility = StateTtlConfig.StateVisibility.NeverReturnExpired

        def set_update_type(self, update_type: "StateTtlConfig.UpdateType") -> "StateTtlConfig.Builder":
            """What refreshes a value's TTL."""
            self._update_type = update_type
            return self

        def update_ttl_on_create_and_write(self) -> "StateTtlConfig.Builder":
            """Writes refresh the TTL (the default)."""
            return self.set_update_type(StateTtlConfig.UpdateType.OnCreateAndWrite)

        def update_ttl_on_read_and_write(self) -> "StateTtlConfig.Builder":
            """Reads refresh the TTL too."""
            return self.set_update_type(StateTtlConfig.UpdateType.OnReadAndWrite)

        def set_state_visibility(self, state_visibility: "StateTtlConfig.StateVisibility") -> "StateTtlConfig.Builder":
            """Whether expired values may be returned (Weir never returns them)."""
            self._visibility = state_visibility
            return self

        def return_expired_if_not_cleaned_up(self) -> "StateTtlConfig.Builder":
            """Allows returning expired values (Weir never does)."""
            return self.set_state_visibility(StateTtlConfig.StateVisibility.ReturnExpiredIfNotCleanedUp)

        def never_return_expired(self) -> "StateTtlConfig.Builder":
            """Never returns expired values (the default)."""
            return self.set_state_visibility(StateTtlConfig.StateVisibility.NeverReturnExpired)

        def set_ttl_time_characteristic(self, ttl_time_characteristic: "StateTtlConfig.TtlTimeCharacteristic") -> "StateTtlConfig.Builder":
            """Processing time (the only one)."""
            return self

        def use_processing_time(self) -> "StateTtlConfig.Builder":
            """Processing time (the only one)."""
            return self

        def set_ttl(self, ttl: Duration | int) -> "StateTtlConfig.Builder":
            """The time-to-live."""
            self._ttl = ttl
            return self

        def cleanup_full_snapshot(self) -> "StateTtlConfig.Builder":
            """Accepted (expired values are removed when read)."""
            return self

        def cleanup_incrementally(self, cleanup_size: int = 0, run_cleanup_for_every_record: bool = False) -> "StateTtlConfig.Builder":
            """Accepted (expired values are removed when read)."""
            return self

        def cleanup_in_rocksdb_compact_filter(
            self, query_time_after_num_entries: int = 0, periodic_compaction_time: Duration | None = None
        ) -> "StateTtlConfig.Builder":
            """Accepted (expired values are removed when read)."""
            return self

        def disable_cleanup_in_background(self) -> "StateTtlConfig.Builder":
            """Accepted."""
            return self

        def build(self) -> "StateTtlConfig":
            """The configuration."""
            return StateTtlConfig(self._update_type, self._visibility, StateTtlConfig.TtlTimeCharacteristic.ProcessingTime, self._ttl)


class StateDescriptor:
    """Names a keyed state and the type of its values; a TTL is optional."""

    _kind = "value"

    def __init__(self, name: str, type_info: TypeInformation | None = None) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError(f"a state needs a non-empty name, got {name!r}")
        self.name = name
        self.type_info = type_info
        self._ttl: StateTtlConfig | None = None

    def get_name(self) -> str:
        """The state's name."""
        return self.name

    def enable_time_to_live(self, ttl_config: StateTtlConfig) -> None:
        """Gives the state's values a processing-time TTL."""
        self._ttl = ttl_config

    def _ref(self) -> Any:
        ttl = self._ttl if self._ttl is not None and self._ttl.is_enabled() else None
        ttl_ms = ttl._millis() if ttl is not None else None
        refresh = ttl is not None and ttl.get_update_type() == StateTtlConfig.UpdateType.OnReadAndWrite
        return _weir.StateRef(self.name, self._kind, ttl_ms, refresh)


class ValueStateDescriptor(StateDescriptor):
    """A :class:`ValueState`: ``ValueStateDescriptor(name, value_type_info)``."""


class ListStateDescriptor(StateDescriptor):
    """A :class:`ListState`: ``ListStateDescriptor(name, elem_type_info)``."""

    _kind = "list"


class MapStateDescriptor(StateDescriptor):
    """A :class:`MapState`: ``MapStateDescriptor(name, key_type_info, value_type_info)``."""

    _kind = "map"

    def __init__(self, name: str, key_type_info: TypeInformation | None = None, value_type_info: TypeInformation | None = None) -> None:
        super().__init__(name, value_type_info)
        self.key_type_info = key_type_info


class ReducingStateDescriptor(StateDescriptor):
    """A :class:`ReducingState`: ``ReducingStateDescriptor(name, reduce_function, type_info)``."""

    def __init__(self, name: str, reduce_function: ReduceFunction | Callable[[Any, Any], Any], type_info: TypeInformation | None = None) -> None:
        super().__init__(name, type_info)
        reduce = getattr(reduce_function, "reduce", reduce_function)
        if not callable(reduce):
            raise TypeError(f"expected a ReduceFunction or a function of two values, got {reduce_function!r}")
        self.reduce_function = reduce


class AggregatingStateDescriptor(StateDescriptor):
    """An :class:`AggregatingState`: ``AggregatingStateDescriptor(name, agg_function,
    state_type_info)`` with an ``AggregateFunction`` (``create_accumulator``, ``add``,
    ``get_result``)."""

    def __init__(self, name: str, agg_function: AggregateFunction, state_type_info: TypeInformation | None = None) -> None:
        super().__init__(name, state_type_info)
        for method in ("create_accumulator", "add", "get_result"):
            if not callable(getattr(agg_function, method, None)):
                raise TypeError(f"expected an AggregateFunction with {method}(), got {agg_function!r}")
        self.agg_function = agg_function


class State:
    """A keyed state of the current key."""

    def __init__(self, ref: Any) -> None:
        self._ref = ref

    def clear(self) -> None:
        """Removes the current key's value."""
        self._ref.clear()


class ValueState(State):
    """One value per key."""

    def value(self) -> Any:
        """The current key's value, or None."""
        raw = self._ref.get()
        return None if raw is None else _weir.loads_record(raw)

    def update(self, value: Any) -> None:
        """Sets the current key's value (None clears it, as in Flink)."""
        if value is None:
            self._ref.clear()
        else:
            self._ref.set(_dumps(value))


class ListState(State):
    """A list per key."""

    def get(self) -> Iterable[Any]:
        """The current key's elements (an empty list when there are none)."""
        return [_weir.loads_record(b) for b in self._ref.get()]

    def add(self, value: Any) -> None:
        """Appends ``value``."""
        if value is None:
            raise ValueError("you cannot add None to a ListState")
        self._ref.add([_dumps(value)])

    def add_all(self, values: list[Any]) -> None:
        """Appends every value."""
        items = list(values)
        if any(v is None for v in items):
            raise ValueError("you cannot add None to a ListState")
        self._ref.add([_dumps(v) for v in items])

    def update(self, values: list[Any]) -> None:
        """Replaces the elements (an empty list clears them)."""
        items = list(values)
        if any(v is None for v in items):
            raise ValueError("you cannot add None to a ListState")
        self._ref.update([_dumps(v) for v in items])

    def __iter__(self) -> Iterator[Any]:
        return iter(self.get())


class MapState(State):
    """A map per key; each entry is stored on its own."""

    def get(self, key: Any) -> Any:
        """The value under ``key``, or None."""
        raw = self._ref.map_get(_key_bytes(key))
        return None if raw is None else _weir.loads_record(raw)

    def put(self, key: Any, value: Any) -> None:
        """Sets the value under ``key``."""
        self._ref.map_put([(_key_bytes(key), _dumps(value))])

    def put_all(self, dict_value: dict[Any, Any]) -> None:
        """Sets every entry of ``dict_value``."""
        self._ref.map_put([(_key_bytes(k), _dumps(v)) for k, v in dict_value.items()])

    def remove(self, key: Any) -> None:
        """Removes ``key``."""
        self._ref.map_remove(_key_bytes(key))

    def contains(self, key: Any) -> bool:
        """Whether ``key`` has a value."""
        return bool(self._ref.map_contains(_key_bytes(key)))

    def items(self) -> Iterable[tuple[Any, Any]]:
        """Every ``(key, value)`` entry."""
        return [(_weir.loads_record(k), _weir.loads_record(v)) for k, v in self._ref.map_entries()]

    def keys(self) -> Iterable[Any]:
        """Every key."""
        return [k for k, _ in self.items()]

    def values(self) -> Iterable[Any]:
        """Every value."""
        return [v for _, v in self.items()]

    def is_empty(self) -> bool:
        """Whether the map has no entries."""
        return bool(self._ref.map_is_empty())

    def __getitem__(self, key: Any) -> Any:
        return self.get(key)

    def __setitem__(self, key: Any, value: Any) -> None:
        self.put(key, value)

    def __delitem__(self, key: Any) -> None:
        self.remove(key)

    def __contains__(self, key: Any) -> bool:
        return self.contains(key)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.keys())


class ReducingState(State):
    """Values folded into one with a reduce function as they are added."""

    def __init__(self, ref: Any, reduce: Any) -> None:
        super().__init__(ref)
        self._reduce = reduce

    def get(self) -> Any:
        """The folded value, or None."""
        raw = self._ref.get()
        return None if raw is None else _weir.loads_record(raw)

    def add(self, value: Any) -> None:
        """Folds ``value`` in."""
        current = self.get()
        self._ref.set(_dumps(value if current is None else self._reduce(current, value)))


class AggregatingState(State):
    """Values aggregated with an ``AggregateFunction`` as they are added; the accumulator is
    the state."""

    def __init__(self, ref: Any, function: Any) -> None:
        super().__init__(ref)
        self._function = function

    def get(self) -> Any:
        """The aggregate's result, or None when nothing was added."""
        raw = self._ref.get()
        return None if raw is None else self._function.get_result(_weir.loads_record(raw))

    def add(self, value: Any) -> None:
        """Adds ``value`` to the accumulator."""
        raw = self._ref.get()
        acc = self._function.create_accumulator() if raw is None else _weir.loads_record(raw)
        self._ref.set(_dumps(self._function.add(value, acc)))


BroadcastState = unsupported_class("BroadcastState", "broadcast state", __name__)
ReadOnlyBroadcastState = unsupported_class("ReadOnlyBroadcastState", "broadcast state", __name__)
OperatorStateStore = unsupported_class("OperatorStateStore", "operator state", __name__)
