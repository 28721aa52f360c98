"""How ``DataStream.print()`` writes a record: as PyFlink does, by the stream's declared type.

A stream without declared type information holds pickled Python objects, which PyFlink prints
with Python's ``str``. A declared type makes PyFlink hand the record to Java, so it prints as
the Java object would: ``Types.TUPLE`` as ``(hi,1,5)`` (``Tuple.toString``), ``Types.ROW`` and
``Types.ROW_NAMED`` as ``+I[hi, 1]`` (``Row.toString``), ``Types.FLOAT()`` with the digits of a
32-bit float, doubles as ``Double.toString`` (``1.0E7``), booleans as ``true``."""

from __future__ import annotations

import datetime
import math
import struct
from typing import Any

from weir.common.types import Row

_F32 = struct.Struct("f")


def format_record(value: Any, info: Any) -> str:
    """``value`` as PyFlink's ``print()`` writes a record of type ``info`` (``None``: undeclared)."""
    if info is None or getattr(info, "name", None) in (None, "PICKLED_BYTE_ARRAY"):
        return str(value)
    return java_string(value, info)


def java_string(value: Any, info: Any) -> str:
    """``value`` as Java's ``toString`` of the object Flink holds for type ``info``."""
    if value is None:
        return "null"
    name = getattr(info, "name", None)
    if name == "TUPLE" and isinstance(value, (tuple, list)):
        return "(" + ",".join(java_string(v, t) for v, t in zip(value, info.fields)) + ")"
    if name in ("ROW", "ROW_NAMED") and isinstance(value, (Row, tuple, list)):
        types = [t for _, t in info.fields] if name == "ROW_NAMED" else list(info.fields)
        return _row_string(value, types)
    if name == "FLOAT" and isinstance(value, (int, float)):
        return _java_float(float(value))
    if name == "DOUBLE" and isinstance(value, (int, float)):
        return _java_double(float(value))
    if name in ("LIST", "BASIC_ARRAY", "PRIMITIVE_ARRAY", "OBJECT_ARRAY") and isinstance(value, (list, tuple)) and info.fields:
        return "[" + ", ".join(java_string(v, info.fields[0]) for v in value) + "]"
    if name == "MAP" and isinstance(value, dict) and len(info.fields) == 2:
        key, val = info.fields
        return "{" + ", ".join(f"{java_string(k, key)}={java_string(v, val)}" for k, v in value.items()) + "}"
    return _untyped(value)


def _row_string(value: Any, types: list[Any]) -> str:
    kind = value.get_row_kind().short_string() if isinstance(value, Row) else "+I"
    values = list(value)
    if len(types) != len(values):
        types = [None] * len(values)
    return kind + "[" + ", ".join(java_string(v, t) if t is not None else _untyped(v) for v, t in zip(values, types)) + "]"


def _untyped(value: Any) -> str:
    """A value whose declared type says nothing more: as Java prints the matching object."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _java_double(value)
    if isinstance(value, Row):
        return _row_string(value, [None] * len(value))
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    return str(value)


def _java_float(v: float) -> str:
    """``Float.toString``: the shortest digits that give back the same 32-bit float."""
    if math.isnan(v) or math.isinf(v):
        return _special(v)
    f = _F32.unpack(_F32.pack(v))[0]
    for digits in range(1, 10):
        text = f"{f:.{digits}g}"
        if _F32.unpack(_F32.pack(float(text)))[0] == f:
            return _java_decimal(float(text), text)
    return _java_decimal(f, repr(f))


def _java_double(v: float) -> str:
    """``Double.toString``: the shortest round-trip digits, in Java's notation."""
    if math.isnan(v) or math.isinf(v):
        return _special(v)
    return _java_decimal(v, repr(v))


def _special(v: float) -> str:
    if math.isnan(v):
        return "NaN"
    return "Infinity" if v > 0 else "-Infinity"


def _java_decimal(v: float, shortest: str) -> str:
    """Java's layout of the digits of ``shortest``: plain for 1e-3 <= |v| < 1e7 (always with a
    fraction), else ``d.dddE±n``."""
    if v == 0:
        return "-0.0" if math.copysign(1.0, v) < 0 else "0.0"
    mantissa, _, exponent = shortest.lower().partition("e")
    sign = "-" if mantissa.startswith("-") else ""
    mantissa = mantissa.lstrip("-")
    whole, _, frac = mantissa.partition(".")
    digits = (whole + frac).lstrip("0")
    point = len(whole) + (int(exponent) if exponent else 0)
    if whole.strip("0") == "":
        lead = len(frac) - len(frac.lstrip("0"))
        point = -lead + (int(exponent) if exponent else 0)
    digits = digits.rstrip("0") or "0"
    if 1e-3 <= abs(v) < 1e7:
        if point <= 0:
            return f"{sign}0.{'0' * -point}{digits}"
        if point >= len(digits):
            return f"{sign}{digits}{'0' * (point - len(digits))}.0"
        return f"{sign}{digits[:point]}.{digits[point:]}"
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{point - 1}"
