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

    def get_integer(self, key: str, default_value: int) -> int:
        """The value of ``key`` as an integer, or ``default_value``."""
        return int(self._data[key]) if key in self._data else default_value

    def get_float(self, key: str, default_value: float) -> float:
        """The value of ``key`` as a float, or ``default_value``."""
        return float(self._data[key]) if key in self._data else default_value

    def set_float(self, key: str, value: float) -> "Configuration":
        """Sets ``key`` to a float."""
        return self.set_string(key, str(value))

    def get_boolean(self, key: str, default_value: bool) -> bool:
        """The value of ``key`` as a boolean (``true``/``false``), or ``default_value``."""
        return self._data[key].strip().lower() == "true" if key in self._data else default_value

    def set_boolean(self, key: str, value: bool) -> "Configuration":
        """Sets ``key`` to ``true`` or ``false``."""
        return self.set_string(key, "true" if value else "false")

    def get_bytearray(self, key: str, default_value: bytearray) -> bytearray:
        """The value of ``key`` as bytes (stored as latin-1 text), or ``default_value``."""
        return bytearray(self._data[key].encode("latin-1")) if key in self._data else default_value

    def set_bytearray(self, key: str, value: bytearray) -> "Configuration":
        """Sets ``key`` to bytes (stored as latin-1 text)."""
        return self.set_string(key, bytes(value).decode("latin-1"))

    def contains_key(self, key: str) -> bool:
        """Whether ``key`` is set."""
        return key in self._data

    def key_set(self) -> set[str]:
        """The keys that are set."""
        return set(self._data)

    def remove_config(self, key: str) -> bool:
        """Unsets ``key``; true when it was set."""
        return self._data.pop(key, None) is not None

    def add_all(self, other: "Configuration", prefix: str | None = None) -> "Configuration":
        """Copies every setting of ``other`` (keys prefixed with ``prefix``)."""
        for k, v in other._data.items():
            self._data[(prefix or "") + k] = v
        return self

    def add_all_to_dict(self, target_dict: dict[str, str]) -> None:
        """Copies every setting into ``target_dict``."""
        target_dict.update(self._data)

    @staticmethod
    def from_dict(settings: dict[str, str]) -> "Configuration":
        """A configuration of ``settings``."""
        config = Configuration()
        for k, v in settings.items():
            config.set_string(k, v)
        return config

    @staticmethod
    def parse_list_value(value: str) -> list[str]:
        """A ``;``-separated list value."""
        return [v for v in value.split(";") if v]
