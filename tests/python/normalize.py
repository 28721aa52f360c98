"""Puts rows from Weir (JSON output) and from DuckDB into one comparable form."""

import datetime
import decimal
import math


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


def normalize_row(row, types=None):
    """Normalizes each value; `types` (optional) names columns whose strings are decimals."""
    out = []
    for i, v in enumerate(row):
        if types and types[i] == "decimal" and isinstance(v, str):
            out.append(normalize_decimal_text(v))
        else:
            out.append(normalize_value(v))
    return tuple(out)


def sort_key(row):
    return tuple((v is None, str(type(v)), v if not isinstance(v, (list, dict)) else str(v)) for v in row)
