"""Keyed state descriptors, as in ``pyflink.datastream.state``: the name and type of a piece of
keyed state (the window operator and its triggers use them for per-window state)."""

from __future__ import annotations

from typing import Any

from weir.errors import unsupported, unsupported_class


class _StateDescriptor:
    """Names a piece of keyed state and its type (a plain description; the state itself is
    reached through a runtime context)."""

    def __init__(self, name: str, type_info: Any = None) -> None:
        self.name = name
        self.type_info = type_info

    def get_name(self) -> str:
        """The state's name."""
        return self.name


class ValueStateDescriptor(_StateDescriptor):
    """One value per key."""

    def __init__(self, name: str, value_type_info: Any = None) -> None:
        super().__init__(name, value_type_info)


class ListStateDescriptor(_StateDescriptor):
    """A list per key."""

    def __init__(self, name: str, elem_type_info: Any = None) -> None:
        super().__init__(name, elem_type_info)


class MapStateDescriptor(_StateDescriptor):
    """A map per key."""

    def __init__(self, name: str, key_type_info: Any = None, value_type_info: Any = None) -> None:
        super().__init__(name, value_type_info)
        self.key_type_info = key_type_info


class ReducingStateDescriptor(_StateDescriptor):
    """A value per key combining what is added with ``reduce_function``."""

    def __init__(self, name: str, reduce_function: Any, type_info: Any = None) -> None:
        super().__init__(name, type_info)
        self._reduce_function = reduce_function

    def get_reduce_function(self) -> Any:
        """The combining function (a ``ReduceFunction`` or a callable)."""
        return self._reduce_function


class AggregatingStateDescriptor(_StateDescriptor):
    """An accumulator per key, fed by an ``AggregateFunction``."""

    def __init__(self, name: str, agg_function: Any, state_type_info: Any = None) -> None:
        super().__init__(name, state_type_info)
        self._agg_function = agg_function

    def get_agg_function(self) -> Any:
        """The aggregate function."""
        return self._agg_function


class StateTtlConfig:
    """Not supported yet."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise unsupported("StateTtlConfig (state time-to-live)")


class AggregatingStateDescriptor(_StateDescriptor):
    """Not supported yet."""


ValueState = unsupported_class("ValueState", "keyed state", __name__)
ListState = unsupported_class("ListState", "keyed state", __name__)
MapState = unsupported_class("MapState", "keyed state", __name__)
ReducingState = unsupported_class("ReducingState", "keyed state", __name__)
AggregatingState = unsupported_class("AggregatingState", "keyed state", __name__)
BroadcastState = unsupported_class("BroadcastState", "broadcast state", __name__)
ReadOnlyBroadcastState = unsupported_class("ReadOnlyBroadcastState", "broadcast state", __name__)
OperatorStateStore = unsupported_class("OperatorStateStore", "operator state", __name__)
