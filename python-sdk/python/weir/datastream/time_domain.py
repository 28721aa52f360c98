"""``TimeDomain`` and ``TimeCharacteristic``, as in ``pyflink.datastream``."""

from __future__ import annotations

from enum import Enum


class TimeDomain(Enum):
    """Whether a timer fires on event time or processing time."""

    EVENT_TIME = 0
    PROCESSING_TIME = 1


class TimeCharacteristic(Enum):
    """Flink's deprecated job-wide time setting (accepted, no effect)."""

    ProcessingTime = 0
    IngestionTime = 1
    EventTime = 2
