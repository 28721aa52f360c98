"""Puts rows from Weir (JSON output) and from DuckDB into one comparable form."""

import datetime
import decimal
import math
import struct

_F32 = struct.Struct("f")


def normalize_value(v):
    """A value in a canonical form: floats rounded to 9 significant digits, decimals as
    normalized strings, dates and timestamps as ISO text (`T` separator, no trailing .000)."""
    if v is None:
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            return str(v)
        return float(f"{v:.9g}")
    if isinstance(v, decimal.Decimal):
        return normalize_decimal_text(str(v))
    if isinstance(v, datetime.datetime):
        text = v.isoformat(timespec="milliseconds")
        return text[:-4] if text.endswith(".000") else text
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, str):
        return v
    return str(v)


def normalize_decimal_text(text: str) -> str:
    d = decimal.Decimal(text)
    return format(d.normalize(), "f") if d != 0 else "0"


def float32(v):
    """`v` rounded to the nearest 32-bit float: Weir writes a FLOAT with its shortest digits
    (`86.399994`), DuckDB gives a REAL as the double it widens to (`86.39999389648438`)."""
    return _F32.unpack(_F32.pack(v))[0] if isinstance(v, float) and math.isfinite(v) else v


def normalize_row(row, types=None):
    """Normalizes each value; `types` (optional) names columns whose strings are decimals and
    columns that are 32-bit floats (DuckDB's `float`, a REAL)."""
    out = []
    for i, v in enumerate(row):
        if types and types[i] == "decimal" and isinstance(v, str):
            out.append(normalize_decimal_text(v))
        elif types and types[i] == "float":
            out.append(normalize_value(float32(v)))
        else:
            out.append(normalize_value(v))
    return tuple(out)


def sort_key(row):
    return tuple((v is None, str(type(v)), v if not isinstance(v, (list, dict)) else str(v)) for v in row)
