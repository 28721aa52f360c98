"""The JSON functions from the Table API (PyFlink's methods, functions and enums) give what
Flink's documentation gives, and the same as the SQL spelling."""

from __future__ import annotations

import json

from weir.common import Row
from weir.table import DataTypes, TableEnvironment
from weir.table.expression import JsonExistsOnError, JsonOnNull, JsonQueryOnEmptyOrError, JsonQueryWrapper, JsonType, JsonValueOnEmptyOrError
from weir.table.expressions import col, convert_tz, current_database, json_array, json_object, json_string, lit


def _docs(env: TableEnvironment):  # type: ignore[no-untyped-def]
    return env.from_elements([(1, '{"a": {"b": "12", "c": [1, 2]}}'), (2, "not json"), (3, None)], ["id", "j"])


def test_is_json_and_json_exists(batch_env: TableEnvironment) -> None:
    out = _docs(batch_env).select(
        col("id"),
        col("j").is_json().alias("any"),
        col("j").is_json(JsonType.ARRAY).alias("arr"),
        col("j").json_exists("$.a.c[1]").alias("there"),
        col("j").json_exists("strict $.x", JsonExistsOnError.TRUE).alias("err_true"),
    )
    assert sorted(out.execute().collect()) == [
        Row(id=1, any=True, arr=False, there=True, err_true=True),
        Row(id=2, any=False, arr=False, there=False, err_true=True),
        Row(id=3, any=False, arr=False, there=None, err_true=None),
    ]


def test_json_value_and_json_query(batch_env: TableEnvironment) -> None:
    out = _docs(batch_env).select(
        col("id"),
        col("j").json_value("$.a.b", DataTypes.INT()).alias("b"),
        col("j").json_value("lax $.a.x", DataTypes.BIGINT(), JsonValueOnEmptyOrError.DEFAULT, 7).alias("dflt"),
        col("j").json_query("$.a.c").alias("c"),
        col("j").json_query("$.a.b", JsonQueryWrapper.CONDITIONAL_ARRAY).alias("wrapped"),
        col("j").json_query("strict $.a.x", JsonQueryWrapper.WITHOUT_ARRAY, JsonQueryOnEmptyOrError.NULL, JsonQueryOnEmptyOrError.EMPTY_ARRAY).alias("e"),
    )
    assert sorted(out.execute().collect()) == [
        Row(id=1, b=12, dflt=7, c="[1,2]", wrapped='["12"]', e="[]"),
        Row(id=2, b=None, dflt=7, c=None, wrapped=None, e="[]"),
        Row(id=3, b=None, dflt=None, c=None, wrapped=None, e=None),
    ]


def test_json_constructors_nest(batch_env: TableEnvironment) -> None:
    schema = DataTypes.ROW([DataTypes.FIELD("k", DataTypes.STRING()), DataTypes.FIELD("v", DataTypes.INT()), DataTypes.FIELD("missing", DataTypes.STRING())])
    t = batch_env.from_elements([("k", 1, None)], schema)
    out = t.select(
        json_string(col("k")).alias("s"),
        json_object(JsonOnNull.NULL, "K1", col("v"), "K0", json_array(JsonOnNull.ABSENT, col("v"), col("missing"), lit("x"))).alias("o"),
        json_object(JsonOnNull.ABSENT, "m", col("missing")).alias("absent"),
        json_array(JsonOnNull.NULL, col("missing")).alias("nulls"),
    )
    assert list(out.execute().collect()) == [Row(s='"k"', o='{"K0":[1,"x"],"K1":1}', absent="{}", nulls="[null]")]


def test_sql_spelling_gives_the_same(batch_env: TableEnvironment) -> None:
    batch_env.create_temporary_view("docs", _docs(batch_env))
    rows = batch_env.execute_sql(
        "SELECT id, JSON_VALUE(j, '$.a.b' RETURNING INT), JSON_QUERY(j, '$.a.b' WITH CONDITIONAL ARRAY WRAPPER) FROM docs WHERE j IS JSON OBJECT"
    ).collect()
    assert [tuple(r) for r in rows] == [(1, 12, '["12"]')]


def _fold_groups(rows: list[tuple[str, str | None, int | None]]) -> dict[str, list[tuple[str | None, int | None]]]:
    groups: dict[str, list[tuple[str | None, int | None]]] = {}
    for k, v, n in rows:
        groups.setdefault(k, []).append((v, n))
    return groups


def test_json_aggregates_and_sum0_follow_a_plain_fold(batch_env: TableEnvironment) -> None:
    """One source read in order by one worker: the arrays keep the input order."""
    from weir.table.expressions import json_array_agg, json_object_agg

    rows = [("a", "x", 1), ("b", None, None), ("a", None, 2), ("a", "y", None), ("b", "z", 3)]
    t = batch_env.from_elements(rows, ["k", "v", "n"])
    out = t.group_by(col("k")).select(
        col("k"),
        json_array_agg(JsonOnNull.ABSENT, col("v")).alias("vs"),
        json_array_agg(JsonOnNull.NULL, col("n")).alias("ns"),
        json_object_agg(JsonOnNull.ABSENT, col("v").if_null("none"), col("n")).alias("obj"),
        col("n").sum0.alias("total"),
    )
    expected = []
    for k, pairs in sorted(_fold_groups(rows).items()):
        vs = json.dumps([v for v, _ in pairs if v is not None], separators=(",", ":"))
        ns = json.dumps([n for _, n in pairs], separators=(",", ":"))
        members = {v or "none": n for v, n in pairs if n is not None}
        obj = json.dumps(dict(sorted(members.items())), separators=(",", ":"))
        expected.append(Row(k=k, vs=vs, ns=ns, obj=obj, total=sum(n for _, n in pairs if n is not None)))
    assert sorted(out.execute().collect()) == expected


def test_json_quote_unquote_and_the_session_and_zone_functions(batch_env: TableEnvironment) -> None:
    t = batch_env.from_elements([(1, 'say "hi"/\n'), (2, '"caf\\u00e9"'), (3, "[1, 2]"), (4, None)], ["id", "s"])
    out = t.select(
        col("id"),
        col("s").json_quote().alias("q"),
        col("s").json_unquote().alias("u"),
        col("s").json_quote().json_unquote().alias("back"),
        current_database().alias("db"),
    )
    tz = t.select(convert_tz(lit("1970-01-01 00:00:00"), lit("UTC"), lit("GMT-08:00")).alias("la")).limit(1)
    assert list(tz.execute().collect()) == [Row(la="1969-12-31 16:00:00")]
    assert sorted(out.execute().collect()) == [
        Row(id=1, q='"say \\"hi\\"\\/\\n"', u='say "hi"/\n', back='say "hi"/\n', db="default_database"),
        Row(id=2, q='"\\"caf\\\\u00e9\\""', u="café", back='"caf\\u00e9"', db="default_database"),
        Row(id=3, q='"[1, 2]"', u="[1, 2]", back="[1, 2]", db="default_database"),
        Row(id=4, q=None, u=None, back=None, db="default_database"),
    ]
