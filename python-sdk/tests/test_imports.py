"""PyFlink's module layout: a program that swaps ``pyflink`` for ``weir`` finds its names."""

from __future__ import annotations

import importlib

import pytest

NAMES = {
    "weir.table": ["TableEnvironment", "EnvironmentSettings", "DataTypes", "Schema", "TableDescriptor", "FormatDescriptor", "Row", "RowKind", "udf", "udtf", "ScalarFunction", "TableFunction", "StreamTableEnvironment", "StatementSet"],
    "weir.table.expressions": ["col", "lit", "call", "concat", "coalesce", "if_then_else", "and_", "or_"],
    "weir.table.udf": ["udf", "udtf", "udaf", "ScalarFunction", "TableFunction", "AggregateFunction"],
    "weir.table.window": ["Tumble", "Slide", "Session", "Over"],
    "weir.common": ["Row", "RowKind", "Types", "Configuration", "Duration", "Time", "WatermarkStrategy"],
    "weir.common.typeinfo": ["Types"],
    "weir.common.time": ["Duration", "Time"],
    "weir.common.watermark_strategy": ["WatermarkStrategy"],
    "weir.datastream": ["StreamExecutionEnvironment", "RuntimeExecutionMode", "DataStream", "KeyedStream", "MapFunction", "FlatMapFunction", "FilterFunction", "ReduceFunction", "KeySelector", "KeyedProcessFunction"],
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
