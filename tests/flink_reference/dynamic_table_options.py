"""What Flink 2.3 does with table hints, `/*+ OPTIONS('k' = 'v') */` after a table name (dynamic
table options, Weir's sql/table_hints.rs), and with `SOURCE_WATERMARK()`: which references the
options reach (each reference of a self-join its own), the errors for bad hints, for a hint on a
view, for `table.dynamic-table-options.enabled = false`, and for connectors without a source
watermark.

Not part of CI: ``~/.cache/weir/venv-flink/bin/python tests/flink_reference/dynamic_table_options.py``.
"""

# ruff: noqa: E501 -- each SQL statement stays on one line, as Flink reports positions in it

import os
import tempfile

from pyflink.table import EnvironmentSettings, ResultKind, TableEnvironment


def answer(t_env, sql):
    try:
        result = t_env.execute_sql(sql)
        if result.get_result_kind() == ResultKind.SUCCESS_WITH_CONTENT:
            with result.collect() as rows:
                return sorted(str(r) for r in rows)
        if result.get_job_client() is not None:
            result.wait()
        return "ok"
    except Exception as e:  # noqa: BLE001 -- the error is the answer
        lines = [line.strip() for line in str(e).splitlines() if "Exception" in line and not line.strip().startswith("at ")]
        lines = lines or [line.strip() for line in str(e).splitlines() if line.strip() and not line.strip().startswith("at ")]
        return "error: " + " | ".join(lines[:1] + lines[-1:])[:700]


def main():
    d = tempfile.mkdtemp()
    for name, text in (("one.csv", "1,a\n2,b\n"), ("two.csv", "3,c\n")):
        with open(os.path.join(d, name), "w") as f:
            f.write(text)
    one, two = os.path.join(d, "one.csv"), os.path.join(d, "two.csv")
    t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    t_env.get_config().set("parallelism.default", "1")
    t_env.execute_sql(f"CREATE TABLE t (id INT, name STRING) WITH ('connector' = 'filesystem', 'path' = '{one}', 'format' = 'csv')")
    t_env.execute_sql(
        "CREATE TABLE g (id INT) WITH ('connector' = 'datagen', 'number-of-rows' = '2', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '10')"
    )
    t_env.execute_sql(f"CREATE TABLE out1 (id INT, name STRING) WITH ('connector' = 'filesystem', 'path' = '{d}/out', 'format' = 'csv')")
    t_env.execute_sql("CREATE VIEW v AS SELECT * FROM t")
    t_env.execute_sql(f"CREATE VIEW hv AS SELECT * FROM t /*+ OPTIONS('path' = '{two}') */")
    queries = {
        "plain": "SELECT * FROM t",
        "hinted": f"SELECT * FROM t /*+ OPTIONS('path' = '{two}') */",
        "union all of two paths": f"SELECT * FROM t UNION ALL SELECT * FROM t /*+ OPTIONS('path' = '{two}') */",
        "self-join": f"SELECT a.id, b.id FROM t /*+ OPTIONS('path' = '{two}') */ AS a, t AS b",
        "alias after hint": f"SELECT x.id FROM t /*+ OPTIONS('path' = '{two}') */ x",
        "two OPTIONS, last wins": f"SELECT * FROM t /*+ OPTIONS('path' = '{one}'), OPTIONS('path' = '{two}') */",
        "same key twice": f"SELECT * FROM t /*+ OPTIONS('path' = '{one}', 'path' = '{two}') */",
        "view with hint inside": "SELECT * FROM hv",
        "hint on a view": f"SELECT * FROM v /*+ OPTIONS('path' = '{two}') */",
        "unknown option": "SELECT * FROM t /*+ OPTIONS('bogus' = '1') */",
        "bad value": "SELECT * FROM g /*+ OPTIONS('number-of-rows' = 'many') */",
        "datagen rows": "SELECT * FROM g /*+ OPTIONS('number-of-rows' = '3') */",
        "connector override": "SELECT * FROM t /*+ OPTIONS('connector' = 'datagen', 'number-of-rows' = '1') */",
        "list options": "SELECT * FROM t /*+ OPTIONS(path) */",
        "empty options": "SELECT * FROM t /*+ OPTIONS() */",
        "bare OPTIONS": "SELECT * FROM t /*+ OPTIONS */",
        "other hint name": "SELECT * FROM t /*+ PROPERTIES('path' = 'x') */",
        "query hint after a table": "SELECT * FROM t /*+ STATE_TTL('t' = '1d') */",
        "two hint comments": f"SELECT * FROM t /*+ OPTIONS('path' = '{one}') */ /*+ OPTIONS('path' = '{two}') */",
        "hint in a CTE": f"WITH w AS (SELECT * FROM t /*+ OPTIONS('path' = '{two}') */) SELECT * FROM w",
        "insert hint": "INSERT INTO out1 /*+ OPTIONS('sink.parallelism' = '1') */ SELECT * FROM t",
        "insert unknown option": "INSERT INTO out1 /*+ OPTIONS('bogus' = '1') */ SELECT * FROM t",
        "insert path": f"INSERT INTO out1 /*+ OPTIONS('path' = '{d}/out2') */ SELECT * FROM t",
        "hint after a column": "SELECT id /*+ OPTIONS('a' = 'b') */ FROM t",
    }
    for what, sql in queries.items():
        print(f"{what}: {answer(t_env, sql)}")
    print("out2:", sorted(os.listdir(f"{d}/out2")) if os.path.exists(f"{d}/out2") else "none")
    t_env.get_config().set("table.dynamic-table-options.enabled", "false")
    print("disabled:", answer(t_env, f"SELECT * FROM t /*+ OPTIONS('path' = '{two}') */"))
    print("disabled, view with hint:", answer(t_env, "SELECT * FROM hv"))
    t_env.get_config().set("table.dynamic-table-options.enabled", "true")

    s_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    s_env.execute_sql(
        f"CREATE TABLE f (id INT, ts TIMESTAMP(3), WATERMARK FOR ts AS SOURCE_WATERMARK()) WITH ('connector' = 'filesystem', 'path' = '{one}', 'format' = 'csv')"
    )
    s_env.execute_sql(
        "CREATE TABLE dg (id INT, ts TIMESTAMP(3), WATERMARK FOR ts AS SOURCE_WATERMARK()) WITH ('connector' = 'datagen', 'number-of-rows' = '1')"
    )
    s_env.execute_sql("CREATE TABLE bh (id INT, ts TIMESTAMP(3)) WITH ('connector' = 'blackhole')")
    print("SOURCE_WATERMARK filesystem:", answer(s_env, "EXPLAIN SELECT * FROM f"))
    print("SOURCE_WATERMARK datagen:", answer(s_env, "EXPLAIN SELECT * FROM dg"))
    print("SOURCE_WATERMARK filesystem, run:", answer(s_env, "SELECT * FROM f"))
    print("SOURCE_WATERMARK datagen, run:", answer(s_env, "SELECT id FROM dg"))
    print("SOURCE_WATERMARK in SELECT:", answer(s_env, "SELECT SOURCE_WATERMARK() FROM bh"))
    print(
        "SOURCE_WATERMARK with an argument:",
        answer(s_env, "CREATE TABLE x (ts TIMESTAMP(3), WATERMARK FOR ts AS SOURCE_WATERMARK(ts)) WITH ('connector' = 'datagen')"),
    )
    print(
        "SOURCE_WATERMARK inside an expression:",
        answer(s_env, "CREATE TABLE y (ts TIMESTAMP(3), WATERMARK FOR ts AS SOURCE_WATERMARK() - INTERVAL '1' SECOND) WITH ('connector' = 'datagen')"),
    )
    print("... used:", answer(s_env, "EXPLAIN SELECT * FROM y"))


main()
