"""PyFlink's module layout: a program that swaps ``pyflink`` for ``weir`` finds its names."""

from __future__ import annotations

import importlib
import json
import pathlib

import pytest

NAMES = {
    "weir.table": [
        "TableEnvironment",
        "EnvironmentSettings",
        "DataTypes",
        "Schema",
        "TableDescriptor",
        "FormatDescriptor",
        "Row",
        "RowKind",
        "udf",
        "udtf",
        "ScalarFunction",
        "TableFunction",
        "StreamTableEnvironment",
        "StatementSet",
    ],
    "weir.table.expressions": ["col", "lit", "call", "concat", "coalesce", "if_then_else", "and_", "or_"],
    "weir.table.udf": ["udf", "udtf", "udaf", "ScalarFunction", "TableFunction", "AggregateFunction"],
    "weir.table.window": ["Tumble", "Slide", "Session", "Over"],
    "weir.common": ["Row", "RowKind", "Types", "Configuration", "Duration", "Time", "WatermarkStrategy"],
    "weir.common.typeinfo": ["Types"],
    "weir.common.time": ["Duration", "Time"],
    "weir.common.watermark_strategy": ["WatermarkStrategy"],
    "weir.datastream": [
        "StreamExecutionEnvironment",
        "RuntimeExecutionMode",
        "DataStream",
        "KeyedStream",
        "MapFunction",
        "FlatMapFunction",
        "FilterFunction",
        "ReduceFunction",
        "KeySelector",
        "KeyedProcessFunction",
    ],
    "weir.datastream.functions": ["MapFunction", "FlatMapFunction", "ReduceFunction", "KeyedProcessFunction", "RuntimeContext"],
    "weir.datastream.state": ["ValueStateDescriptor", "ListStateDescriptor", "MapStateDescriptor", "ReducingStateDescriptor"],
    "weir.datastream.window": ["TumblingEventTimeWindows", "SlidingEventTimeWindows", "EventTimeSessionWindows"],
}


@pytest.mark.parametrize("module", sorted(NAMES))
def test_module_has_pyflink_names(module: str) -> None:
    m = importlib.import_module(module)
    missing = [n for n in NAMES[module] if not hasattr(m, n)]
    assert missing == []


def test_public_items_have_docstrings() -> None:
    undocumented = []
    for module in NAMES:
        m = importlib.import_module(module)
        for name in NAMES[module]:
            item = getattr(m, name)
            if callable(item) and not (getattr(item, "__doc__", None) or "").strip():
                undocumented.append(f"{module}.{name}")
    assert undocumented == []


def test_row_behaves_like_pyflinks() -> None:
    from weir.common import Row, RowKind

    r = Row(name="ann", age=3)
    assert r.name == "ann" and r["age"] == 3 and r[0] == "ann" and r.as_dict() == {"name": "ann", "age": 3}
    assert repr(r) == "Row(name='ann', age=3)" and repr(Row(1, "a")) == "<Row(1, 'a')>"
    r.set_row_kind(RowKind.DELETE)
    assert r.get_row_kind() == RowKind.DELETE and r != Row(name="ann", age=3)
    assert Row("a", "b")(1, 2) == Row(a=1, b=2)


API = json.loads((pathlib.Path(__file__).parent / "pyflink_api.json").read_text())


@pytest.mark.parametrize("module", sorted(API["modules"]))
def test_every_pyflink_name_exists(module: str) -> None:
    m = importlib.import_module(module.replace("pyflink", "weir", 1))
    assert [n for n in API["modules"][module] if not hasattr(m, n)] == []


@pytest.mark.parametrize("qualified", sorted(API["classes"]))
def test_every_pyflink_method_exists(qualified: str) -> None:
    module, name = qualified.rsplit(".", 1)
    cls = getattr(importlib.import_module(module.replace("pyflink", "weir", 1)), name)
    assert [n for n in API["classes"][qualified] if not hasattr(cls, n)] == []


def test_placeholders_raise_unsupported_naming_the_feature() -> None:
    from weir import UnsupportedError
    from weir.errors import _UnsupportedType

    placeholders = 0
    for module, names in API["modules"].items():
        m = importlib.import_module(module.replace("pyflink", "weir", 1))
        for n in names:
            item = getattr(m, n)
            if isinstance(item, _UnsupportedType):
                placeholders += 1
                with pytest.raises(UnsupportedError, match=f"not supported yet: {n} "):
                    item()
                with pytest.raises(UnsupportedError, match=f"{n}.of"):
                    item.of(1)  # type: ignore[attr-defined]
    assert placeholders > 50


def test_unsupported_methods_name_class_and_method() -> None:
    from weir import UnsupportedError
    from weir.datastream import StreamExecutionEnvironment
    from weir.table import DataTypes, EnvironmentSettings, TableEnvironment
    from weir.table.expressions import col, with_columns

    env = StreamExecutionEnvironment.get_execution_environment()
    with pytest.raises(UnsupportedError, match="StreamExecutionEnvironment.execute_async"):
        env.execute_async()
    with pytest.raises(UnsupportedError, match="DataStream.broadcast"):
        env.from_collection([1]).broadcast()
    with pytest.raises(UnsupportedError, match="Expression.map_entries"):
        col("x").map_entries  # noqa: B018
    with pytest.raises(UnsupportedError, match="Expression.percentile"):
        col("x").percentile(0.5)
    with pytest.raises(UnsupportedError, match="with_columns"):
        with_columns()
    with pytest.raises(UnsupportedError, match="DataTypes.INTERVAL"):
        DataTypes.INTERVAL()
    t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    with pytest.raises(UnsupportedError, match="Table.from_changelog"):
        t_env.from_elements([(1,)]).from_changelog()
