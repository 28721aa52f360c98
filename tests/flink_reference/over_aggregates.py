"""Which aggregate functions Flink 2.3 accepts in an event-time OVER window, and what they give.

Not part of CI: ``~/.cache/weir/venv-flink/bin/python tests/flink_reference/over_aggregates.py``.
Each function runs alone over a small in-order input (streaming mode, one split); the script
prints the rows, or the first line of Flink's error when the planner rejects the call.
"""

import os
import tempfile

from pyflink.table import EnvironmentSettings, TableEnvironment

ROWS = [(1, 1, 1000, "a"), (2, 1, 2000, None), (3, 2, 2500, "c"), (4, 1, 3000, "d"), (5, 1, 3000, "a"), (6, 2, 4000, "")]

CALLS = [
    "LISTAGG(s)",
    "LISTAGG(s, '|')",
    "LISTAGG(DISTINCT s)",
    "FIRST_VALUE(s)",
    "LAST_VALUE(s)",
    "ARRAY_AGG(s)",
    "COLLECT(s)",
    "STDDEV_POP(seq)",
    "VAR_SAMP(seq)",
    "BIT_AND(seq)",
    "JSON_ARRAYAGG(s)",
]

FRAMES = ["ROWS BETWEEN 1 PRECEDING AND CURRENT ROW", "RANGE BETWEEN INTERVAL '1' SECOND PRECEDING AND CURRENT ROW"]


def main():
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "input.csv")
        with open(path, "w") as f:
            f.writelines(f"{seq},{k},{t},{'' if s is None else s}\n" for seq, k, t, s in ROWS)
        for frame in FRAMES:
            for call in CALLS:
                t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
                t_env.get_config().set("parallelism.default", "1")
                t_env.execute_sql(
                    f"CREATE TABLE ev (seq BIGINT, k BIGINT, ts_ms BIGINT, s STRING, ts AS TO_TIMESTAMP_LTZ(ts_ms, 3), "
                    f"WATERMARK FOR ts AS ts) WITH ('connector' = 'filesystem', 'path' = '{path}', 'format' = 'csv', "
                    "'csv.null-literal' = '')"
                )
                q = f"SELECT seq, {call} OVER (PARTITION BY k ORDER BY ts {frame}) FROM ev"
                try:
                    with t_env.execute_sql(q).collect() as results:
                        rows = sorted((tuple(str(v) for v in r) for r in results), key=lambda r: int(r[0]))
                    print(f"{frame} | {call}: {rows}")
                except Exception as e:  # noqa: BLE001 - the planner's rejection is the answer
                    msg = str(e).split("\n")
                    print(f"{frame} | {call}: REJECTED {[m for m in msg if 'Exception' in m][:2]}")


if __name__ == "__main__":
    main()
