"""What Flink answers for a watermark declared in the ``Schema`` given to ``from_data_stream``.

Not part of CI: run it with a PyFlink install (``~/.cache/weir/venv-flink/bin/python
tests/flink_reference/from_data_stream_watermark.py``), or with Weir's SDK (``python
tests/flink_reference/from_data_stream_watermark.py weir``) to compare. Parallelism 1 and
``auto_watermark_interval`` 0 (PyFlink only) so the watermark moves with every record.

PyFlink 2.3 prints, after rows at 1000 and 3000 ms with ``ts - INTERVAL '1' SECOND``, the
watermark 2000 (Flink SQL's largest time minus the delay, not DataStream's one ms less) for the
rows at 2000 and 1999: both are at or behind it, so late (python-sdk/tests/test_stream_event_time.py).
"""

import sys

if len(sys.argv) > 1 and sys.argv[1] == "weir":
    from weir.common import Row, Types
    from weir.datastream import StreamExecutionEnvironment
    from weir.table import DataTypes, Schema, StreamTableEnvironment
else:
    from pyflink.common import Row, Types
    from pyflink.datastream import StreamExecutionEnvironment
    from pyflink.table import DataTypes, Schema, StreamTableEnvironment

env = StreamExecutionEnvironment.get_execution_environment()
env.set_parallelism(1)
if not (len(sys.argv) > 1 and sys.argv[1] == "weir"):
    env.get_config().set_auto_watermark_interval(0)
t_env = StreamTableEnvironment.create(env)
rows = [(1, 1000), (1, 3000), (1, 2000), (1, 1999), (1, 5000)]
ds = env.from_collection([Row(*r) for r in rows], type_info=Types.ROW_NAMED(["k", "ms"], [Types.INT(), Types.LONG()]))
schema = (
    Schema.new_builder()
    .column("k", DataTypes.INT())
    .column("ms", DataTypes.BIGINT())
    .column_by_expression("ts", "TO_TIMESTAMP_LTZ(ms, 3)")
    .watermark("ts", "ts - INTERVAL '1' SECOND")
    .build()
)
t_env.create_temporary_view("t", t_env.from_data_stream(ds, schema))
with t_env.execute_sql("SELECT k, ms, CAST(CURRENT_WATERMARK(ts) AS STRING) AS wm FROM t").collect() as results:
    for row in results:
        print(row)
