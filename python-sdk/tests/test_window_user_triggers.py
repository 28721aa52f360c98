"""A user-written trigger runs from the engine's window operator (``WindowRunner.trigger``):
its partitioned state per key and window, merged when sessions merge (``on_merge`` with
``merge_partitioned_state``), its timers. Checked against Flink's ``CountTrigger``, which the
engine runs natively, and against the SDK's Python window operator running the same user
trigger: three implementations of the same documented behaviour."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from weir.common import Time, Types, WatermarkStrategy
from weir.common.watermark_strategy import TimestampAssigner
from weir.datastream import StreamExecutionEnvironment
from weir.datastream.functions import ProcessWindowFunction
from weir.datastream.state import ReducingStateDescriptor
from weir.datastream.window import (
    CountTrigger,
    EventTimeSessionWindows,
    PurgingTrigger,
    Trigger,
    TriggerResult,
    TumblingEventTimeWindows,
)


class MyCount(Trigger):
    """Flink's CountTrigger written as a user would: fires every ``n`` elements."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.count = ReducingStateDescriptor("my-count", lambda a, b: a + b, Types.LONG())

    def on_element(self, element: Any, timestamp: int, window: Any, ctx: Any) -> TriggerResult:
        state = ctx.get_partitioned_state(self.count)
        state.add(1)
        if state.get() >= self.n:
            state.clear()
            return TriggerResult.FIRE
        return TriggerResult.CONTINUE

    def on_processing_time(self, time: int, window: Any, ctx: Any) -> TriggerResult:
        return TriggerResult.CONTINUE

    def on_event_time(self, time: int, window: Any, ctx: Any) -> TriggerResult:
        return TriggerResult.CONTINUE

    def can_merge(self) -> bool:
        return True

    def on_merge(self, window: Any, ctx: Any) -> None:
        ctx.merge_partitioned_state(self.count)

    def clear(self, window: Any, ctx: Any) -> None:
        ctx.get_partitioned_state(self.count).clear()


class EndTimer(Trigger):
    """Fires at the window's end through a timer of its own (registered per element)."""

    def on_element(self, element: Any, timestamp: int, window: Any, ctx: Any) -> TriggerResult:
        ctx.register_event_time_timer(window.max_timestamp())
        return TriggerResult.CONTINUE

    def on_processing_time(self, time: int, window: Any, ctx: Any) -> TriggerResult:
        return TriggerResult.CONTINUE

    def on_event_time(self, time: int, window: Any, ctx: Any) -> TriggerResult:
        return TriggerResult.FIRE if time == window.max_timestamp() else TriggerResult.CONTINUE

    def clear(self, window: Any, ctx: Any) -> None:
        ctx.delete_event_time_timer(window.max_timestamp())


class Stamp(TimestampAssigner):
    def extract_timestamp(self, value: Any, record_timestamp: int) -> int:
        return int(value[2])


class Describe(ProcessWindowFunction):
    def process(self, key: Any, context: Any, elements: Iterable[Any]) -> Iterable[Any]:
        values = [e[1] for e in elements]
        yield (key, context.window().start, context.window().end, len(values), sum(values))


# Per key: bursts whose sessions (gap 10) merge as later elements arrive between them.
EVENTS = [(k, v, t) for k in "ab" for v, t in [(1, 0), (2, 25), (3, 12), (4, 5), (5, 18), (6, 40), (7, 60), (8, 33), (9, 50), (10, 70)]]


def _run(trigger: Any, assigner: Any) -> list[Any]:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(1)
    strategy = WatermarkStrategy.for_bounded_out_of_orderness(Time.milliseconds(100)).with_timestamp_assigner(Stamp())
    stream = env.from_collection(EVENTS).assign_timestamps_and_watermarks(strategy).key_by(lambda e: e[0])
    out = stream.window(assigner).trigger(trigger).process(Describe())
    return sorted(out.execute_and_collect())


@pytest.mark.parametrize("purging", [False, True])
def test_a_user_count_trigger_on_merging_sessions_equals_flinks_count_trigger(purging: bool) -> None:
    sessions = EventTimeSessionWindows.with_gap(Time.milliseconds(10))

    def wrap(t: Trigger) -> Trigger:
        return PurgingTrigger.of(t) if purging else t

    native = _run(wrap(CountTrigger.of(3)), sessions)
    assert native, "the sessions fire"
    assert _run(wrap(MyCount(3)), sessions) == native


def test_a_user_trigger_with_its_own_timers_fires_each_window_at_its_end() -> None:
    tumbling = TumblingEventTimeWindows.of(Time.milliseconds(20))
    expected: dict[tuple[str, int], list[int]] = {}
    for k, v, t in EVENTS:
        expected.setdefault((k, t - t % 20), []).append(v)
    want = sorted((k, s, s + 20, len(vs), sum(vs)) for (k, s), vs in expected.items())
    assert _run(EndTimer(), tumbling) == want
