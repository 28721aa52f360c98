"""Expression methods for Flink's scalar functions as PyFlink spells them: math
(``col('x').sin``), strings (``.left(2)``, ``.instr('l')``, ``.overlay(..)``), hashes and
encodings (``.md5``, ``.to_base64``), regular expressions (``.regexp_replace(..)``), URLs and
collections (``.array_contains(1)``, ``.map_keys``). PyFlink's property-or-method form and
argument order are kept; each lowers to the engine's SQL function of the same meaning (see
docs/functions.md), so the Table API and SQL give the same answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from weir.table.expressions import Expression


def _call(name: str, *args: Any) -> "Expression":
    """``name(args..)``; trailing ``None`` arguments (PyFlink's omitted optionals) are dropped."""
    from weir.table.expressions import CallExpr, _e

    kept = list(args)
    while kept and kept[-1] is None:
        kept.pop()
    return CallExpr(name, [_e(a) for a in kept])


class FunctionMethods:
    """Mixed into :class:`~weir.table.expressions.Expression`."""

    # math
    @property
    def sin(self: "Expression") -> "Expression":
        """``SIN(expr)`` (radians)."""
        return _call("SIN", self)

    @property
    def cos(self: "Expression") -> "Expression":
        """``COS(expr)`` (radians)."""
        return _call("COS", self)

    @property
    def tan(self: "Expression") -> "Expression":
        """``TAN(expr)`` (radians)."""
        return _call("TAN", self)

    @property
    def cot(self: "Expression") -> "Expression":
        """``COT(expr)``: the cotangent (radians)."""
        return _call("COT", self)

    @property
    def asin(self: "Expression") -> "Expression":
        """``ASIN(expr)``: the arc sine, in radians."""
        return _call("ASIN", self)

    @property
    def acos(self: "Expression") -> "Expression":
        """``ACOS(expr)``: the arc cosine, in radians."""
        return _call("ACOS", self)

    @property
    def atan(self: "Expression") -> "Expression":
        """``ATAN(expr)``: the arc tangent, in radians."""
        return _call("ATAN", self)

    @property
    def sinh(self: "Expression") -> "Expression":
        """``SINH(expr)``: the hyperbolic sine."""
        return _call("SINH", self)

    @property
    def cosh(self: "Expression") -> "Expression":
        """``COSH(expr)``: the hyperbolic cosine."""
        return _call("COSH", self)

    @property
    def tanh(self: "Expression") -> "Expression":
        """``TANH(expr)``: the hyperbolic tangent."""
        return _call("TANH", self)

    @property
    def degrees(self: "Expression") -> "Expression":
        """``DEGREES(expr)``: radians to degrees."""
        return _call("DEGREES", self)

    @property
    def radians(self: "Expression") -> "Expression":
        """``RADIANS(expr)``: degrees to radians."""
        return _call("RADIANS", self)

    def truncate(self: "Expression", n: Any = 0) -> "Expression":
        """``TRUNCATE(expr, n)``: the number cut (toward zero) to ``n`` decimal places."""
        return _call("TRUNCATE", self, n)

    @property
    def bin(self: "Expression") -> "Expression":
        """``BIN(expr)``: an integer's binary digits as a STRING."""
        return _call("BIN", self)

    @property
    def hex(self: "Expression") -> "Expression":
        """``HEX(expr)``: an integer or a string (its UTF-8 bytes) in upper-case hex."""
        return _call("HEX", self)

    @property
    def unhex(self: "Expression") -> "Expression":
        """``UNHEX(expr)``: the BYTES a hex string spells (NULL when it is not hex)."""
        return _call("UNHEX", self)

    # strings
    @property
    def ascii(self: "Expression") -> "Expression":
        """``ASCII(expr)``: the string's first byte as a signed INT (0 when empty)."""
        return _call("ASCII", self)

    @property
    def chr(self: "Expression") -> "Expression":
        """``CHR(expr)``: the character of the code ``expr`` modulo 256."""
        return _call("CHR", self)

    def left(self: "Expression", length: Any) -> "Expression":
        """``LEFT(expr, length)``: the first ``length`` characters."""
        return _call("LEFT", self, length)

    def right(self: "Expression", length: Any) -> "Expression":
        """``RIGHT(expr, length)``: the last ``length`` characters."""
        return _call("RIGHT", self, length)

    def instr(self: "Expression", s: Any) -> "Expression":
        """``INSTR(expr, s)``: the 1-based position of ``s`` in ``expr`` (0 when absent)."""
        return _call("INSTR", self, s)

    def starts_with(self: "Expression", start_expr: Any) -> "Expression":
        """``STARTSWITH(expr, start)``: whether ``expr`` begins with ``start``."""
        return _call("STARTSWITH", self, start_expr)

    def ends_with(self: "Expression", end_expr: Any) -> "Expression":
        """``ENDSWITH(expr, end)``: whether ``expr`` ends with ``end``."""
        return _call("ENDSWITH", self, end_expr)

    def overlay(self: "Expression", new_string: Any, starting: Any, length: Any = None) -> "Expression":
        """``OVERLAY(expr PLACING new_string FROM starting [FOR length])``: ``expr`` with
        ``length`` characters (default: ``new_string``'s length) from ``starting`` replaced."""
        return _call("OVERLAY", self, new_string, starting, length)

    def translate(self: "Expression", from_str: Any, to_str: Any) -> "Expression":
        """``TRANSLATE(expr, from, to)``: each character of ``from`` replaced by the one at the
        same place in ``to`` (removed when ``to`` is shorter)."""
        return _call("TRANSLATE", self, from_str, to_str)

    def trim_leading(self: "Expression", character: Any = None) -> "Expression":
        """``TRIM(LEADING [character] FROM expr)``: the leading spaces (or ``character``s) removed."""
        return _call("LTRIM", self, character)

    def trim_trailing(self: "Expression", character: Any = None) -> "Expression":
        """``TRIM(TRAILING [character] FROM expr)``: the trailing spaces (or ``character``s) removed."""
        return _call("RTRIM", self, character)

    def elt(self: "Expression", expr: Any, *exprs: Any) -> "Expression":
        """``ELT(expr_self, expr, exprs..)``: this 1-based index picks one of the arguments
        (NULL when out of range)."""
        return _call("ELT", self, expr, *exprs)

    def split(self: "Expression", delimiter: Any) -> "Expression":
        """``SPLIT(expr, delimiter)``: the parts of the string as an ARRAY<STRING>."""
        return _call("SPLIT", self, delimiter)

    def str_to_map(self: "Expression", list_delimiter: Any = None, key_value_delimiter: Any = None) -> "Expression":
        """``STR_TO_MAP(expr[, list_delimiter[, key_value_delimiter]])``: ``'a=1,b=2'`` as a
        MAP<STRING, STRING> (delimiters ``,`` and ``=`` by default, taken literally)."""
        if list_delimiter is None and key_value_delimiter is not None:
            list_delimiter = ","
        return _call("STR_TO_MAP", self, list_delimiter, key_value_delimiter)

    def similar(self: "Expression", pattern: Any) -> "Expression":
        """``expr SIMILAR TO pattern``: whether the whole string matches the SQL regex."""
        return _call("SIMILAR TO", self, pattern)

    # hashes and encodings
    @property
    def md5(self: "Expression") -> "Expression":
        """``MD5(expr)``: the MD5 digest as 32 hex digits."""
        return _call("MD5", self)

    @property
    def sha1(self: "Expression") -> "Expression":
        """``SHA1(expr)``: the SHA-1 digest in hex."""
        return _call("SHA1", self)

    @property
    def sha224(self: "Expression") -> "Expression":
        """``SHA224(expr)``: the SHA-224 digest in hex."""
        return _call("SHA224", self)

    @property
    def sha256(self: "Expression") -> "Expression":
        """``SHA256(expr)``: the SHA-256 digest in hex."""
        return _call("SHA256", self)

    @property
    def sha384(self: "Expression") -> "Expression":
        """``SHA384(expr)``: the SHA-384 digest in hex."""
        return _call("SHA384", self)

    @property
    def sha512(self: "Expression") -> "Expression":
        """``SHA512(expr)``: the SHA-512 digest in hex."""
        return _call("SHA512", self)

    def sha2(self: "Expression", hash_length: Any) -> "Expression":
        """``SHA2(expr, hash_length)``: the SHA-2 digest of 224, 256, 384 or 512 bits in hex."""
        return _call("SHA2", self, hash_length)

    @property
    def to_base64(self: "Expression") -> "Expression":
        """``TO_BASE64(expr)``: the string's UTF-8 bytes in base64."""
        return _call("TO_BASE64", self)

    @property
    def from_base64(self: "Expression") -> "Expression":
        """``FROM_BASE64(expr)``: base64 text decoded to a string."""
        return _call("FROM_BASE64", self)

    def url_encode(self: "Expression") -> "Expression":
        """``URL_ENCODE(expr)``: ``application/x-www-form-urlencoded`` encoding (UTF-8)."""
        return _call("URL_ENCODE", self)

    def url_decode(self: "Expression") -> "Expression":
        """``URL_DECODE(expr)``: ``application/x-www-form-urlencoded`` text decoded (UTF-8)."""
        return _call("URL_DECODE", self)

    def parse_url(self: "Expression", part_to_extract: Any, key: Any = None) -> "Expression":
        """``PARSE_URL(expr, part[, key])``: a part of a URL (``HOST``, ``PATH``, ``QUERY``, ..),
        or the value of query parameter ``key``."""
        return _call("PARSE_URL", self, part_to_extract, key)

    # regular expressions (Java syntax)
    def regexp(self: "Expression", regex: Any) -> "Expression":
        """``REGEXP(expr, regex)``: whether some substring matches ``regex``."""
        return _call("REGEXP", self, regex)

    def regexp_count(self: "Expression", regex: Any) -> "Expression":
        """``REGEXP_COUNT(expr, regex)``: how many times ``regex`` matches."""
        return _call("REGEXP_COUNT", self, regex)

    def regexp_extract(self: "Expression", regex: Any, extract_index: Any = None) -> "Expression":
        """``REGEXP_EXTRACT(expr, regex[, index])``: group ``index`` (default 1) of the first match."""
        return _call("REGEXP_EXTRACT", self, regex, extract_index)

    def regexp_extract_all(self: "Expression", regex: Any, extract_index: Any = None) -> "Expression":
        """``REGEXP_EXTRACT_ALL(expr, regex[, index])``: group ``index`` (default 1) of every
        match, as an ARRAY<STRING>."""
        return _call("REGEXP_EXTRACT_ALL", self, regex, extract_index)

    def regexp_instr(self: "Expression", regex: Any) -> "Expression":
        """``REGEXP_INSTR(expr, regex)``: the 1-based position of the first match (0 if none)."""
        return _call("REGEXP_INSTR", self, regex)

    def regexp_replace(self: "Expression", regex: Any, replacement: Any) -> "Expression":
        """``REGEXP_REPLACE(expr, regex, replacement)``: every match replaced."""
        return _call("REGEXP_REPLACE", self, regex, replacement)

    def regexp_substr(self: "Expression", regex: Any) -> "Expression":
        """``REGEXP_SUBSTR(expr, regex)``: the first matching substring (NULL if none)."""
        return _call("REGEXP_SUBSTR", self, regex)

    # date-time
    def extract(self: "Expression", time_interval_unit: Any) -> "Expression":
        """``EXTRACT(unit FROM expr)``: a field (``TimeIntervalUnit.YEAR``, ``.HOUR``, ..) of a
        date-time, as a BIGINT."""
        unit = getattr(time_interval_unit, "name", time_interval_unit)
        if not isinstance(unit, str):
            raise TypeError(f"extract expects a TimeIntervalUnit, got {time_interval_unit!r}")
        return _call("EXTRACT", unit.upper(), self)

    @property
    def to_time(self: "Expression") -> "Expression":
        """``CAST(expr AS TIME)``: a ``HH:mm:ss`` string as a TIME (PyFlink's ``to_time``)."""
        from weir.table.expressions import CastExpr
        from weir.table.types import DataType

        return CastExpr(self, DataType("TIME(0)"))

    def _months(self: "Expression", months: int) -> "Expression":
        from weir.table.expressions import LiteralExpr
        from weir.table.types import DataType

        if not isinstance(self, LiteralExpr) or not isinstance(self.value, int) or isinstance(self.value, bool):
            raise TypeError("intervals are written lit(n).years / .quarters / .months")
        return LiteralExpr(self.value * months, DataType("INTERVAL YEAR TO MONTH"))

    @property
    def months(self: "Expression") -> "Expression":
        """``lit(n).months``: an INTERVAL YEAR TO MONTH of n months."""
        return self._months(1)

    @property
    def quarters(self: "Expression") -> "Expression":
        """``lit(n).quarters``: an INTERVAL YEAR TO MONTH of 3n months."""
        return self._months(3)

    @property
    def years(self: "Expression") -> "Expression":
        """``lit(n).years``: an INTERVAL YEAR TO MONTH of 12n months."""
        return self._months(12)

    month = months
    quarter = quarters
    year = years

    # arrays and maps
    def array_append(self: "Expression", addition: Any) -> "Expression":
        """``ARRAY_APPEND(expr, addition)``: the array with ``addition`` at the end."""
        return _call("ARRAY_APPEND", self, addition)

    def array_prepend(self: "Expression", addition: Any) -> "Expression":
        """``ARRAY_PREPEND(expr, addition)``: the array with ``addition`` at the front."""
        return _call("ARRAY_PREPEND", self, addition)

    def array_concat(self: "Expression", *arrays: Any) -> "Expression":
        """``ARRAY_CONCAT(expr, arrays..)``: the arrays one after another."""
        return _call("ARRAY_CONCAT", self, *arrays)

    def array_contains(self: "Expression", needle: Any) -> "Expression":
        """``ARRAY_CONTAINS(expr, needle)``: whether the array holds ``needle`` (NULLs too)."""
        return _call("ARRAY_CONTAINS", self, needle)

    def array_distinct(self: "Expression") -> "Expression":
        """``ARRAY_DISTINCT(expr)``: the array without repeated elements, first ones kept."""
        return _call("ARRAY_DISTINCT", self)

    def array_except(self: "Expression", array: Any) -> "Expression":
        """``ARRAY_EXCEPT(expr, array)``: the distinct elements not in ``array``."""
        return _call("ARRAY_EXCEPT", self, array)

    def array_intersect(self: "Expression", array: Any) -> "Expression":
        """``ARRAY_INTERSECT(expr, array)``: the distinct elements also in ``array``."""
        return _call("ARRAY_INTERSECT", self, array)

    def array_union(self: "Expression", array: Any) -> "Expression":
        """``ARRAY_UNION(expr, array)``: the distinct elements of both arrays."""
        return _call("ARRAY_UNION", self, array)

    def array_join(self: "Expression", delimiter: Any, null_replacement: Any = None) -> "Expression":
        """``ARRAY_JOIN(expr, delimiter[, null_replacement])``: the elements joined into a
        STRING (NULL elements left out unless replaced)."""
        return _call("ARRAY_JOIN", self, delimiter, null_replacement)

    def array_max(self: "Expression") -> "Expression":
        """``ARRAY_MAX(expr)``: the largest non-NULL element."""
        return _call("ARRAY_MAX", self)

    def array_min(self: "Expression") -> "Expression":
        """``ARRAY_MIN(expr)``: the smallest non-NULL element."""
        return _call("ARRAY_MIN", self)

    def array_position(self: "Expression", needle: Any) -> "Expression":
        """``ARRAY_POSITION(expr, needle)``: the 1-based place of ``needle`` (0 when absent)."""
        return _call("ARRAY_POSITION", self, needle)

    def array_remove(self: "Expression", needle: Any) -> "Expression":
        """``ARRAY_REMOVE(expr, needle)``: the array without the elements equal to ``needle``."""
        return _call("ARRAY_REMOVE", self, needle)

    def array_reverse(self: "Expression") -> "Expression":
        """``ARRAY_REVERSE(expr)``: the elements in reverse order."""
        return _call("ARRAY_REVERSE", self)

    def array_slice(self: "Expression", start_offset: Any, end_offset: Any = None) -> "Expression":
        """``ARRAY_SLICE(expr, start[, end])``: elements ``start..end`` (1-based, inclusive;
        negative offsets count from the end)."""
        return _call("ARRAY_SLICE", self, start_offset, end_offset)

    def array_sort(self: "Expression", ascending_order: Any = None, null_first: Any = None) -> "Expression":
        """``ARRAY_SORT(expr[, ascending[, nulls_first]])``: the elements sorted (ascending by
        default; NULLs first when ascending, last when descending, unless ``null_first`` says)."""
        if ascending_order is None and null_first is not None:
            ascending_order = True
        return _call("ARRAY_SORT", self, ascending_order, null_first)

    @property
    def map_keys(self: "Expression") -> "Expression":
        """``MAP_KEYS(expr)``: the map's keys as an ARRAY."""
        return _call("MAP_KEYS", self)

    @property
    def map_values(self: "Expression") -> "Expression":
        """``MAP_VALUES(expr)``: the map's values as an ARRAY."""
        return _call("MAP_VALUES", self)

    def map_union(self: "Expression", *maps: Any) -> "Expression":
        """``MAP_UNION(expr, maps..)``: the maps merged, later maps' values winning."""
        return _call("MAP_UNION", self, *maps)
