"""What Flink 2.3 answers for `(a, b) OVERLAPS (c, d)` and `TEMPORAL_OVERLAPS(a, b, c, d)`:
periods given as two points or as a point and an interval, reversed periods (end before
start), periods that only touch, and NULLs; and `CURRENT_ROW_TIMESTAMP()`'s type.

Not part of CI: ``~/.cache/weir/venv-flink/bin/python tests/flink_reference/time_overlaps.py``.
"""

# ruff: noqa: E501 -- each SQL statement stays on one line, as Flink reports positions in it

from pyflink.table import EnvironmentSettings, TableEnvironment

T = "TIMESTAMP '2024-01-01 {}'"
CASES = [
    # (left start, left end or interval, right start, right end or interval)
    (T.format("10:00:00"), T.format("11:00:00"), T.format("10:30:00"), T.format("12:00:00")),
    (T.format("10:00:00"), T.format("11:00:00"), T.format("11:00:00"), T.format("12:00:00")),
    (T.format("10:00:00"), T.format("11:00:00"), T.format("11:00:01"), T.format("12:00:00")),
    (T.format("11:00:00"), T.format("10:00:00"), T.format("12:00:00"), T.format("10:30:00")),
    (T.format("11:00:00"), T.format("10:00:00"), T.format("12:00:00"), T.format("11:30:00")),
    (T.format("10:00:00"), T.format("10:00:00"), T.format("10:00:00"), T.format("10:00:00")),
    (T.format("10:00:00"), T.format("10:00:00"), T.format("09:00:00"), T.format("11:00:00")),
    (T.format("10:00:00"), "INTERVAL '1' HOUR", T.format("10:59:59"), "INTERVAL '1' SECOND"),
    (T.format("10:00:00"), "INTERVAL '1' HOUR", T.format("11:00:00"), "INTERVAL '1' SECOND"),
    (T.format("10:00:00"), "INTERVAL '-1' HOUR", T.format("09:30:00"), "INTERVAL '1' SECOND"),
    (T.format("10:00:00"), "INTERVAL '1' HOUR", T.format("12:00:00"), "INTERVAL '-2' HOUR"),
    ("CAST(NULL AS TIMESTAMP)", T.format("11:00:00"), T.format("10:30:00"), T.format("12:00:00")),
    (T.format("10:00:00"), "CAST(NULL AS TIMESTAMP)", T.format("10:30:00"), T.format("12:00:00")),
    (T.format("10:00:00"), "CAST(NULL AS TIMESTAMP)", T.format("12:30:00"), T.format("13:00:00")),
    (T.format("10:00:00"), T.format("11:00:00"), "CAST(NULL AS TIMESTAMP)", T.format("12:00:00")),
    (T.format("10:00:00"), T.format("11:00:00"), T.format("12:00:00"), "CAST(NULL AS TIMESTAMP)"),
    (T.format("10:00:00"), T.format("11:00:00"), T.format("10:30:00"), "CAST(NULL AS TIMESTAMP)"),
    (T.format("10:00:00"), T.format("11:00:00"), T.format("09:30:00"), "CAST(NULL AS TIMESTAMP)"),
    (T.format("10:00:00"), "CAST(NULL AS INTERVAL HOUR)", T.format("10:30:00"), T.format("12:00:00")),
    ("CAST(NULL AS TIMESTAMP)", "CAST(NULL AS TIMESTAMP)", T.format("10:30:00"), T.format("12:00:00")),
    ("DATE '2024-01-01'", "DATE '2024-01-03'", "DATE '2024-01-03'", "DATE '2024-01-05'"),
    ("DATE '2024-01-01'", "INTERVAL '2' DAY", "DATE '2024-01-04'", "DATE '2024-01-05'"),
    ("TIME '10:00:00'", "TIME '11:00:00'", "TIME '10:59:00'", "INTERVAL '1' HOUR"),
    ("TIME '23:00:00'", "INTERVAL '2' HOUR", "TIME '00:30:00'", "TIME '00:40:00'"),
    ("TO_TIMESTAMP_LTZ(0, 3)", "TO_TIMESTAMP_LTZ(1000, 3)", "TO_TIMESTAMP_LTZ(1000, 3)", "TO_TIMESTAMP_LTZ(2000, 3)"),
    (T.format("10:00:00"), "DATE '2024-01-02'", T.format("10:30:00"), T.format("12:00:00")),
]


def answer(t_env, sql):
    try:
        with t_env.execute_sql(sql).collect() as rows:
            return [str(r) for r in rows]
    except Exception as e:  # noqa: BLE001 -- the error is the answer
        java = [line for line in str(e).splitlines() if "Exception: " in line]
        return "error: " + (java or str(e).splitlines())[-1][:400]


def main():
    t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    t_env.get_config().set("parallelism.default", "1")
    t_env.get_config().set("table.local-time-zone", "UTC")
    for a, b, c, d in CASES:
        print(f"({a}, {b}) OVERLAPS ({c}, {d}):", answer(t_env, f"SELECT ({a}, {b}) OVERLAPS ({c}, {d})"))
    print("TEMPORAL_OVERLAPS in SQL:", answer(t_env, "SELECT TEMPORAL_OVERLAPS(DATE '2024-01-01', DATE '2024-01-03', DATE '2024-01-03', DATE '2024-01-05')"))
    t_env.execute_sql(
        "CREATE TEMPORARY VIEW v AS SELECT CURRENT_ROW_TIMESTAMP() AS c, (TIMESTAMP '2024-01-01 10:00:00', INTERVAL '1' HOUR) OVERLAPS (TIMESTAMP '2024-01-01 10:00:00', TIMESTAMP '2024-01-01 12:00:00') AS o"
    )
    print("types:", answer(t_env, "DESCRIBE v"))
    print("CURRENT_ROW_TIMESTAMP with an argument:", answer(t_env, "SELECT CURRENT_ROW_TIMESTAMP(1)"))
    print(
        "OVERLAPS of mixed types:",
        answer(t_env, "SELECT (TIMESTAMP '2024-01-01 10:00:00', TIMESTAMP '2024-01-01 11:00:00') OVERLAPS (DATE '2024-01-01', DATE '2024-01-02')"),
    )
    print("OVERLAPS of numbers:", answer(t_env, "SELECT (1, 2) OVERLAPS (2, 3)"))
    print("TEMPORAL_OVERLAPS of numbers:", answer(t_env, "SELECT TEMPORAL_OVERLAPS(1, 2, 2, 3)"))
    print(
        "OVERLAPS interval first:",
        answer(
            t_env, "SELECT (INTERVAL '1' HOUR, TIMESTAMP '2024-01-01 10:00:00') OVERLAPS (TIMESTAMP '2024-01-01 10:00:00', TIMESTAMP '2024-01-01 12:00:00')"
        ),
    )
    print("OVERLAPS of one-element rows:", answer(t_env, "SELECT (DATE '2024-01-01') OVERLAPS (DATE '2024-01-01', DATE '2024-01-02')"))
    print(
        "OVERLAPS of three-element rows:",
        answer(t_env, "SELECT (DATE '2024-01-01', DATE '2024-01-01', DATE '2024-01-01') OVERLAPS (DATE '2024-01-01', DATE '2024-01-02')"),
    )
    print(
        "OVERLAPS of TIMESTAMP and TIMESTAMP_LTZ:",
        answer(
            t_env, "SELECT (TIMESTAMP '1970-01-01 00:00:00', TIMESTAMP '1970-01-01 00:00:01') OVERLAPS (TO_TIMESTAMP_LTZ(1000, 3), TO_TIMESTAMP_LTZ(2000, 3))"
        ),
    )
    print("OVERLAPS month interval:", answer(t_env, "SELECT (DATE '2024-01-31', INTERVAL '1' MONTH) OVERLAPS (DATE '2024-02-29', DATE '2024-03-05')"))

    table_api(t_env)


def table_api(t_env):
    """The Table API's temporal_overlaps: the same rules (reversed periods, NULLs)."""
    from pyflink.table.expressions import lit, temporal_overlaps

    rows = t_env.sql_query(
        "SELECT CAST(NULLIF(a, TIMESTAMP '1900-01-01 00:00:00') AS TIMESTAMP(3)) AS a, CAST(NULLIF(b, TIMESTAMP '1900-01-01 00:00:00') AS TIMESTAMP(3)) AS b, CAST(NULLIF(c, TIMESTAMP '1900-01-01 00:00:00') AS TIMESTAMP(3)) AS c, CAST(NULLIF(d, TIMESTAMP '1900-01-01 00:00:00') AS TIMESTAMP(3)) AS d FROM (VALUES (TIMESTAMP '2024-01-01 11:00:00', TIMESTAMP '2024-01-01 10:00:00', TIMESTAMP '2024-01-01 12:00:00', TIMESTAMP '2024-01-01 10:30:00'),"
        " (TIMESTAMP '2024-01-01 10:00:00', CAST(NULL AS TIMESTAMP), TIMESTAMP '2024-01-01 10:30:00', TIMESTAMP '2024-01-01 12:00:00'),"
        " (TIMESTAMP '2024-01-01 10:00:00', TIMESTAMP '2024-01-01 11:00:00', TIMESTAMP '2024-01-01 12:00:00', CAST(NULL AS TIMESTAMP))) AS t(a, b, c, d)"
    )
    result = rows.select(
        temporal_overlaps(rows.a, rows.b, rows.c, rows.d), temporal_overlaps(rows.a, lit(1).hours, rows.c, rows.d)
    )  # nullability must match too
    with result.execute().collect() as out:
        print("Table API temporal_overlaps:", [str(r) for r in out])


main()
