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
