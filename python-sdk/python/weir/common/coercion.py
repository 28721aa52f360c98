"""Values made to fit their declared ``TypeInformation``, as PyFlink's serializers make them:
a tuple declared ``Types.ROW_NAMED`` becomes a :class:`Row` with those field names, a
``Types.FLOAT()`` value is rounded to 32 bits (PyFlink keeps it in a Java ``float``), a list
declared ``Types.TUPLE`` becomes a tuple. Values whose type needs no change are passed through
untouched, and a type that needs none anywhere gives no converter at all (no per-record cost)."""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

from weir.common.types import Row

Converter = Callable[[Any], Any]

_F32 = struct.Struct("f")


def _float32(v: Any) -> Any:
    if isinstance(v, float):
        return _F32.unpack(_F32.pack(v))[0]
    return v


def converter(info: Any) -> Converter | None:
    """The function that makes a value fit ``info``, or ``None`` when every value already fits."""
    name = getattr(info, "name", None)
    if name == "FLOAT":
        return _float32
    if name == "ROW_NAMED":
        names = [n for n, _ in info.fields]
        convs = [converter(t) for _, t in info.fields]
        return lambda v: _row(v, names, convs)
    if name == "ROW":
        convs = [converter(t) for t in info.fields]
        return lambda v: _row(v, None, convs)
    if name == "TUPLE":
        convs = [converter(t) for t in info.fields]
        if not any(convs):
            return lambda v: v if isinstance(v, tuple) else tuple(v) if isinstance(v, list) else v
        return lambda v: tuple(_apply(convs, v)) if isinstance(v, (tuple, list)) else v
    if name in ("LIST", "BASIC_ARRAY", "PRIMITIVE_ARRAY", "OBJECT_ARRAY") and info.fields:
        element = converter(info.fields[0])
        if element is None:
            return None
        return lambda v: [element(e) for e in v] if isinstance(v, list) else v
    if name == "MAP" and len(info.fields) == 2:
        key, value = converter(info.fields[0]), converter(info.fields[1])
        if key is None and value is None:
            return None
        k = key or (lambda x: x)
        w = value or (lambda x: x)
        return lambda v: {k(a): w(b) for a, b in v.items()} if isinstance(v, dict) else v
    return None


def _apply(convs: list[Converter | None], values: Any) -> list[Any]:
    return [c(x) if c is not None and x is not None else x for c, x in zip(convs, values)]


def _row(v: Any, names: list[str] | None, convs: list[Converter | None]) -> Any:
    if isinstance(v, Row):
        values = list(v)
        fields = names if names is not None else v._fields
        return Row._make(_apply(convs, values), fields, v.get_row_kind())
    if isinstance(v, (tuple, list)) and len(v) == len(convs):
        return Row._make(_apply(convs, v), names)
    if isinstance(v, dict) and names is not None:
        return Row._make(_apply(convs, [v.get(n) for n in names]), names)
    return v
