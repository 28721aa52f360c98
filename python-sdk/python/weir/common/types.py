"""``Row`` and ``RowKind``, as in ``pyflink.common``."""

from __future__ import annotations

from collections.abc import Iterator
from enum import Enum
from typing import Any


class RowKind(Enum):
    """The kind of change a row carries in a changelog."""

    INSERT = 0
    UPDATE_BEFORE = 1
    UPDATE_AFTER = 2
    DELETE = 3

    def short_string(self) -> str:
        """Flink's short form: ``+I``, ``-U``, ``+U``, ``-D``."""
        return _SHORT[self]

    @staticmethod
    def from_short_string(text: str) -> "RowKind":
        """The kind for ``+I``, ``-U``, ``+U`` or ``-D``."""
        for kind, short in _SHORT.items():
            if short == text:
                return kind
        raise ValueError(f"unknown row kind {text!r}")

    def __str__(self) -> str:
        return self.short_string()


_SHORT = {RowKind.INSERT: "+I", RowKind.UPDATE_BEFORE: "-U", RowKind.UPDATE_AFTER: "+U", RowKind.DELETE: "-D"}


class Row:
    """A row of values, positional (``Row(1, 'a')``) or named (``Row(id=1, name='a')``), with a
    :class:`RowKind`. Equal rows have equal values and kinds."""

    __slots__ = ("_values", "_fields", "_row_kind")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args and kwargs:
            raise ValueError("Row takes positional or keyword values, not both")
        if kwargs:
            self._fields: list[str] | None = list(kwargs)
            self._values: list[Any] = list(kwargs.values())
        else:
            self._fields = None
            self._values = list(args)
        self._row_kind = RowKind.INSERT

    @classmethod
    def _make(cls, values: list[Any], fields: list[str] | None, kind: RowKind = RowKind.INSERT) -> "Row":
        row = cls.__new__(cls)
        row._values = values
        row._fields = fields
        row._row_kind = kind
        return row

    def __call__(self, *values: Any) -> "Row":
        """``Row('a', 'b')(1, 2)``: a row type of field names applied to values."""
        return Row._make(list(values), [str(v) for v in self._values])

    @staticmethod
    def of_kind(row_kind: RowKind, *args: Any) -> "Row":
        """A positional row of kind ``row_kind``."""
        return Row._make(list(args), None, row_kind)

    def set_field_names(self, field_names: list[str]) -> None:
        """Names the fields."""
        self._fields = list(field_names)

    def get_row_kind(self) -> RowKind:
        """The kind of change this row carries."""
        return self._row_kind

    def set_row_kind(self, kind: RowKind) -> None:
        """Sets the kind of change this row carries."""
        self._row_kind = kind

    def get_fields_by_names(self, names: list[str]) -> list[Any]:
        """The values of the named fields."""
        return [self[n] for n in names]

    def as_dict(self, recursive: bool = False) -> dict[str, Any]:
        """The row as ``{field: value}``; needs field names."""
        if self._fields is None:
            raise TypeError("cannot convert a Row without field names to a dict")
        out = dict(zip(self._fields, self._values))
        if recursive:
            out = {k: v.as_dict(True) if isinstance(v, Row) else v for k, v in out.items()}
        return out

    def __getitem__(self, item: int | slice | str) -> Any:
        if isinstance(item, str):
            if self._fields is None or item not in self._fields:
                raise KeyError(item)
            return self._values[self._fields.index(item)]
        return self._values[item]

    def __setitem__(self, item: int | str, value: Any) -> None:
        if isinstance(item, str):
            if self._fields is None or item not in self._fields:
                raise KeyError(item)
            item = self._fields.index(item)
        self._values[item] = value

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        fields = object.__getattribute__(self, "_fields")
        if fields is not None and name in fields:
            return object.__getattribute__(self, "_values")[fields.index(name)]
        raise AttributeError(name)

    def __len__(self) -> int:
        return len(self._values)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Row):
            return NotImplemented
        return self._row_kind == other._row_kind and self._values == other._values

    def __hash__(self) -> int:
        return hash((self._row_kind, tuple(self._values)))

    def __lt__(self, other: "Row") -> bool:
        return tuple(self._values) < tuple(other._values)

    def __repr__(self) -> str:
        if self._fields is not None:
            return "Row(" + ", ".join(f"{k}={v!r}" for k, v in zip(self._fields, self._values)) + ")"
        return "<Row(" + ", ".join(repr(v) for v in self._values) + ")>"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Row._make, (self._values, self._fields, self._row_kind))
