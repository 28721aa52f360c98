"""DataStream connectors, as in ``pyflink.datastream.connectors``: ``FileSource`` and
``FileSink`` (in ``file_system``) and ``NumberSequenceSource``; and Flink's (Java)
``DataGeneratorSource`` with its ``RateLimiterStrategy``, which PyFlink does not wrap."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any


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


class RateLimiterStrategy:
    """How fast a :class:`DataGeneratorSource` emits (Flink's ``RateLimiterStrategy``)."""

    def __init__(self, records_per_second: float | None) -> None:
        if records_per_second is not None and not records_per_second > 0:
            raise ValueError(f"a rate must be a positive number of records per second, got {records_per_second!r}")
        self.records_per_second = records_per_second

    @staticmethod
    def per_second(records_per_second: float) -> "RateLimiterStrategy":
        """At most ``records_per_second`` records a second."""
        return RateLimiterStrategy(float(records_per_second))

    @staticmethod
    def no_op() -> "RateLimiterStrategy":
        """As fast as the job reads."""
        return RateLimiterStrategy(None)


class GeneratorFunction:
    """Makes the ``index``-th record of a :class:`DataGeneratorSource` (Flink's
    ``GeneratorFunction``); a plain callable serves too."""

    def map(self, index: int) -> Any:
        """The record for ``index``."""
        raise NotImplementedError


class _Generated:
    """The records of a generator function, by index (made when read)."""

    def __init__(self, make: Callable[[int], Any], convert: Callable[[Any], Any] | None) -> None:
        self._make = make
        self._convert = convert

    def __getitem__(self, index: int) -> Any:
        value = self._make(index)
        return value if self._convert is None else self._convert(value)


class DataGeneratorSource(Source):
    """``count`` records, the ``i``-th made by ``generator_function`` from ``i`` (0-based), at
    most as fast as ``rate_limiter_strategy`` allows (Flink's ``DataGeneratorSource``). Read by
    one worker; a checkpoint records how far, and a restored job goes on from there."""

    def __init__(self, generator_function: GeneratorFunction | Callable[[int], Any], count: int,
                 rate_limiter_strategy: RateLimiterStrategy | None = None, type_info: Any = None) -> None:
        make = getattr(generator_function, "map", generator_function)
        if not callable(make):
            raise TypeError(f"expected a GeneratorFunction or a callable, got {generator_function!r}")
        if int(count) < 0:
            raise ValueError(f"count must not be negative, got {count}")
        self.make = make
        self.count = int(count)
        self.rate_limiter_strategy = rate_limiter_strategy or RateLimiterStrategy.no_op()
        self.type_info = type_info

    def generated(self, convert: Callable[[Any], Any] | None) -> _Generated:
        """The records by index, converted by ``convert``."""
        return _Generated(self.make, convert)


__all__ = ["DataGeneratorSource", "DeliveryGuarantee", "GeneratorFunction", "NumberSequenceSource", "RateLimiterStrategy", "Sink", "Source"]
