"""PyFlink's expression methods for scalar functions (``col('s').md5``, ``.left(2)``,
``.regexp_replace(..)``, ``.array_contains(1)``, ``.map_keys``, ..) give the same answers as
the same expressions in SQL on the same rows (the engine's SQL is the oracle), NULLs included;
a few answers are checked by hand against PyFlink's documentation."""

from __future__ import annotations

import datetime
import math
from typing import Any

import pytest

from weir.common import Row
from weir.errors import UnsupportedError
from weir.table import DataTypes, TableEnvironment
from weir.table.expression import TimeIntervalUnit
from weir.table.expressions import array, col, lit

_SCHEMA = DataTypes.ROW(
    [
        DataTypes.FIELD("id", DataTypes.INT()),
        DataTypes.FIELD("s", DataTypes.STRING()),
        DataTypes.FIELD("x", DataTypes.DOUBLE()),
        DataTypes.FIELD("n", DataTypes.INT()),
        DataTypes.FIELD("a", DataTypes.ARRAY(DataTypes.INT())),
        DataTypes.FIELD("m", DataTypes.MAP(DataTypes.STRING(), DataTypes.INT())),
        DataTypes.FIELD("d", DataTypes.DATE()),
        DataTypes.FIELD("u", DataTypes.STRING()),
        DataTypes.FIELD("ts", DataTypes.TIMESTAMP(3)),
    ]
)
_ROWS = [
    (1, "Hello world", 0.5, 3, [3, 1, None, 3], {"k": 1, "j": 2}, datetime.date(2024, 1, 31), "http://h.org/p?q=1&r=x%20y",
     datetime.datetime(2024, 5, 6, 7, 8, 9)),
    (2, "  aXbXc  ", -1.25, 65, [2], {"z": 9}, datetime.date(2023, 12, 1), "https://a.b/c", datetime.datetime(2023, 1, 1, 23, 59, 59, 500000)),
    (3, None, None, None, None, None, None, None, None),
]

# (Table API expression, the same in SQL) over the columns above.
_CASES: list[tuple[Any, str]] = [
    # math
    (col("x").sin, "SIN(x)"),
    (col("x").cos, "COS(x)"),
    (col("x").tan, "TAN(x)"),
    (col("x").cot, "COT(x)"),
    (col("x").asin, "ASIN(x)"),
    (col("x").acos, "ACOS(x)"),
    (col("x").atan, "ATAN(x)"),
    (col("x").sinh, "SINH(x)"),
    (col("x").cosh, "COSH(x)"),
    (col("x").tanh, "TANH(x)"),
    (col("x").degrees, "DEGREES(x)"),
    (col("x").radians, "RADIANS(x)"),
    (col("x").truncate(1), "TRUNCATE(x, 1)"),
    (col("x").truncate(), "TRUNCATE(x)"),
    (col("n").bin, "BIN(n)"),
    (col("n").hex, "HEX(n)"),
    (col("s").hex, "HEX(s)"),
    (col("s").hex.unhex, "UNHEX(HEX(s))"),
    # strings
    (col("s").ascii, "ASCII(s)"),
    (col("n").chr, "CHR(n)"),
    (col("s").left(3), "`LEFT`(s, 3)"),
    (col("s").right(col("id")), "`RIGHT`(s, id)"),
    (col("s").instr("o"), "INSTR(s, 'o')"),
    (col("s").starts_with("He"), "STARTSWITH(s, 'He')"),
    (col("s").ends_with("  "), "ENDSWITH(s, '  ')"),
    (col("s").overlay("__", 2), "OVERLAY(s PLACING '__' FROM 2)"),
    (col("s").overlay("__", 2, 4), "OVERLAY(s PLACING '__' FROM 2 FOR 4)"),
    (col("s").translate("lX", "L"), "TRANSLATE(s, 'lX', 'L')"),
    (col("s").trim_leading(), "TRIM(LEADING FROM s)"),
    (col("s").trim_trailing(), "TRIM(TRAILING FROM s)"),
    (col("s").trim_leading(" a"), "TRIM(LEADING ' a' FROM s)"),
    (col("s").trim_trailing(" c"), "TRIM(TRAILING ' c' FROM s)"),
    (col("id").elt("a", "b", col("s")), "ELT(id, 'a', 'b', s)"),
    (col("s").split("X"), "SPLIT(s, 'X')"),
    (lit("a=1;b=2").str_to_map(";"), "STR_TO_MAP('a=1;b=2', ';')"),
    (lit("a:1,b:2").str_to_map(key_value_delimiter=":"), "STR_TO_MAP('a:1,b:2', ',', ':')"),
    (col("s").str_to_map(), "STR_TO_MAP(s)"),
    (col("s").similar("%X%"), "s SIMILAR TO '%X%'"),
    # hashes and encodings
    (col("s").md5, "MD5(s)"),
    (col("s").sha1, "SHA1(s)"),
    (col("s").sha224, "SHA224(s)"),
    (col("s").sha256, "SHA256(s)"),
    (col("s").sha384, "SHA384(s)"),
    (col("s").sha512, "SHA512(s)"),
    (col("s").sha2(256), "SHA2(s, 256)"),
    (col("s").to_base64, "TO_BASE64(s)"),
    (col("s").to_base64.from_base64, "FROM_BASE64(TO_BASE64(s))"),
    (col("u").url_decode(), "URL_DECODE(u)"),
    (col("s").url_encode(), "URL_ENCODE(s)"),
    (col("u").parse_url("HOST"), "PARSE_URL(u, 'HOST')"),
    (col("u").parse_url("QUERY", "r"), "PARSE_URL(u, 'QUERY', 'r')"),
    # regular expressions
    (col("s").regexp("o.w"), "REGEXP(s, 'o.w')"),
    (col("s").regexp_count("[lX]"), "REGEXP_COUNT(s, '[lX]')"),
    (col("s").regexp_extract("(\\w)(o)"), "REGEXP_EXTRACT(s, '(\\w)(o)')"),
    (col("s").regexp_extract("(\\w)(o)", 2), "REGEXP_EXTRACT(s, '(\\w)(o)', 2)"),
    (col("s").regexp_extract_all("(\\w)o"), "REGEXP_EXTRACT_ALL(s, '(\\w)o')"),
    (col("s").regexp_extract_all("(\\w)(o)", 0), "REGEXP_EXTRACT_ALL(s, '(\\w)(o)', 0)"),
    (col("s").regexp_instr("X"), "REGEXP_INSTR(s, 'X')"),
    (col("s").regexp_replace("[lX]+", "-"), "REGEXP_REPLACE(s, '[lX]+', '-')"),
    (col("s").regexp_substr("o\\s?w"), "REGEXP_SUBSTR(s, 'o\\s?w')"),
    # date-time
    (col("d").extract(TimeIntervalUnit.YEAR), "EXTRACT(YEAR FROM d)"),
    (col("d").extract(TimeIntervalUnit.MONTH), "EXTRACT(MONTH FROM d)"),
    (col("ts").extract(TimeIntervalUnit.HOUR), "EXTRACT(HOUR FROM ts)"),
    (col("ts").ceil(TimeIntervalUnit.HOUR), "CEIL(ts TO HOUR)"),
    (col("ts").floor(TimeIntervalUnit.DAY), "FLOOR(ts TO DAY)"),
    (col("d") + lit(1).months, "d + INTERVAL '1' MONTH"),
    (col("d") - lit(2).quarters, "d - INTERVAL '6' MONTH"),
    (col("d") + lit(1).year, "d + INTERVAL '1' YEAR"),
    (lit("10:11:12").to_time, "CAST('10:11:12' AS TIME)"),
    # arrays and maps
    (col("a").array_append(col("id")), "ARRAY_APPEND(a, id)"),
    (col("a").array_prepend(0), "ARRAY_PREPEND(a, 0)"),
    (col("a").array_concat(col("a"), array(7)), "ARRAY_CONCAT(a, a, ARRAY[7])"),
    (col("a").array_contains(3), "ARRAY_CONTAINS(a, 3)"),
    (col("a").array_distinct(), "ARRAY_DISTINCT(a)"),
    (col("a").array_except(array(3)), "ARRAY_EXCEPT(a, ARRAY[3])"),
    (col("a").array_intersect(array(1, 2)), "ARRAY_INTERSECT(a, ARRAY[1, 2])"),
    (col("a").array_union(array(5)), "ARRAY_UNION(a, ARRAY[5])"),
    (col("s").split(" ").array_join("+"), "ARRAY_JOIN(SPLIT(s, ' '), '+')"),
    (col("a").cast(DataTypes.ARRAY(DataTypes.STRING())).array_join(",", "?"), "ARRAY_JOIN(CAST(a AS ARRAY<STRING>), ',', '?')"),
    (col("a").array_max(), "ARRAY_MAX(a)"),
    (col("a").array_min(), "ARRAY_MIN(a)"),
    (col("a").array_position(3), "ARRAY_POSITION(a, 3)"),
    (col("a").array_remove(3), "ARRAY_REMOVE(a, 3)"),
    (col("a").array_reverse(), "ARRAY_REVERSE(a)"),
    (col("a").array_slice(2), "ARRAY_SLICE(a, 2)"),
    (col("a").array_slice(1, -2), "ARRAY_SLICE(a, 1, -2)"),
    (col("a").array_sort(), "ARRAY_SORT(a)"),
    (col("a").array_sort(False), "ARRAY_SORT(a, FALSE)"),
    (col("a").array_sort(False, True), "ARRAY_SORT(a, FALSE, TRUE)"),
    (col("a").array_sort(null_first=False), "ARRAY_SORT(a, TRUE, FALSE)"),
    (col("m").map_keys, "MAP_KEYS(m)"),
    (col("m").map_values, "MAP_VALUES(m)"),
    (col("m").map_union(col("m")), "MAP_UNION(m, m)"),
]


def _comparable(v: Any) -> Any:
    """NaN as a marker (NaN != NaN), the rest as it is."""
    return "NaN" if isinstance(v, float) and math.isnan(v) else v


def _both(env: TableEnvironment, expr: Any, sql: str) -> tuple[list[Any], list[Any]]:
    t = env.from_elements(_ROWS, _SCHEMA)
    env.create_temporary_view("t", t)
    api = [(r[0], _comparable(r[1])) for r in t.select(col("id"), expr.alias("v")).execute().collect()]
    via_sql = [(r[0], _comparable(r[1])) for r in env.sql_query(f"SELECT id, {sql} AS v FROM t").execute().collect()]
    return sorted(api), sorted(via_sql)


@pytest.mark.parametrize(("expr", "sql"), _CASES, ids=[c[1] for c in _CASES])
def test_method_equals_sql(batch_env: TableEnvironment, expr: Any, sql: str) -> None:
    api, via_sql = _both(batch_env, expr, sql)
    assert api == via_sql
    assert len(api) == len(_ROWS)
    assert any(v is not None for _, v in api), "every answer NULL: the case checks nothing"


def test_answers_from_pyflink_docs(batch_env: TableEnvironment) -> None:
    t = batch_env.from_elements([(1, "Hello", "abc", 0.0)], ["id", "h", "abc", "zero"])
    out = t.select(
        col("h").left(2).alias("left"),
        col("h").right(3).alias("right"),
        col("h").instr("l").alias("instr"),
        col("h").md5.alias("md5"),
        col("abc").to_base64.alias("b64"),
        lit("xxxxxtest").overlay("xxxx", 6).alias("ov"),
        lit("xxxxxtest").overlay("xxxx", 6, 2).alias("ov2"),
        lit("foothebar").regexp_extract("foo(.*?)(bar)", 2).alias("rx"),
        lit("foobar").regexp_replace("oo|ar", "").alias("rr"),
        array(1, 2).array_contains(1).alias("ac"),
        col("zero").cos.alias("cos"),
        lit("abcdef").translate("abc", "12").alias("tr"),
        lit(2).elt("scala-1", "java-2", "go-3").alias("elt"),
    )
    assert list(out.execute().collect()) == [
        Row(left="He", right="llo", instr=3, md5="8b1a9953c4611296a827abf8c47804d7", b64="YWJj", ov="xxxxxxxxx",
            ov2="xxxxxxxxxst", rx="bar", rr="fb", ac=True, cos=1.0, tr="12def", elt="java-2"),
    ]


def test_year_month_intervals_and_time(batch_env: TableEnvironment) -> None:
    schema = DataTypes.ROW([DataTypes.FIELD("d", DataTypes.DATE()), DataTypes.FIELD("t", DataTypes.TIME())])
    t = batch_env.from_elements([(datetime.date(2024, 1, 31), datetime.time(23, 30)), (None, None)], schema)
    out = t.select(
        (col("d") + lit(1).months).alias("m"),
        (col("d") + lit(1).quarter).alias("q"),
        (col("d") - lit(2).years).alias("y"),
        (col("t") + lit(1).hours).alias("t1"),
    )
    assert list(out.execute().collect()) == [
        Row(m=datetime.date(2024, 2, 29), q=datetime.date(2024, 4, 30), y=datetime.date(2022, 1, 31), t1=datetime.time(0, 30)),
        Row(m=None, q=None, y=None, t1=None),
    ]
    with pytest.raises(ValueError, match="TIME precision"):
        DataTypes.TIME(6)
    with pytest.raises(TypeError, match="lit\\(n\\).years"):
        col("d").years  # noqa: B018


def test_functions_the_engine_lacks_say_why() -> None:
    with pytest.raises(UnsupportedError, match="map_entries.*ROW"):
        col("m").map_entries  # noqa: B018
    with pytest.raises(UnsupportedError, match="bitmap"):
        col("b").bitmap_cardinality()
