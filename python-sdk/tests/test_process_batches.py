"""Process functions handed a batch of elements per call (``Runner.process_batch``): every
element still sees its own key's state, timers and context. The sources here deliver elements
of many keys interleaved, about a hundred per batch; each expected result is a plain Python
fold over the input."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest

from weir import JobError
from weir.common import Configuration, Types
from weir.datastream import KeyedProcessFunction, RuntimeExecutionMode, StreamExecutionEnvironment
from weir.datastream.functions import RuntimeContext
from weir.datastream.state import ListStateDescriptor, MapStateDescriptor, ValueStateDescriptor

MODES = [(batch, workers) for batch in (False, True) for workers in (1, 2)]
KEYS = 101
MODULUS = 1_000_003
# Keys interleaved: consecutive elements almost never share a key.
RECORDS = [(i * 7919) % 20011 for i in range(6000)]


def _env(batch: bool, workers: int) -> StreamExecutionEnvironment:
    env = StreamExecutionEnvironment.get_execution_environment(Configuration())
    env.set_parallelism(workers)
    env.set_runtime_mode(RuntimeExecutionMode.BATCH if batch else RuntimeExecutionMode.STREAMING)
    return env


class Fold(KeyedProcessFunction):
    """Per key: an order-dependent fold in a ValueState, the values in a ListState, a count per
    residue in a MapState; each element emits its key and the fold after it, and a timer per key
    (at the end of the input) emits the key's final state."""

    def open(self, runtime_context: RuntimeContext) -> None:
        self.fold = runtime_context.get_state(ValueStateDescriptor("fold", Types.LONG()))
        self.values = runtime_context.get_list_state(ListStateDescriptor("values", Types.LONG()))
        self.residues = runtime_context.get_map_state(MapStateDescriptor("residues", Types.INT(), Types.LONG()))

    def process_element(self, value: int, ctx: KeyedProcessFunction.Context) -> Iterator[Any]:
        key = ctx.get_current_key()
        assert key == value % KEYS, (key, value)
        fold = ((self.fold.value() or 0) * 31 + value) % MODULUS
        self.fold.update(fold)
        self.values.add(value)
        self.residues.put(value % 3, (self.residues.get(value % 3) or 0) + 1)
        ctx.timer_service().register_event_time_timer(1)
        yield "element", key, value, fold

    def on_timer(self, timestamp: int, ctx: KeyedProcessFunction.OnTimerContext) -> Iterator[Any]:
        values = sorted(self.values.get())
        yield "final", ctx.get_current_key(), len(values), sum(values), sorted(self.residues.items())


def _reference(records: list[int]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The per-element outputs (in input order) and each key's final state, folded in Python."""
    folds: dict[int, int] = defaultdict(int)
    values: dict[int, list[int]] = defaultdict(list)
    elements = []
    for v in records:
        key = v % KEYS
        folds[key] = (folds[key] * 31 + v) % MODULUS
        values[key].append(v)
        elements.append(("element", key, v, folds[key]))
    finals = []
    for key, vs in values.items():
        residues = defaultdict(int)
        for v in vs:
            residues[v % 3] += 1
        finals.append(("final", key, len(vs), sum(vs), sorted(residues.items())))
    return elements, sorted(finals)


@pytest.mark.parametrize("batch,workers", MODES)
def test_state_stays_per_key_within_a_batch(batch: bool, workers: int) -> None:
    out = list(_env(batch, workers).from_collection(RECORDS, type_info=Types.LONG()).key_by(lambda v: v % KEYS).process(Fold()).execute_and_collect())
    elements, finals = _reference(RECORDS)
    assert sorted(r for r in out if r[0] == "final") == finals
    got = [r for r in out if r[0] == "element"]
    if workers == 1:
        # One worker sees the elements in input order, so each fold is exactly the reference's.
        assert got == elements
    else:
        # Two workers deal the input between them: per key, the order of arrival varies, but
        # every element is there with its own key.
        assert sorted(r[:3] for r in got) == sorted(r[:3] for r in elements)


class FailsOn(KeyedProcessFunction):
    def process_element(self, value: int, ctx: KeyedProcessFunction.Context) -> Iterator[int]:
        if value == 4321:
            raise ValueError("cannot process it")
        yield value


def test_an_exception_names_the_element_of_the_batch_it_failed_on() -> None:
    env = _env(False, 1)
    with pytest.raises(JobError, match=r"(?s)FailsOn.*ValueError: cannot process it.*while processing the element 4321 \(key 21, timestamp None\)") as caught:
        list(env.from_collection(list(range(5000)), type_info=Types.LONG()).key_by(lambda v: v % 100).process(FailsOn()).execute_and_collect())
    assert isinstance(caught.value.__cause__, ValueError)
