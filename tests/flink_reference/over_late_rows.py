"""What Flink answers for event-time OVER aggregates over rows that arrive out of order.

Not part of CI: run it with a PyFlink install (``~/.cache/weir/venv-flink/bin/python
tests/flink_reference/over_late_rows.py``) to see the rows Weir's tests expect. One source
split, parallelism 1, the rows read in file order, and ``pipeline.auto-watermark-interval`` =
0 so the SQL watermark moves with every record: the first query of each case prints
``CURRENT_WATERMARK(ts)`` per row to show it.

Each case is rows ``(seq, k, ts_ms)`` in arrival order and the OVER queries run over them.
"""

import os
import sys
import tempfile

from pyflink.table import EnvironmentSettings, TableEnvironment

DDL = """CREATE TABLE ev (seq BIGINT, k BIGINT, ts_ms BIGINT, ts AS TO_TIMESTAMP_LTZ(ts_ms, 3),
  WATERMARK FOR ts AS ts) WITH ('connector' = 'filesystem', 'path' = '{path}', 'format' = 'csv')"""

RANGE = "RANGE BETWEEN INTERVAL '10' SECOND PRECEDING AND CURRENT ROW"
ROWS = "ROWS BETWEEN 1 PRECEDING AND CURRENT ROW"
UNBOUNDED = "RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"

CASES = {
    # The issue's example: seq 3 is behind the watermark (20000) but after key 1's last row.
    "behind_watermark": [(1, 1, 1000), (2, 2, 20000), (3, 1, 12000), (4, 1, 21000)],
    # seq 4 is behind key 1's last processed row (15000, fired when the watermark reached
    # 20000, before seq 4 arrived): dropped.
    "behind_key_progress": [(1, 1, 1000), (2, 1, 15000), (3, 2, 20000), (4, 1, 12000), (5, 1, 22000)],
    # Two late rows of key 1 at one watermark, the second earlier than the first: both wait for
    # the next watermark and are aggregated in time order.
    "two_late_rows": [(1, 1, 1000), (2, 2, 20000), (3, 1, 12000), (4, 1, 11000), (5, 2, 21000), (6, 1, 11500)],
    # Key 1 idle long after its last row, then a row behind that row but after the others.
    "idle_key": [(1, 1, 1000), (2, 1, 5000), (3, 2, 30000), (4, 1, 3000), (5, 1, 31000)],
    # A row after key 1's last row but behind a timer with no row due on the way.
    "between_rows": [(1, 1, 1000), (2, 1, 12000), (3, 2, 17000), (4, 1, 14000), (5, 2, 40000)],
}


def run(t_env, query):
    with t_env.execute_sql(query).collect() as results:
        return [tuple(r) for r in results]


def main(names):
    settings = EnvironmentSettings.in_streaming_mode()
    for name, rows in CASES.items():
        if names and name not in names:
            continue
        t_env = TableEnvironment.create(settings)
        conf = t_env.get_config()
        conf.set("parallelism.default", "1")
        conf.set("pipeline.auto-watermark-interval", "0")
        conf.set("table.local-time-zone", "UTC")
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "input.csv")
            with open(path, "w") as f:
                f.writelines(f"{s},{k},{t}\n" for s, k, t in rows)
            t_env.execute_sql(DDL.format(path=path))
            print(f"== {name}: {rows}")
            print("  watermark per row:", run(t_env, "SELECT seq, CAST(CURRENT_WATERMARK(ts) AS STRING) FROM ev"))
            for frame_name, frame in [("RANGE 10s", RANGE), ("ROWS 1", ROWS), ("UNBOUNDED", UNBOUNDED)]:
                q = f"SELECT seq, k, ts_ms, COUNT(*) OVER w, LISTAGG(CAST(seq AS STRING)) OVER w FROM ev WINDOW w AS (PARTITION BY k ORDER BY ts {frame})"
                print(f"  {frame_name}:", run(t_env, q))


if __name__ == "__main__":
    main(sys.argv[1:])
