"""``Configuration``: string settings with Flink's keys (``parallelism.default``, ...)."""

from __future__ import annotations


class Configuration:
    """Key/value settings, as Flink's ``Configuration``."""

    def __init__(self) -> None:
        self._data: dict[str, str] = {}

    def set_string(self, key: str, value: str) -> "Configuration":
        """Sets ``key`` to ``value``."""
        self._data[key] = str(value)
        return self

    def get_string(self, key: str, default_value: str) -> str:
        """The value of ``key``, or ``default_value``."""
        return self._data.get(key, default_value)

    def set_integer(self, key: str, value: int) -> "Configuration":
        """Sets ``key`` to an integer."""
        return self.set_string(key, str(value))

    def to_dict(self) -> dict[str, str]:
        """All settings."""
        return dict(self._data)
