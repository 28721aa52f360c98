"""Which operators Flink gives a `STATE_TTL` hint's time-to-live (Weir's sql/hints.rs): the
compiled plan of each query lists every stateful operator's state with its `ttl`. Run with
PyFlink 2.x:
    ~/.cache/weir/venv-flink/bin/python tests/flink_reference/state_ttl_hints.py
"""

import json

from pyflink.table import EnvironmentSettings, TableEnvironment

t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
t_env.get_config().set("parallelism.default", "1")
for name in ("t", "u"):
    t_env.execute_sql(f"CREATE TABLE {name} (a INT, b INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen')")
t_env.execute_sql("CREATE TABLE out1 (a INT) WITH ('connector' = 'blackhole')")
t_env.execute_sql("CREATE TABLE out2 (a INT, b INT) WITH ('connector' = 'blackhole')")
t_env.execute_sql("CREATE TABLE out3 (a INT, b INT, r BIGINT) WITH ('connector' = 'blackhole')")

TOP2 = "SELECT * FROM (SELECT {hint} a, b, ROW_NUMBER() OVER (PARTITION BY a ORDER BY {order}) AS r FROM t) WHERE {keep}"

QUERIES = {
    "DISTINCT": "INSERT INTO out1 SELECT /*+ STATE_TTL('t' = '1d') */ DISTINCT a FROM t",
    "DISTINCT (alias)": "INSERT INTO out1 SELECT /*+ STATE_TTL('x' = '1d') */ DISTINCT a FROM t AS x",
    "GROUP BY": "INSERT INTO out2 SELECT /*+ STATE_TTL('t' = '1d') */ a, CAST(COUNT(*) AS INT) FROM t GROUP BY a",
    "GROUP BY without keys": "INSERT INTO out1 SELECT /*+ STATE_TTL('t' = '1d') */ CAST(COUNT(*) AS INT) FROM t",
    "Top-N": "INSERT INTO out3 " + TOP2.format(hint="/*+ STATE_TTL('t' = '1d') */", order="b", keep="r <= 2"),
    "Deduplicate": "INSERT INTO out2 SELECT a, b FROM (" + TOP2.format(hint="/*+ STATE_TTL('t' = '1d') */", order="ts", keep="r = 1") + ")",
    "Top-N, unknown key": "INSERT INTO out3 " + TOP2.format(hint="/*+ STATE_TTL('nope' = '1d') */", order="b", keep="r <= 2"),
    "DISTINCT, unknown key": "INSERT INTO out1 SELECT /*+ STATE_TTL('nope' = '1d') */ DISTINCT a FROM t",
    "join": "INSERT INTO out2 SELECT /*+ STATE_TTL('t' = '1d', 'u' = '2d') */ t.a, u.b FROM t JOIN u ON t.a = u.a",
}


def states(plan):
    for node in json.loads(plan)["nodes"]:
        if node.get("state"):
            yield node["type"].split("_")[0], [(s["name"], s["ttl"]) for s in node["state"]]


for what, sql in QUERIES.items():
    try:
        plan = t_env._j_tenv.compilePlanSql(sql).asJsonString()
        print(f"{what}: {list(states(plan))}")
    except Exception as e:  # noqa: BLE001 -- the error is the answer
        java = [line for line in str(e).splitlines() if "Exception: " in line]
        print(f"{what}: error: {(java or str(e).splitlines())[-1][:300]}")
