"""Window evictors against Flink: the cases of ``flink_evictors/EvictorCases.java`` written with
Weir's Python API, compared with what Flink 2.3 printed for them (``flink_evictors/expected.txt``,
recorded by ``flink_evictors/record.py``; PyFlink's Python API has no evictors, so Flink's Java
API ran them)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from weir.common import Duration, WatermarkStrategy
from weir.common.watermark_strategy import TimestampAssigner
from weir.datastream import StreamExecutionEnvironment
from weir.datastream.functions import ProcessWindowFunction
from weir.datastream.window import (
    CountEvictor,
    CountTrigger,
    DeltaEvictor,
    Evictor,
    GlobalWindows,
    SlidingEventTimeWindows,
    TimeEvictor,
    TimeWindow,
    TumblingEventTimeWindows,
)

EXPECTED = Path(__file__).parent / "flink_evictors" / "expected.txt"
Event = tuple[str, int, int]


def _input() -> list[Event]:
    return [("b" if i % 3 == 0 else "a", (i * 7) % 23, i * 10) for i in range(60)]


class ByTime(TimestampAssigner):
    def extract_timestamp(self, value: Event, record_timestamp: int) -> int:
        return value[2]


def _window(w: Any) -> str:
    """A window as Flink's ``toString`` writes it."""
    return f"TimeWindow{{start={w.start}, end={w.end}}}" if isinstance(w, TimeWindow) else "GlobalWindow"


class Describe(ProcessWindowFunction):
    def __init__(self, name: str) -> None:
        self.name = name

    def process(self, key: str, context: ProcessWindowFunction.Context, elements: Iterable[Event]) -> Iterable[str]:
        yield f"{self.name}|{key}|{_window(context.window())}|{' '.join(str(e[1]) for e in elements)}"


class Apart:
    """Flink's ``DeltaFunction``: how far apart two elements' values are."""

    def get_delta(self, a: Event, b: Event) -> float:
        return abs(a[1] - b[1])


class KeepLast(Evictor):
    """A user-written evictor: Flink's CountEvictor.of(3) written by hand."""

    def evict_before(self, elements: list[Any], size: int, window: Any, evictor_context: Any) -> None:
        while len(elements) > 3:
            elements.pop(0)

    def evict_after(self, elements: list[Any], size: int, window: Any, evictor_context: Any) -> None:
        pass


def _cases(count: Evictor) -> list[str]:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(1)
    strategy = WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(ByTime())
    timed = env.from_collection(_input()).assign_timestamps_and_watermarks(strategy)

    def keyed() -> Any:
        return timed.key_by(lambda e: e[0])

    ms = Duration.of_millis
    streams = [
        keyed().window(TumblingEventTimeWindows.of(ms(100))).evictor(count).process(Describe("count")),
        keyed().window(TumblingEventTimeWindows.of(ms(100))).trigger(CountTrigger.of(4)).evictor(CountEvictor.of(3, True)).process(Describe("count_after")),
        keyed().window(SlidingEventTimeWindows.of(ms(120), ms(40))).evictor(TimeEvictor.of(ms(30))).process(Describe("time")),
        keyed().window(TumblingEventTimeWindows.of(ms(150))).trigger(CountTrigger.of(3)).evictor(TimeEvictor.of(ms(40), True)).process(Describe("time_after")),
        keyed().window(TumblingEventTimeWindows.of(ms(100))).evictor(DeltaEvictor.of(10.0, Apart())).process(Describe("delta")),
        keyed().window(TumblingEventTimeWindows.of(ms(100))).evictor(CountEvictor.of(2))
        .reduce(lambda a, b: (a[0], a[1] + b[1], max(a[2], b[2]))).map(lambda t: f"reduce|{t[0]}|{t[1]}|{t[2]}"),
        keyed().window(GlobalWindows.create()).trigger(CountTrigger.of(5)).evictor(CountEvictor.of(3)).process(Describe("global")),
    ]
    out: list[str] = []
    for s in streams:
        out.extend(s.execute_and_collect())
    return sorted(out)


@pytest.mark.parametrize("count", [CountEvictor.of(3), KeepLast()], ids=["built_in", "user"])
def test_evictors_match_flink(count: Evictor) -> None:
    assert _cases(count) == EXPECTED.read_text().splitlines()


def test_an_evictor_must_be_one() -> None:
    env = StreamExecutionEnvironment.get_execution_environment()
    with pytest.raises(TypeError, match="expected an Evictor"):
        env.from_collection([1]).key_by(lambda x: x).window(GlobalWindows.create()).evictor(3)  # type: ignore[arg-type]
