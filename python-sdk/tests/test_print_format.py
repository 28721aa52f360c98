"""``DataStream.print()`` writes records as PyFlink does, by the stream's declared type, and
``from_collection`` converts elements to their declared type as PyFlink's serializers do
(issue #14 part 5). Expected strings are Java's ``toString`` of the objects Flink holds."""

from __future__ import annotations

import struct
from typing import Any

import pytest

from weir.common import Row
from weir.common.typeinfo import Types
from weir.datastream import StreamExecutionEnvironment
from weir.datastream.functions import KeyedProcessFunction
from weir.datastream.print_format import format_record


@pytest.mark.parametrize(
    ("value", "info", "text"),
    [
        (("hi", 0, 5, 4), Types.TUPLE([Types.STRING(), Types.INT(), Types.INT(), Types.INT()]), "(hi,0,5,4)"),
        (Row("a", 1), Types.ROW([Types.STRING(), Types.INT()]), "+I[a, 1]"),
        (("a", None), Types.ROW_NAMED(["k", "v"], [Types.STRING(), Types.LONG()]), "+I[a, null]"),
        (110.1, Types.FLOAT(), "110.1"),
        (1e7, Types.DOUBLE(), "1.0E7"),
        (0.0001, Types.DOUBLE(), "1.0E-4"),
        (-0.0, Types.DOUBLE(), "-0.0"),
        (123.5, Types.DOUBLE(), "123.5"),
        (12345678.9, Types.FLOAT(), "1.2345679E7"),
        (("x", True, 2.5), Types.TUPLE([Types.STRING(), Types.BOOLEAN(), Types.DOUBLE()]), "(x,true,2.5)"),
        ([1, 2], Types.LIST(Types.INT()), "[1, 2]"),
        (("hi", 1), None, "('hi', 1)"),
        (("hi", 1), Types.PICKLED_BYTE_ARRAY(), "('hi', 1)"),
    ],
)
def test_records_print_as_java_prints_their_declared_type(value: Any, info: Any, text: str) -> None:
    assert format_record(value, info) == text


def test_print_uses_the_streams_declared_type(capfd: Any) -> None:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(1)
    ds = env.from_collection([("a", 1), ("b", 2)])
    ds.map(lambda t: (t[0], t[1] + 1), output_type=Types.TUPLE([Types.STRING(), Types.INT()])).print()
    ds.print()
    env.execute()
    assert capfd.readouterr().out.splitlines() == ["(a,2)", "(b,3)", "('a', 1)", "('b', 2)"]


def test_from_collection_converts_elements_to_their_declared_type() -> None:
    env = StreamExecutionEnvironment.get_execution_environment()
    named = Types.ROW_NAMED(["id", "info"], [Types.INT(), Types.STRING()])
    got = list(env.from_collection([(1, "x"), (2, "y")], type_info=named).map(lambda r: f"{r.id}:{r.info}").execute_and_collect())
    assert sorted(got) == ["1:x", "2:y"]
    floats = list(env.from_collection([("a", 110.1)], type_info=Types.TUPLE([Types.STRING(), Types.FLOAT()])).execute_and_collect())
    assert floats == [("a", struct.unpack("f", struct.pack("f", 110.1))[0])]
    assert floats[0][1] != 110.1


class _RunningSum(KeyedProcessFunction):
    def open(self, runtime_context):  # type: ignore[no-untyped-def]
        from weir.datastream.state import ValueStateDescriptor

        self.total = runtime_context.get_state(ValueStateDescriptor("total", Types.LONG()))

    def process_element(self, value, ctx):  # type: ignore[no-untyped-def]
        total = (self.total.value() or 0) + value[1]
        self.total.update(total)
        yield value[0], total


@pytest.mark.parametrize("parallelism", [1, 2, 3])
@pytest.mark.parametrize("batch", [False, True])
def test_elements_of_a_key_keep_the_collections_order(parallelism: int, batch: bool) -> None:
    from weir.datastream import RuntimeExecutionMode

    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    if batch:
        env.set_runtime_mode(RuntimeExecutionMode.BATCH)
    items = [(k, i) for i in range(1, 201) for k in ("a", "b", "c")]
    got = list(env.from_collection(items).key_by(lambda t: t[0]).process(_RunningSum()).execute_and_collect())
    for k in ("a", "b", "c"):
        sums = [s for key, s in got if key == k]
        assert sums == [i * (i + 1) // 2 for i in range(1, 201)], k
