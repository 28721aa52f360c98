"""DataStream windows end to end: PyFlink programs (``pyflink`` replaced by ``weir``) with event-
and processing-time windows, count windows, lateness and the late-data side output, run by the
engine. Expected results are plain Python folds over the input."""

from __future__ import annotations

import logging
import random
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import pytest

from weir import JobError
from weir.common import Duration, Time, WatermarkStrategy
from weir.common.watermark_strategy import TimestampAssigner
from weir.datastream import OutputTag, RuntimeExecutionMode, StreamExecutionEnvironment
from weir.datastream.functions import (
    AggregateFunction,
    AllWindowFunction,
    ProcessAllWindowFunction,
    ProcessFunction,
    ProcessWindowFunction,
    ReduceFunction,
    WindowFunction,
)
from weir.datastream.state import ValueStateDescriptor
from weir.datastream.window import (
    ContinuousEventTimeTrigger,
    CountTrigger,
    CountWindow,
    DynamicEventTimeSessionWindows,
    EventTimeSessionWindows,
    PurgingTrigger,
    SlidingEventTimeWindows,
    TimeWindow,
    TumblingEventTimeWindows,
    TumblingProcessingTimeWindows,
)

Event = tuple[str, int, int]  # key, value, event time (ms)


class ByTime(TimestampAssigner):
    def extract_timestamp(self, value: Event, record_timestamp: int) -> int:
        return value[2]


def _env(workers: int = 1, batch: bool = False) -> StreamExecutionEnvironment:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(workers)
    env.set_runtime_mode(RuntimeExecutionMode.BATCH if batch else RuntimeExecutionMode.STREAMING)
    return env


def _timed(env: StreamExecutionEnvironment, events: list[Event], bound: int) -> Any:
    strategy = WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_millis(bound)).with_timestamp_assigner(ByTime())
    return env.from_collection(events).assign_timestamps_and_watermarks(strategy)


def _events(seed: int, n: int = 400, span: int = 2000, disorder: int = 0, keys: str = "abcd") -> list[Event]:
    """Timestamps rising over ``span`` ms, each up to ``disorder`` ms earlier than its slot."""
    rng = random.Random(seed)
    return [(rng.choice(keys), rng.randint(1, 50), max(0, i * span // n - rng.randint(0, disorder))) for i in range(n)]


class SumValues(ReduceFunction):
    def reduce(self, a: Event, b: Event) -> Event:
        return (a[0], a[1] + b[1], max(a[2], b[2]))


class Average(AggregateFunction):
    def create_accumulator(self) -> tuple[int, int]:
        return (0, 0)

    def add(self, value: Event, acc: tuple[int, int]) -> tuple[int, int]:
        return (acc[0] + value[1], acc[1] + 1)

    def get_result(self, acc: tuple[int, int]) -> tuple[int, int]:
        return acc

    def merge(self, a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
        return (a[0] + b[0], a[1] + b[1])


class Describe(ProcessWindowFunction):
    """(key, window start, window end, sorted values) for each window."""

    def process(self, key: str, context: Any, elements: Iterable[Event]) -> Iterable[Any]:
        w = context.window()
        yield (key, w.start, w.end, sorted(e[1] for e in elements))


class WithWindow(ProcessWindowFunction):
    """The reduced / aggregated value with its window."""

    def process(self, key: str, context: Any, elements: Iterable[Any]) -> Iterable[Any]:
        (value,) = list(elements)
        yield (key, context.window().start, context.window().end, value)


def _windows_of(t: int, size: int, slide: int) -> list[int]:
    """Starts of the windows of ``size`` every ``slide`` holding ``t`` (by scanning)."""
    return [s for s in range(t - size + 1, t + 1) if s % slide == 0]


def _by_window(events: list[Event], size: int, slide: int) -> dict[tuple[str, int], list[int]]:
    out: dict[tuple[str, int], list[int]] = defaultdict(list)
    for k, v, t in events:
        for s in _windows_of(t, size, slide):
            out[(k, s)].append(v)
    return out


def _sessions(events: list[Event], gap: int) -> list[tuple[str, int, int, list[int]]]:
    per_key: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for k, v, t in events:
        per_key[k].append((t, v))
    out = []
    for k, items in per_key.items():
        items.sort()
        group = [items[0]]
        for t, v in items[1:]:
            if t > group[-1][0] + gap:  # sessions that touch merge
                out.append((k, group[0][0], group[-1][0] + gap, sorted(x for _, x in group)))
                group = []
            group.append((t, v))
        out.append((k, group[0][0], group[-1][0] + gap, sorted(x for _, x in group)))
    return sorted(out)


def _run(events: list[Event], build: Any, workers: int = 1, batch: bool = False, bound: int = 0) -> list[Any]:
    env = _env(workers, batch)
    return sorted(build(_timed(env, events, bound).key_by(lambda e: e[0])).execute_and_collect())


# ----- every window kind with reduce, aggregate and process -----
@pytest.mark.parametrize("size,slide", [(100, 100), (100, 40)])
def test_time_windows_reduce_aggregate_process(size: int, slide: int) -> None:
    events = _events(1)
    expected = _by_window(events, size, slide)
    assigner = (
        TumblingEventTimeWindows.of(Time.milliseconds(size)) if size == slide else SlidingEventTimeWindows.of(Time.milliseconds(size), Time.milliseconds(slide))
    )
    reduced = _run(events, lambda ks: ks.window(assigner).reduce(SumValues(), WithWindow()))
    assert [(k, s, e, v[1]) for k, s, e, v in reduced] == sorted((k, s, s + size, sum(vs)) for (k, s), vs in expected.items())
    aggregated = _run(events, lambda ks: ks.window(assigner).aggregate(Average(), WithWindow()))
    assert aggregated == sorted((k, s, s + size, (sum(vs), len(vs))) for (k, s), vs in expected.items())
    processed = _run(events, lambda ks: ks.window(assigner).process(Describe()))
    assert processed == sorted((k, s, s + size, sorted(vs)) for (k, s), vs in expected.items())


def test_session_windows_reduce_aggregate_process() -> None:
    events = _events(2, n=300, span=6000)
    expected = _sessions(events, 30)
    sessions = EventTimeSessionWindows.with_gap(Time.milliseconds(30))
    processed = _run(events, lambda ks: ks.window(sessions).process(Describe()))
    assert processed == expected
    reduced = _run(events, lambda ks: ks.window(sessions).reduce(SumValues(), WithWindow()))
    assert [(k, s, e, v[1]) for k, s, e, v in reduced] == [(k, s, e, sum(vs)) for k, s, e, vs in expected]
    aggregated = _run(events, lambda ks: ks.window(sessions).aggregate(Average()))
    assert aggregated == sorted((sum(vs), len(vs)) for _, _, _, vs in expected)


class CountDescribe(ProcessWindowFunction):
    def process(self, key: str, context: Any, elements: Iterable[Event]) -> Iterable[Any]:
        assert isinstance(context.window(), CountWindow) and isinstance(context, ProcessWindowFunction.Context)
        yield (key, context.window().id, [e[1] for e in elements])


def test_count_windows_reduce_aggregate_process() -> None:
    events = _events(3, n=200)
    per_key: dict[str, list[int]] = defaultdict(list)
    for k, v, _ in events:
        per_key[k].append(v)
    for size, slide in ((5, 0), (4, 2)):
        step = slide or size
        full = {(k, i // step): vs[i:i + size] for k, vs in per_key.items() for i in range(0, len(vs) - size + 1, step)}
        processed = _run(events, lambda ks, size=size, slide=slide: ks.count_window(size, slide).process(CountDescribe()))
        assert processed == sorted((k, i, vs) for (k, i), vs in full.items())
        reduced = _run(events, lambda ks, size=size, slide=slide: ks.count_window(size, slide).reduce(SumValues()))
        assert sorted((r[0], r[1]) for r in reduced) == sorted((k, sum(vs)) for (k, _), vs in full.items())
        aggregated = _run(events, lambda ks, size=size, slide=slide: ks.count_window(size, slide).aggregate(Average()))
        assert aggregated == sorted((sum(vs), len(vs)) for vs in full.values())


class Apply(WindowFunction):
    def apply(self, key: str, window: TimeWindow, inputs: Iterable[Event]) -> Iterable[Any]:
        yield (key, window.start, len(list(inputs)))


class AllApply(AllWindowFunction):
    def apply(self, window: TimeWindow, inputs: Iterable[Event]) -> Iterable[Any]:
        yield (window.start, sum(e[1] for e in inputs))


def test_apply_and_window_all() -> None:
    events = _events(4)
    expected = _by_window(events, 200, 200)
    assert _run(events, lambda ks: ks.window(TumblingEventTimeWindows.of(Time.milliseconds(200))).apply(Apply())) == \
        sorted((k, s, len(vs)) for (k, s), vs in expected.items())
    env = _env()
    totals: dict[int, int] = defaultdict(int)
    for (_, s), vs in expected.items():
        totals[s] += sum(vs)
    out = _timed(env, events, 0).window_all(TumblingEventTimeWindows.of(Time.milliseconds(200))).apply(AllApply())
    assert sorted(out.execute_and_collect()) == sorted(totals.items())


# ----- order, workers, modes -----
def test_out_of_order_within_the_bound_equals_sorted_input() -> None:
    events = _events(5, disorder=30)
    sorted_events = sorted(events, key=lambda e: e[2])
    build = lambda ks: ks.window(TumblingEventTimeWindows.of(Time.milliseconds(50))).process(Describe())  # noqa: E731
    assert _run(events, build, bound=30) == _run(sorted_events, build, bound=30) == \
        sorted((k, s, s + 50, sorted(vs)) for (k, s), vs in _by_window(events, 50, 50).items())


@pytest.mark.parametrize("kind", ["tumbling", "session"])
def test_one_and_two_workers_and_batch_mode_agree(kind: str) -> None:
    events = _events(6, disorder=20)
    assigner = TumblingEventTimeWindows.of(Time.milliseconds(80)) if kind == "tumbling" else EventTimeSessionWindows.with_gap(Time.milliseconds(15))
    build = lambda ks: ks.window(assigner).process(Describe())  # noqa: E731
    one = _run(events, build, bound=20)
    assert one == _run(events, build, workers=2, bound=20)
    assert one == _run(events, build, batch=True, bound=20)
    assert one == _run(events, build, workers=2, batch=True, bound=20)


# ----- lateness -----
LATE = [("k", 1, 1), ("k", 2, 2), ("k", 4, 25), ("k", 8, 5), ("k", 16, 40), ("k", 32, 7)]
"""Window [0, 10) gets 1 and 2; 25 moves the watermark to 24 (past the window's end), so 5 is
late by 19 ms; 40 moves it to 39, so 7 is late by 32 ms."""


def _late(lateness: int | None, tag: OutputTag | None, events: list[Event] = LATE, workers: int = 1) -> tuple[list[Any], list[Any]]:
    env = _env(workers)
    windowed = _timed(env, events, 0).key_by(lambda e: e[0]).window(TumblingEventTimeWindows.of(Time.milliseconds(10)))
    if lateness is not None:
        windowed = windowed.allowed_lateness(lateness)
    if tag is not None:
        windowed = windowed.side_output_late_data(tag)
    out = windowed.reduce(SumValues(), WithWindow())
    side = out.get_side_output(tag) if tag is not None else None
    main = [(k, s, v[1]) if workers > 1 else (s, v[1]) for k, s, _, v in out.execute_and_collect()]
    return main, sorted(side.execute_and_collect()) if side is not None else []


def test_late_elements_are_dropped_by_default() -> None:
    main, _ = _late(None, None)
    assert sorted(main) == [(0, 1 + 2), (20, 4), (40, 16)]


def test_allowed_lateness_refires_with_updated_contents_and_side_outputs_beyond_it() -> None:
    main, side = _late(20, OutputTag("late"))
    # 5 is 19 ms late (within 20): [0, 10) fires again with it; 7 is 32 ms late: side output
    assert sorted(main) == [(0, 1 + 2), (0, 1 + 2 + 8), (20, 4), (40, 16)]
    assert side == [("k", 32, 7)]


def test_lateness_on_two_workers_follows_each_assigning_worker() -> None:
    """``from_collection`` deals records to the workers in turn, and each worker's assigner has
    its own watermark: with key "a" on the even positions and "b" on the odd ones, each key sees
    the LATE sequence on one worker and gets the one-worker result."""
    events = [e for pair in zip(LATE, [("b", v, t) for _, v, t in LATE]) for e in pair]
    main, side = _late(20, OutputTag("late"), events, workers=2)
    expected = [(0, 1 + 2), (0, 1 + 2 + 8), (20, 4), (40, 16)]
    assert sorted(main) == sorted((k, s, v) for k in "kb" for s, v in expected)
    assert side == [("b", 32, 7), ("k", 32, 7)]


def test_late_elements_go_to_the_side_output() -> None:
    main, side = _late(None, OutputTag("late"))
    assert sorted(main) == [(0, 1 + 2), (20, 4), (40, 16)]
    assert side == [("k", 8, 5), ("k", 32, 7)]


# ----- processing time -----
def test_processing_time_windows_hold_each_element_once() -> None:
    # batch mode: pending processing-time timers fire at the end of the input (streaming drops
    # them, as Flink does, so a short bounded job could end before its windows)
    env = _env(batch=True)
    events = _events(7, n=100)
    out = env.from_collection(events).key_by(lambda e: e[0]).window(TumblingProcessingTimeWindows.of(Time.milliseconds(50))).process(Describe())
    rows = list(out.execute_and_collect())
    assert all(e - s == 50 and s % 50 == 0 for _, s, e, _ in rows)
    per_key: dict[str, list[int]] = defaultdict(list)
    for k, _, _, vs in rows:
        per_key[k].extend(vs)
    expected: dict[str, list[int]] = defaultdict(list)
    for k, v, _ in events:
        expected[k].append(v)
    assert {k: sorted(vs) for k, vs in per_key.items()} == {k: sorted(vs) for k, vs in expected.items()}


# ----- triggers, timestamps, state -----
def test_count_trigger_and_purging_trigger_on_event_time_windows() -> None:
    events = _events(8, n=120)
    expected_fire, expected_purge = [], []
    for (k, s), vs in _by_window(events, 500, 500).items():
        # in arrival order: CountTrigger fires every 3 elements with everything so far (the
        # window is not purged); PurgingTrigger fires with the last 3 only
        expected_fire += [(k, s, sum(vs[:i])) for i in range(3, len(vs) + 1, 3)]
        expected_purge += [(k, s, sum(vs[i - 3:i])) for i in range(3, len(vs) + 1, 3)]
    window = TumblingEventTimeWindows.of(Time.milliseconds(500))
    fired = _run(events, lambda ks: ks.window(window).trigger(CountTrigger.of(3)).reduce(SumValues(), WithWindow()))
    assert [(k, s, v[1]) for k, s, _, v in fired] == sorted(expected_fire)
    purged = _run(events, lambda ks: ks.window(window).trigger(PurgingTrigger.of(CountTrigger.of(3))).reduce(SumValues(), WithWindow()))
    assert [(k, s, v[1]) for k, s, _, v in purged] == sorted(expected_purge)


def test_continuous_event_time_trigger_fires_every_interval() -> None:
    events = [("k", t, t) for t in range(0, 100, 7)]
    out = _run(events, lambda ks: ks.window(TumblingEventTimeWindows.of(Time.milliseconds(100)))
               .trigger(ContinuousEventTimeTrigger.of(Time.milliseconds(25))).reduce(SumValues(), WithWindow()))
    # firings every 25 ms of event time from the first element's period (25, 50, 75) and at the
    # window's end (99, where the next period would be past it). Each firing sees at least the
    # elements up to its time and a prefix of the input (how many more depends on when the
    # watermark reaches the operator, as in Flink); the last sees them all.
    ts = [t for _, _, t in events]
    prefix_sums = {sum(ts[:i]) for i in range(len(ts) + 1)}
    sums = sorted(v[1] for _, _, _, v in out)
    assert len(sums) == 4 and sums[-1] == sum(ts)
    for fired_at, total in zip((25, 50, 75, 99), sums):
        assert total in prefix_sums and total >= sum(t for t in ts if t <= fired_at)


class StampOf(ProcessFunction):
    def process_element(self, value: Any, ctx: Any) -> Iterable[Any]:
        yield (value, ctx.timestamp())


def test_window_results_carry_the_window_max_timestamp() -> None:
    events = _events(9, n=100)
    out = _timed(_env(), events, 0).key_by(lambda e: e[0]).window(TumblingEventTimeWindows.of(Time.milliseconds(100))) \
        .reduce(SumValues(), WithWindow()).process(StampOf())
    rows = list(out.execute_and_collect())
    assert rows and all(ts == end - 1 for (_, _, end, _), ts in rows)


class FiringCount(ProcessWindowFunction):
    """Per-window state counts the window's firings; global state the key's firings."""

    def process(self, key: str, context: Any, elements: Iterable[Event]) -> Iterable[Any]:
        in_window = context.window_state().get_state(ValueStateDescriptor("fired"))
        in_window.update((in_window.value() or 0) + 1)
        overall = context.global_state().get_state(ValueStateDescriptor("all"))
        overall.update((overall.value() or 0) + 1)
        yield (key, context.window().start, in_window.value(), overall.value())

    def clear(self, context: Any) -> None:
        context.window_state().get_state(ValueStateDescriptor("fired")).clear()


def test_process_window_function_window_and_global_state() -> None:
    events = [("k", 1, 1), ("k", 1, 2), ("k", 1, 12), ("k", 1, 3), ("k", 1, 25), ("k", 1, 4)]
    env = _env()
    out = _timed(env, events, 0).key_by(lambda e: e[0]).window(TumblingEventTimeWindows.of(Time.milliseconds(10))) \
        .allowed_lateness(100).process(FiringCount())
    # [0, 10) fires at watermark 11 (after 12), again for the late 3 and 4; [10, 20) at 24
    assert list(out.execute_and_collect()) == [("k", 0, 1, 1), ("k", 0, 2, 2), ("k", 10, 1, 3), ("k", 0, 3, 4), ("k", 20, 1, 5)]


def test_dynamic_session_gaps() -> None:
    events = _events(10, n=200, span=8000)
    gap = lambda e: 20 + e[1]  # noqa: E731
    per_key: dict[str, list[Event]] = defaultdict(list)
    for e in events:
        per_key[e[0]].append(e)
    expected = []
    for k, es in per_key.items():
        es.sort(key=lambda e: e[2])
        start, end, total = es[0][2], es[0][2] + gap(es[0]), 0
        for e in es:
            if e[2] > end:
                expected.append((k, start, end, total))
                start, end, total = e[2], e[2] + gap(e), 0
            end, total = max(end, e[2] + gap(e)), total + e[1]
        expected.append((k, start, end, total))
    out = _run(events, lambda ks: ks.window(DynamicEventTimeSessionWindows.with_dynamic_gap(gap)).reduce(SumValues(), WithWindow()))
    assert [(k, s, e, v[1]) for k, s, e, v in out] == sorted(expected)


class AllDescribe(ProcessAllWindowFunction):
    def process(self, context: Any, elements: Iterable[Event]) -> Iterable[Any]:
        yield (context.window().start, len(list(elements)))


def test_window_all_process_and_reduce() -> None:
    events = _events(12)
    counts: dict[int, int] = defaultdict(int)
    sums: dict[int, int] = defaultdict(int)
    for _, v, t in events:
        counts[t - t % 300] += 1
        sums[t - t % 300] += v
    window = TumblingEventTimeWindows.of(Time.milliseconds(300))
    assert sorted(_timed(_env(2), events, 0).window_all(window).process(AllDescribe()).execute_and_collect()) == sorted(counts.items())
    reduced = _timed(_env(), events, 0).window_all(window).reduce(lambda a, b: ("*", a[1] + b[1], max(a[2], b[2])))
    assert sorted(r[1] for r in reduced.execute_and_collect()) == sorted(sums.values())


def test_dropped_late_elements_are_counted(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="weir.datastream.window"):
        _late(None, None)
    assert any("dropped 2 late element(s)" in r.getMessage() for r in caplog.records)


def test_bad_window_arguments_are_rejected() -> None:
    ks = _timed(_env(), LATE, 0).key_by(lambda e: e[0])
    with pytest.raises(TypeError, match="needs a trigger that can merge"):
        ks.window(EventTimeSessionWindows.with_gap(Time.milliseconds(5))).trigger(_NoMerge(2))
    with pytest.raises(ValueError, match="only defined for event-time windows"):
        ks.window(TumblingProcessingTimeWindows.of(Time.milliseconds(5))).allowed_lateness(10)
    with pytest.raises(TypeError, match="expected an AggregateFunction"):
        ks.window(TumblingEventTimeWindows.of(Time.milliseconds(5))).aggregate(lambda x: x)


class _NoMerge(CountTrigger):
    def can_merge(self) -> bool:
        return False


def test_a_window_of_window_results() -> None:
    """Per-key 20 ms sums, then per-key 100 ms maxima of those sums: the second window sees the
    first one's results timed at their windows' ends."""
    events = _events(13, n=400, span=3000, disorder=10)
    sums: dict[tuple[str, int], int] = defaultdict(int)
    for k, v, t in events:
        sums[(k, t - t % 20)] += v
    maxima: dict[tuple[str, int], int] = {}
    for (k, s), total in sums.items():
        end = s + 19
        maxima[(k, end - end % 100)] = max(maxima.get((k, end - end % 100), 0), total)
    out = _run(events, lambda ks: ks.window(TumblingEventTimeWindows.of(Time.milliseconds(20))).reduce(SumValues())
               .key_by(lambda e: e[0]).window(TumblingEventTimeWindows.of(Time.milliseconds(100)))
               .reduce(lambda a, b: a if a[1] >= b[1] else b, WithWindow()), bound=10)
    assert [(k, s, v[1]) for k, s, _, v in out] == sorted((k, s, m) for (k, s), m in maxima.items())


def test_per_record_cost_is_measured() -> None:
    import time

    n = 20_000
    events = [(f"k{i % 50}", 1, i) for i in range(n)]
    start = time.perf_counter()
    out = _run(events, lambda ks: ks.window(TumblingEventTimeWindows.of(Time.milliseconds(1000))).reduce(SumValues()), bound=5)
    elapsed = time.perf_counter() - start
    assert sorted((k, v) for k, v, _ in out) == sorted((f"k{k}", 20) for k in range(50) for _ in range(n // 1000))
    print(f"\nDataStream tumbling-window reduce: {elapsed / n * 1e6:.2f} us/record ({n} records, one worker)")


def test_event_time_windows_without_timestamps_fail_clearly() -> None:
    env = _env()
    out = env.from_collection(LATE).key_by(lambda e: e[0]).window(TumblingEventTimeWindows.of(Time.milliseconds(10))).reduce(SumValues())
    with pytest.raises(JobError, match="assign_timestamps_and_watermarks"):
        list(out.execute_and_collect())


def test_count_windows_agree_in_batch_and_streaming_mode() -> None:
    events = _events(14, n=300)
    build = lambda ks: ks.count_window(7, 3).process(CountDescribe())  # noqa: E731
    assert _run(events, build) == _run(events, build, batch=True)


def test_window_all_with_count_windows() -> None:
    from weir.datastream.window import CountTumblingWindowAssigner

    env = _env()
    values = list(range(1, 24))
    out = env.from_collection(values).window_all(CountTumblingWindowAssigner.of(5)).reduce(lambda a, b: a + b)
    assert list(out.execute_and_collect()) == [sum(values[i:i + 5]) for i in range(0, len(values) - 4, 5)]
