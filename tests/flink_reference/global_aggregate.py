"""What Flink's streaming global aggregate (no GROUP BY) emits before any row arrives and
after every row was retracted again (Weir issue #14). Run with PyFlink 2.x:
    ~/.cache/weir/venv-flink/bin/python tests/flink_reference/global_aggregate.py
"""

from pyflink.common import Row, RowKind
from pyflink.common.typeinfo import Types
from pyflink.datastream import StreamExecutionEnvironment
from pyflink.table import DataTypes, Schema, StreamTableEnvironment


def changelog(t_env, sql):
    with t_env.execute_sql(sql).collect() as results:
        return [f"{r.get_row_kind()}{list(r)}" for r in results]


env = StreamExecutionEnvironment.get_execution_environment()
env.set_parallelism(1)
t_env = StreamTableEnvironment.create(env)

# No row passes the filter: the aggregate never sees input.
t_env.create_temporary_view("t", t_env.from_elements([(1,), (2,)], ["x"]))
print("empty input:", changelog(t_env, "SELECT COUNT(*), MAX(x), SUM(x) FROM t WHERE x > 10"))

# Rows inserted, then all retracted again.
rows = [Row.of_kind(RowKind.INSERT, 1), Row.of_kind(RowKind.INSERT, 5), Row.of_kind(RowKind.DELETE, 1), Row.of_kind(RowKind.DELETE, 5)]
stream = env.from_collection(rows, Types.ROW_NAMED(["x"], [Types.INT()]))
t_env.create_temporary_view("c", t_env.from_changelog_stream(stream, Schema.new_builder().column("x", DataTypes.INT()).build()))
print("all retracted:", changelog(t_env, "SELECT COUNT(*), MAX(x), SUM(x) FROM c"))
print("all retracted, grouped:", changelog(t_env, "SELECT x > 0, COUNT(*) FROM c GROUP BY x > 0"))

# An uncorrelated scalar subquery over an empty global aggregate: Calcite joins the outer rows
# with the aggregate, so what the aggregate emits on empty input decides the value.
t_env.create_temporary_view("u", t_env.from_elements([(7,)], ["y"]))
print("scalar subquery:", changelog(t_env, "SELECT x, (SELECT COUNT(*) FROM u WHERE y > 10) AS n, (SELECT MAX(y) FROM u WHERE y > 10) AS m FROM t"))
print("IN subquery:", changelog(t_env, "SELECT x, x IN (SELECT y FROM u WHERE y > 10) OR x > 1 AS i FROM t"))
