"""SQL through ``TableEnvironment.execute_sql``: results, printing, errors."""

from __future__ import annotations

import pytest

from weir import PlanError, SqlError, UnsupportedError, WeirError
from weir.common import Row, RowKind
from weir.table import DataTypes, TableEnvironment


def _bids(env: TableEnvironment) -> None:
    t = env.from_elements(
        [(1, 100), (1, 300), (2, 50)], DataTypes.ROW([DataTypes.FIELD("auction", DataTypes.BIGINT()), DataTypes.FIELD("price", DataTypes.BIGINT())])
    )
    env.create_temporary_view("bids", t)


def test_select_over_a_table_api_view(batch_env: TableEnvironment) -> None:
    _bids(batch_env)
    result = batch_env.execute_sql("SELECT auction, SUM(price) AS total FROM bids GROUP BY auction")
    assert result.get_column_names() == ["auction", "total"]
    assert sorted(result.collect()) == [Row(auction=1, total=400), Row(auction=2, total=50)]


def test_batch_print_is_a_table(batch_env: TableEnvironment, capsys: pytest.CaptureFixture[str]) -> None:
    _bids(batch_env)
    batch_env.execute_sql("SELECT auction, COUNT(*) AS n FROM bids GROUP BY auction ORDER BY auction").print()
    assert capsys.readouterr().out == (
        "+---------+---+\n"
        "| auction | n |\n"
        "+---------+---+\n"
        "|       1 | 2 |\n"
        "|       2 | 1 |\n"
        "+---------+---+\n"
        "2 rows in set\n"
    )


def test_streaming_collect_has_row_kinds(stream_env: TableEnvironment) -> None:
    t = stream_env.from_elements([("a",), ("a",)], ["word"])
    stream_env.create_temporary_view("words", t)
    rows = list(stream_env.execute_sql("SELECT word, COUNT(*) AS n FROM words GROUP BY word").collect())
    kinds = [r.get_row_kind() for r in rows]
    assert rows[-1] == Row._make(["a", 2], ["word", "n"], RowKind.UPDATE_AFTER) or rows == [Row(word="a", n=2)]
    assert kinds[0] == RowKind.INSERT


def test_streaming_print_is_a_changelog(stream_env: TableEnvironment, capsys: pytest.CaptureFixture[str]) -> None:
    t = stream_env.from_elements([(1,), (2,)], ["x"])
    stream_env.create_temporary_view("t", t)
    stream_env.execute_sql("SELECT x * 10 AS y FROM t WHERE x > 1").print()
    assert capsys.readouterr().out == (
        "+----+----+\n"
        "| op |  y |\n"
        "+----+----+\n"
        "| +I | 20 |\n"
        "+----+----+\n"
        "Received a total of 1 row\n"
    )


def test_ddl_datagen_and_show_tables(batch_env: TableEnvironment) -> None:
    batch_env.execute_sql(
        "CREATE TABLE gen (id BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '5', "
        "'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '5')"
    )
    assert batch_env.list_tables() == ["gen"]
    rows = list(batch_env.execute_sql("SELECT SUM(id) AS s FROM gen").collect())
    assert rows == [Row(s=15)]


def test_sql_error_keeps_position(batch_env: TableEnvironment) -> None:
    _bids(batch_env)
    with pytest.raises(SqlError) as info:
        batch_env.execute_sql("SELECT auctoin FROM bids")
    assert "auctoin" in str(info.value) and "did you mean" in str(info.value)
    assert "line 1" in str(info.value) or "1:8" in str(info.value)
    assert isinstance(info.value, WeirError)


def test_unsupported_sql_is_not_implemented(batch_env: TableEnvironment) -> None:
    with pytest.raises(NotImplementedError):
        batch_env.execute_sql("CREATE FUNCTION f AS 'x'")
    with pytest.raises(UnsupportedError):
        batch_env.execute_sql("CREATE FUNCTION f AS 'x'")


def test_bad_setting_is_rejected(batch_env: TableEnvironment) -> None:
    with pytest.raises(SqlError) as info:
        batch_env.get_config().set("parallelism.default", "zero")
    assert "positive number of workers" in str(info.value)


def test_plan_error_names_the_json_path(batch_env: TableEnvironment) -> None:
    from weir.table.expressions import col

    t = batch_env.from_elements([(1,)], ["auction"])
    with pytest.raises(PlanError) as info:
        t.select(col("auctoin"))
    assert 'no column "auctoin"; did you mean "auction"?' in str(info.value)
    assert "nodes[1].columns[0].expr.column" in str(info.value)


def test_insert_into_filesystem_and_read_back(batch_env: TableEnvironment, tmp_path: object) -> None:
    out = str(tmp_path) + "/out"
    _bids(batch_env)
    batch_env.execute_sql(f"CREATE TABLE sink (auction BIGINT, price BIGINT) WITH ('connector' = 'filesystem', 'path' = '{out}', 'format' = 'csv')")
    batch_env.execute_sql("INSERT INTO sink SELECT auction, price FROM bids WHERE price > 60").wait()
    back = sorted(batch_env.execute_sql("SELECT * FROM sink").collect())
    assert back == [Row(auction=1, price=100), Row(auction=1, price=300)]


def test_streaming_collect_follows_an_unbounded_query(stream_env: TableEnvironment) -> None:
    import time

    stream_env.execute_sql(
        "CREATE TABLE ticks (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '1000', "
        "'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '1000000000')"
    )
    start = time.monotonic()
    seen = []
    with stream_env.execute_sql("SELECT id * 2 AS twice FROM ticks").collect() as rows:
        for row in rows:
            seen.append(row.twice)
            if len(seen) == 5:
                break
    assert len(seen) == 5 and all(v % 2 == 0 for v in seen)
    assert time.monotonic() - start < 20
