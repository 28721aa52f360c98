"""DataStream connectors, as in ``pyflink.datastream.connectors``: ``FileSource`` and
``FileSink`` (in ``file_system``) and ``NumberSequenceSource``."""

from __future__ import annotations

from enum import Enum


class Source:
    """Base class of sources for ``StreamExecutionEnvironment.from_source``."""


class Sink:
    """Base class of sinks for ``DataStream.sink_to``."""


class DeliveryGuarantee(Enum):
    """What a sink promises after failures (informational: Weir's DataStream jobs are bounded
    and run once)."""

    EXACTLY_ONCE = 0
    AT_LEAST_ONCE = 1
    NONE = 2


class NumberSequenceSource(Source):
    """The integers ``start`` to ``end`` inclusive."""

    def __init__(self, start: int, end: int) -> None:
        self.start = start
        self.end = end


__all__ = ["DeliveryGuarantee", "NumberSequenceSource", "Sink", "Source"]
