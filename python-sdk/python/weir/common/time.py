"""``Duration`` and ``Time``, as in ``pyflink.common.time`` (used by windows and watermarks)."""

from __future__ import annotations


class Duration:
    """A span of time in milliseconds."""

    def __init__(self, millis: int) -> None:
        self.millis = millis

    @staticmethod
    def of_millis(millis: int) -> "Duration":
        """``millis`` milliseconds."""
        return Duration(millis)

    @staticmethod
    def of_seconds(seconds: int) -> "Duration":
        """``seconds`` seconds."""
        return Duration(seconds * 1000)

    @staticmethod
    def of_minutes(minutes: int) -> "Duration":
        """``minutes`` minutes."""
        return Duration(minutes * 60_000)

    def to_milliseconds(self) -> int:
        """The span in milliseconds."""
        return self.millis


class Time(Duration):
    """Flink's older name for a window size."""

    @staticmethod
    def milliseconds(millis: int) -> "Time":
        """``millis`` milliseconds."""
        return Time(millis)

    @staticmethod
    def seconds(seconds: int) -> "Time":
        """``seconds`` seconds."""
        return Time(seconds * 1000)

    @staticmethod
    def minutes(minutes: int) -> "Time":
        """``minutes`` minutes."""
        return Time(minutes * 60_000)


class Instant:
    """A point in time: seconds and nanoseconds since the Unix epoch."""

    def __init__(self, seconds: int, nanos: int) -> None:
        self.seconds = seconds
        self.nanos = nanos

    @staticmethod
    def of_epoch_milli(epoch_milli: int) -> "Instant":
        """The instant ``epoch_milli`` milliseconds after the epoch."""
        return Instant(epoch_milli // 1000, (epoch_milli % 1000) * 1_000_000)

    def to_epoch_milli(self) -> int:
        """Milliseconds since the epoch."""
        return self.seconds * 1000 + self.nanos // 1_000_000

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Instant) and (self.seconds, self.nanos) == (other.seconds, other.nanos)

    def __hash__(self) -> int:
        return hash((self.seconds, self.nanos))

    def __repr__(self) -> str:
        return f"Instant<{self.seconds}, {self.nanos}>"
