"""DataStream windows, as in ``pyflink.datastream.window``: declared so programs import, but
windows need event time; creating one raises :class:`weir.UnsupportedError`."""

from __future__ import annotations

from typing import Any

from weir.errors import unsupported


class _Window:
    @classmethod
    def of(cls, *args: Any, **kwargs: Any) -> Any:
        """Not supported yet."""
        raise unsupported(f"{cls.__name__} (windows need event time)")

    @classmethod
    def with_gap(cls, *args: Any, **kwargs: Any) -> Any:
        """Not supported yet."""
        raise unsupported(f"{cls.__name__} (windows need event time)")


class TumblingEventTimeWindows(_Window):
    """Not supported yet."""


class SlidingEventTimeWindows(_Window):
    """Not supported yet."""


class EventTimeSessionWindows(_Window):
    """Not supported yet."""


class TumblingProcessingTimeWindows(_Window):
    """Not supported yet."""


class SlidingProcessingTimeWindows(_Window):
    """Not supported yet."""


class CountTumblingWindowAssigner(_Window):
    """Not supported yet."""
