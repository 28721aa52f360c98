"""Keyed state descriptors, as in ``pyflink.datastream.state``: declared so programs import,
but keyed state needs the event-time engine work; creating one raises
:class:`weir.UnsupportedError`."""

from __future__ import annotations

from typing import Any

from weir.errors import unsupported, unsupported_class


class _StateDescriptor:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise unsupported(f"{type(self).__name__} (keyed state)")


class ValueStateDescriptor(_StateDescriptor):
    """Not supported yet."""


class ListStateDescriptor(_StateDescriptor):
    """Not supported yet."""


class MapStateDescriptor(_StateDescriptor):
    """Not supported yet."""


class ReducingStateDescriptor(_StateDescriptor):
    """Not supported yet."""


class StateTtlConfig(_StateDescriptor):
    """Not supported yet."""


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
