"""Issue #14: a ``Row`` with named fields reaches DataStream functions as a ``Row`` (``r.info``
works), through shuffles, keyed state, unions and nested rows, on one and two workers."""

from __future__ import annotations

import pytest

from weir.common import Row
from weir.common.typeinfo import Types
from weir.datastream import StreamExecutionEnvironment
from weir.datastream.functions import KeyedProcessFunction

NESTED = Types.ROW_NAMED(["id", "data"], [Types.INT(), Types.ROW_NAMED(["info"], [Types.STRING()])])


class _Info(KeyedProcessFunction):
    def process_element(self, value, ctx):  # type: ignore[no-untyped-def]
        yield value.data.info


@pytest.mark.parametrize("parallelism", [1, 2])
def test_named_rows_keep_their_names(parallelism: int) -> None:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    rows = [Row(id=1, data=Row(info="a")), Row(id=2, data=Row(info="b"))]
    src = env.from_collection(rows, type_info=NESTED)
    assert sorted(src.map(lambda r: r.data.info).execute_and_collect()) == ["a", "b"]
    assert sorted(src.key_by(lambda r: r.id).process(_Info()).execute_and_collect()) == ["a", "b"]
    both = src.union(env.from_collection(rows, type_info=NESTED)).rebalance()
    assert sorted(both.map(lambda r: f"{r.id}{r.data.info}").execute_and_collect()) == ["1a", "1a", "2b", "2b"]
    summed = src.key_by(lambda r: 0).reduce(lambda a, b: Row(id=a.id + b.id, data=b.data))
    assert list(summed.map(lambda r: r.id).execute_and_collect())[-1] == 3
