"""``ListView`` and ``MapView``, as in ``pyflink.table.data_view``: collections for aggregate
function accumulators. Weir keeps accumulators as Python objects, so these are plain
in-memory collections."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any


class DataView:
    """Base class of accumulator views."""

    def clear(self) -> None:
        """Removes every element."""
        raise NotImplementedError


class ListView(DataView):
    """A list in an accumulator."""

    def __init__(self) -> None:
        self._list: list[Any] = []

    def get(self) -> Iterable[Any]:
        """The elements."""
        return list(self._list)

    def add(self, value: Any) -> None:
        """Appends ``value``."""
        self._list.append(value)

    def add_all(self, values: Iterable[Any]) -> None:
        """Appends ``values``."""
        self._list.extend(values)

    def clear(self) -> None:
        """Removes every element."""
        self._list.clear()

    def __iter__(self) -> Iterator[Any]:
        return iter(list(self._list))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ListView) and self._list == other._list

    __hash__ = None  # type: ignore[assignment]


class MapView(DataView):
    """A map in an accumulator."""

    def __init__(self) -> None:
        self._map: dict[Any, Any] = {}

    def get(self, key: Any) -> Any:
        """The value of ``key`` (None when absent)."""
        return self._map.get(key)

    def put(self, key: Any, value: Any) -> None:
        """Sets ``key`` to ``value``."""
        self._map[key] = value

    def put_all(self, dict_value: dict[Any, Any]) -> None:
        """Sets every key of ``dict_value``."""
        self._map.update(dict_value)

    def remove(self, key: Any) -> None:
        """Removes ``key``."""
        self._map.pop(key, None)

    def contains(self, key: Any) -> bool:
        """Whether ``key`` is present."""
        return key in self._map

    def items(self) -> Iterable[tuple[Any, Any]]:
        """The entries."""
        return list(self._map.items())

    def keys(self) -> Iterable[Any]:
        """The keys."""
        return list(self._map.keys())

    def values(self) -> Iterable[Any]:
        """The values."""
        return list(self._map.values())

    def is_empty(self) -> bool:
        """Whether there are no entries."""
        return not self._map

    def clear(self) -> None:
        """Removes every entry."""
        self._map.clear()

    def __iter__(self) -> Iterator[Any]:
        return iter(list(self._map.keys()))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MapView) and self._map == other._map

    __hash__ = None  # type: ignore[assignment]
