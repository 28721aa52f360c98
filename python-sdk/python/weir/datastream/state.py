"""Keyed state descriptors, as in ``pyflink.datastream.state``: declared so programs import,
but keyed state needs the event-time engine work; creating one raises
:class:`weir.UnsupportedError`."""

from __future__ import annotations

from typing import Any

from weir.errors import unsupported


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
