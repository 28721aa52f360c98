"""The window assigners, triggers and the window operator, driven directly by a test harness
(``window_harness.py``). Expected results are plain Python folds over the input."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import pytest

from weir.common.time import Time
from weir.datastream import OutputTag
from weir.datastream.functions import AggregateFunction, ProcessWindowFunction, WindowFunction
from weir.datastream.state import ValueStateDescriptor
from weir.datastream.window import (
    MAX_LONG,
    ContinuousEventTimeTrigger,
    ContinuousProcessingTimeTrigger,
    CountSlidingWindowAssigner,
    CountTrigger,
    CountTumblingWindowAssigner,
    CountWindow,
    DynamicEventTimeSessionWindows,
    EventTimeSessionWindows,
    GlobalWindows,
    ProcessingTimeSessionWindows,
    PurgingTrigger,
    SlidingEventTimeWindows,
    TimeWindow,
    TumblingEventTimeWindows,
    TumblingProcessingTimeWindows,
)
from weir.datastream.window_functions import internal
from weir.datastream.window_operator import WindowOperator
from weir.datastream.window_state import AggregateContents, ListContents, ReduceContents
from window_harness import Harness


# ----- assigners -----
def _reference_windows(t: int, size: int, slide: int, offset: int) -> set[tuple[int, int]]:
    """Every [s, s + size) with s = offset (mod slide) containing t, by scanning."""
    return {(s, s + size) for s in range(t - size - slide, t + slide + 1) if (s - offset) % slide == 0 and s <= t < s + size}


@pytest.mark.parametrize("size,slide,offset", [(5, 5, 0), (5, 5, 2), (6, 2, 0), (10, 3, 1), (7, 7, -3), (4, 6, 0)])
def test_time_window_assigners_match_a_scan(size: int, slide: int, offset: int) -> None:
    if size == slide:
        assigner: Any = TumblingEventTimeWindows.of(Time.milliseconds(size), Time.milliseconds(offset))
    else:
        assigner = SlidingEventTimeWindows.of(Time.milliseconds(size), Time.milliseconds(slide), Time.milliseconds(offset))
    for t in range(-40, 40):
        got = {(w.start, w.end) for w in assigner.assign_windows(None, t, None)}
        assert got == _reference_windows(t, size, slide, offset), t


def test_assigner_parameters_are_checked() -> None:
    with pytest.raises(ValueError, match="abs\\(offset\\) < size"):
        TumblingEventTimeWindows.of(Time.seconds(1), Time.seconds(1))
    with pytest.raises(ValueError, match="gap must be positive"):
        EventTimeSessionWindows.with_gap(Time.milliseconds(0))
    with pytest.raises(ValueError, match="no timestamp"):
        TumblingEventTimeWindows.of(Time.seconds(1)).assign_windows("x", None, None)  # type: ignore[arg-type]


def test_time_window_basics() -> None:
    w = TimeWindow(10, 20)
    assert (w.start, w.end, w.max_timestamp()) == (10, 20, 19)
    assert w.intersects(TimeWindow(20, 25)) and not w.intersects(TimeWindow(21, 25))
    assert w.cover(TimeWindow(5, 12)) == TimeWindow(5, 20)
    assert CountWindow(3).max_timestamp() == MAX_LONG and CountWindow(3) == CountWindow(3)


class _Collect:
    def __init__(self) -> None:
        self.merges: list[tuple[list[TimeWindow], TimeWindow]] = []

    def merge(self, to_be_merged: Iterable[TimeWindow], merge_result: TimeWindow) -> None:
        self.merges.append((sorted(to_be_merged), merge_result))


def test_session_merging_groups_overlapping_and_touching_windows() -> None:
    windows = [TimeWindow(0, 5), TimeWindow(5, 8), TimeWindow(3, 4), TimeWindow(9, 10), TimeWindow(20, 30), TimeWindow(25, 26)]
    c = _Collect()
    TimeWindow.merge_windows(windows, c)
    assert c.merges == [([TimeWindow(0, 5), TimeWindow(3, 4), TimeWindow(5, 8)], TimeWindow(0, 8)),
                        ([TimeWindow(20, 30), TimeWindow(25, 26)], TimeWindow(20, 30))]


# ----- the operator -----
def _operator(assigner: Any, contents: Any = None, function: Any = None, trigger: Any = None, lateness: int = 0, tag: Any = None) -> WindowOperator:
    return WindowOperator(assigner, trigger or assigner.get_default_trigger(None), contents or ListContents(), internal(function, False), lateness, tag)


def _events(seed: int, n: int = 300, keys: str = "abc", span: int = 200, disorder: int = 0) -> list[tuple[str, int, int]]:
    """(key, value, timestamp), timestamps rising with jitter up to ``disorder`` back."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        base = i * span // n
        out.append((rng.choice(keys), rng.randint(1, 100), max(0, base - rng.randint(0, disorder))))
    return out


def _run(op: WindowOperator, events: list[tuple[str, int, int]], bound: int) -> Harness:
    """Each record, then the watermark ``max timestamp so far - bound`` (as a bounded
    out-of-orderness strategy would emit), and the final watermark."""
    h = Harness(op)
    high = None
    for k, v, t in events:
        h.element(k, (k, v, t), t)
        high = t if high is None else max(high, t)
        h.advance_watermark(high - bound - 1)
    h.advance_watermark(MAX_LONG)
    return h


def _sum_reduce(a: tuple[str, int, int], b: tuple[str, int, int]) -> tuple[str, int, int]:
    return (a[0], a[1] + b[1], max(a[2], b[2]))


def test_tumbling_reduce_matches_a_fold_and_sorted_input() -> None:
    events = _events(1, disorder=15)
    expected: dict[tuple[str, int], int] = defaultdict(int)
    for k, v, t in events:
        expected[(k, t - t % 20)] += v
    runs = []
    for evs in (events, sorted(events, key=lambda e: e[2])):
        h = _run(_operator(TumblingEventTimeWindows.of(Time.milliseconds(20)), ReduceContents(_sum_reduce)), evs, bound=15)
        runs.append(sorted((ts, r[0], r[1]) for ts, r in h.out))
        assert h.live_state() == {} and h.timers == set()
    assert runs[0] == runs[1] == sorted((start + 19, k, s) for (k, start), s in expected.items())


class _Avg(AggregateFunction):
    def create_accumulator(self) -> tuple[int, int]:
        return (0, 0)

    def add(self, value: tuple[str, int, int], acc: tuple[int, int]) -> tuple[int, int]:
        return (acc[0] + value[1], acc[1] + 1)

    def get_result(self, acc: tuple[int, int]) -> float:
        return acc[0] / acc[1]

    def merge(self, a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
        return (a[0] + b[0], a[1] + b[1])


class _KeyWindowResult(ProcessWindowFunction):
    def process(self, key: str, context: ProcessWindowFunction.Context, elements: Iterable[Any]) -> Iterable[Any]:
        w = context.window()
        yield (key, w.start, w.end, sorted(elements))


def test_sliding_aggregate_with_a_process_window_function() -> None:
    events = _events(2, disorder=5)
    size, slide = 30, 10
    values: dict[tuple[str, int], list[int]] = defaultdict(list)
    for k, v, t in events:
        for s, _ in _reference_windows(t, size, slide, 0):
            values[(k, s)].append(v)
    h = _run(
        _operator(SlidingEventTimeWindows.of(Time.milliseconds(size), Time.milliseconds(slide)), AggregateContents(_Avg()), _KeyWindowResult()), events, bound=5
    )
    got = sorted((ts, r[0], r[1], r[2], r[3][0]) for ts, r in h.out)
    assert got == sorted((s + size - 1, k, s, s + size, sum(vs) / len(vs)) for (k, s), vs in values.items())


def _sessions(events: list[tuple[str, int, int]], gap: Any) -> list[tuple[str, int, int, list[int]]]:
    """Per key, sessions by sorting timestamps: a new one starts when the next element starts
    after the current session's end (``t + gap(element)``)."""
    per_key: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for k, v, t in events:
        per_key[k].append((t, v))
    out = []
    for k, items in per_key.items():
        items.sort()
        start, end, vals = None, None, []
        for t, v in items:
            if end is not None and t > end:
                out.append((k, start, end, sorted(vals)))
                start, end, vals = None, None, []
            start = t if start is None else start
            end = max(end or t, t + gap((k, v, t)))
            vals.append(v)
        out.append((k, start, end, sorted(vals)))
    return sorted(out)


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_session_windows_match_sessionizing_sorted_timestamps(seed: int) -> None:
    events = _events(seed, n=200, span=2000, disorder=10)
    h = _run(_operator(EventTimeSessionWindows.with_gap(Time.milliseconds(25)), function=_KeyWindowResult()), events, bound=10)
    got = sorted((r[0], r[1], r[2], [e[1] for e in r[3]]) for ts, r in h.out)
    assert got == [(k, s, e, sorted(vs)) for k, s, e, vs in _sessions(events, lambda e: 25)]
    assert all(ts == r[2] - 1 for ts, r in h.out)
    assert h.live_state() == {}


def test_dynamic_session_gap_and_session_reduce() -> None:
    events = _events(6, n=150, span=3000, disorder=0)
    gap = lambda e: 10 + e[1] % 40  # noqa: E731
    h = _run(_operator(DynamicEventTimeSessionWindows.with_dynamic_gap(gap), ReduceContents(_sum_reduce)), events, bound=0)
    got = sorted((r[0], r[1]) for _, r in h.out)
    assert got == sorted((k, sum(vs)) for k, _, _, vs in _sessions(events, gap))


def test_count_windows_tumbling_and_sliding() -> None:
    events = _events(7, n=100)
    per_key: dict[str, list[int]] = defaultdict(list)
    for k, v, _ in events:
        per_key[k].append(v)
    for assigner, size, slide in ((CountTumblingWindowAssigner.of(4), 4, 4), (CountSlidingWindowAssigner.of(5, 2), 5, 2)):
        h = Harness(_operator(assigner, ReduceContents(_sum_reduce)))
        for k, v, t in events:
            h.element(k, (k, v, t), t)
        expected = sorted((k, sum(vs[i:i + size])) for k, vs in per_key.items() for i in range(0, len(vs) - size + 1, slide))
        assert sorted((r[0], r[1]) for _, r in h.out) == expected
        assert all(ts == MAX_LONG for ts, _ in h.out)


def _late_run(lateness: int, tag: Any) -> Harness:
    """Window [0, 10): elements at 1, 2; watermark 12 fires it; then 5 (late by 7); then the
    watermark moves to 30 and 8 arrives (late by 22)."""
    h = Harness(_operator(TumblingEventTimeWindows.of(Time.milliseconds(10)), ReduceContents(lambda a, b: a + b), lateness=lateness, tag=tag))
    h.element("k", 1, 1)
    h.element("k", 2, 2)
    h.advance_watermark(12)
    h.element("k", 5, 5)
    h.advance_watermark(30)
    h.element("k", 8, 8)
    h.advance_watermark(MAX_LONG)
    return h


def test_late_elements_are_dropped_by_default() -> None:
    h = _late_run(0, None)
    assert h.out == [(9, 3)] and h.side == []
    assert h.op.late_records_dropped == 2


def test_allowed_lateness_refires_with_the_updated_contents_then_side_outputs() -> None:
    h = _late_run(10, OutputTag("late"))
    assert h.out == [(9, 3), (9, 8)]
    assert h.side == [("late", 8)]
    assert h.op.late_records_dropped == 0 and h.live_state() == {}


def test_side_output_without_lateness() -> None:
    h = _late_run(0, OutputTag("late"))
    assert h.out == [(9, 3)] and h.side == [("late", 5), ("late", 8)]


def test_processing_time_windows_fire_on_the_clock() -> None:
    h = Harness(_operator(TumblingProcessingTimeWindows.of(Time.milliseconds(100)), ReduceContents(lambda a, b: a + b)))
    for now, v in [(5, 1), (50, 2), (99, 3), (100, 10), (250, 100)]:
        h.now = now
        h.element("k", v)
    h.advance_processing_time(150)
    assert h.out == [(99, 6)]
    h.advance_processing_time(400)
    assert h.out == [(99, 6), (199, 10), (299, 100)]
    assert h.live_state() == {}


def test_processing_time_sessions() -> None:
    h = Harness(_operator(ProcessingTimeSessionWindows.with_gap(Time.milliseconds(10)), ReduceContents(lambda a, b: a + b)))
    for now, v in [(0, 1), (5, 2), (13, 4), (40, 8)]:
        h.advance_processing_time(now)
        h.element("k", v)
    h.advance_processing_time(100)
    assert h.out == [(22, 7), (49, 8)]


def test_continuous_event_time_trigger_fires_early_and_at_the_end() -> None:
    op = _operator(
        TumblingEventTimeWindows.of(Time.milliseconds(100)), ReduceContents(lambda a, b: a + b), trigger=ContinuousEventTimeTrigger.of(Time.milliseconds(30))
    )
    h = Harness(op)
    for t in (5, 20, 40, 70, 95):
        h.element("k", t, t)
        h.advance_watermark(t)
    h.advance_watermark(MAX_LONG)
    # firings every 30 ms of event time from the first element's period (30, 60, 90), each
    # once the watermark passes it (so 30 includes the element at 40), then the window's end
    assert h.out == [(99, 5 + 20 + 40), (99, 5 + 20 + 40 + 70), (99, 230), (99, 230)]


def test_count_and_purging_triggers_on_time_windows() -> None:
    window = TumblingEventTimeWindows.of(Time.milliseconds(100))
    h = Harness(_operator(window, ReduceContents(lambda a, b: a + b), trigger=CountTrigger.of(2)))
    for t in (1, 2, 3, 4, 5):
        h.element("k", t, t)
    assert h.out == [(99, 3), (99, 10)]
    h = Harness(_operator(window, ReduceContents(lambda a, b: a + b), trigger=PurgingTrigger.of(CountTrigger.of(2))))
    for t in (1, 2, 3, 4, 5):
        h.element("k", t, t)
    assert h.out == [(99, 3), (99, 7)]


def test_global_windows_with_a_count_trigger() -> None:
    h = Harness(_operator(GlobalWindows.create(), ReduceContents(lambda a, b: a + b), trigger=PurgingTrigger.of(CountTrigger.of(3))))
    for v in range(1, 8):
        h.element("k", v, v)
    assert [v for _, v in h.out] == [6, 15]


class _Apply(WindowFunction):
    def apply(self, key: str, window: TimeWindow, inputs: Iterable[int]) -> Iterable[Any]:
        return [(key, window.start, sum(inputs))]


class _Firings(ProcessWindowFunction):
    """Counts firings per window in window state; global state counts all firings of the key."""

    cleared: list[Any] = []

    def process(self, key: str, context: Any, elements: Iterable[int]) -> Iterable[Any]:
        fired = context.window_state().get_state(ValueStateDescriptor("fired"))
        fired.update((fired.value() or 0) + 1)
        yield (key, context.window().start, fired.value(), context.current_watermark())

    def clear(self, context: Any) -> None:
        context.window_state().get_state(ValueStateDescriptor("fired")).clear()
        _Firings.cleared.append(context.window())


def test_apply_and_process_context() -> None:
    h = Harness(_operator(TumblingEventTimeWindows.of(Time.milliseconds(10)), function=_Apply()))
    h.element("a", 1, 1)
    h.element("a", 2, 12)
    h.advance_watermark(MAX_LONG)
    assert h.out == [(9, ("a", 0, 1)), (19, ("a", 10, 2))]
    h = Harness(_operator(TumblingEventTimeWindows.of(Time.milliseconds(10)), function=_Firings(), lateness=100))
    h.element("a", 1, 1)
    h.advance_watermark(10)
    h.element("a", 2, 3)
    h.advance_watermark(MAX_LONG)
    assert h.out == [(9, ("a", 0, 1, 10)), (9, ("a", 0, 2, 10))]
    assert _Firings.cleared == [TimeWindow(0, 10)] and h.live_state() == {}


@pytest.mark.parametrize("lateness,tagged", [(0, False), (0, True), (15, True), (40, False)])
@pytest.mark.parametrize("kind", ["tumbling", "sliding", "session"])
def test_late_rows_seen_behind_their_watermark_equal_a_watermark_after_every_record(kind: str, lateness: int, tagged: bool) -> None:
    """As the engine runs it: the watermark stays behind (here until the end) except that a late
    row is seen behind the watermark it was late against where event time was assigned (the
    assigner's ``max so far - bound``); the results equal those of a watermark delivered after
    every record, late elements included."""
    events = _events(11, n=250, span=1000, disorder=40)
    bound = 10  # smaller than the disorder: some elements are late
    assigners = {"tumbling": TumblingEventTimeWindows.of(Time.milliseconds(30)),
                 "sliding": SlidingEventTimeWindows.of(Time.milliseconds(30), Time.milliseconds(10)),
                 "session": EventTimeSessionWindows.with_gap(Time.milliseconds(8))}

    def op() -> WindowOperator:
        return WindowOperator(assigners[kind], assigners[kind].get_default_trigger(None), ListContents(), internal(_KeyWindowResult(), False),
                              lateness, OutputTag("late") if tagged else None)

    explicit = _run(op(), events, bound)
    engine = Harness(op())
    assigned = None  # the assigner's watermark, Flink's terms
    for k, v, t in events:
        late = assigned is not None and t <= assigned
        engine.element(k, (k, v, t), t, watermark=assigned if late else None)
        if not late:
            assigned = max(assigned if assigned is not None else t - bound - 1, t - bound - 1)
    engine.advance_watermark(MAX_LONG)
    assert sorted(engine.out) == sorted(explicit.out)
    assert sorted(engine.side) == sorted(explicit.side)
    assert engine.op.late_records_dropped == explicit.op.late_records_dropped
    if lateness == 0:
        assert explicit.op.late_records_dropped + len(explicit.side) > 0


def test_continuous_processing_time_trigger() -> None:
    op = _operator(TumblingProcessingTimeWindows.of(Time.milliseconds(100)), ReduceContents(lambda a, b: a + b),
                   trigger=ContinuousProcessingTimeTrigger.of(Time.milliseconds(40)))
    h = Harness(op)
    for now, v in [(5, 1), (30, 2), (45, 4), (90, 8)]:
        h.advance_processing_time(now)
        h.element("k", v)
    h.advance_processing_time(200)
    # firings every 40 ms from the first element's period (40, 80) and the window's last
    # millisecond (99, where the next period would be past the window)
    assert h.out == [(99, 1 + 2), (99, 1 + 2 + 4), (99, 15)]
