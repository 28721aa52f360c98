"""Window assigners: the built-in ones called directly, and user-written ``WindowAssigner`` /
``MergingWindowAssigner`` subclasses (PyFlink's signatures) run on the engine's window operator,
which asks them for windows and merges. Expected results are plain Python folds over the input,
or the same program with the built-in assigner a user assigner delegates to."""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any

import pytest

from weir.common import Duration, Time, WatermarkStrategy
from weir.common.watermark_strategy import TimestampAssigner
from weir.datastream import OutputTag, StreamExecutionEnvironment
from weir.datastream.functions import ProcessWindowFunction
from weir.datastream.window import (
    MAX_LONG,
    CountSlidingWindowAssigner,
    CountTrigger,
    CountTumblingWindowAssigner,
    CountWindow,
    EventTimeSessionWindows,
    GlobalWindows,
    MergingWindowAssigner,
    PurgingTrigger,
    SlidingEventTimeWindows,
    TimeWindow,
    Trigger,
    TumblingEventTimeWindows,
    Window,
    WindowAssigner,
)

Event = tuple[str, int, int]  # key, value, event time (ms)


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




# ----- user-written assigners on the engine -----
class Delegate(WindowAssigner):
    """A user-written assigner handing every call to a built-in one."""

    def __init__(self, inner: WindowAssigner) -> None:
        self.inner = inner

    def assign_windows(self, element: Any, timestamp: int, context: WindowAssigner.WindowAssignerContext) -> Any:
        return self.inner.assign_windows(element, timestamp, context)

    def get_default_trigger(self, env: Any) -> Trigger:
        return self.inner.get_default_trigger(env)

    def get_window_serializer(self) -> Any:
        return None

    def is_event_time(self) -> bool:
        return self.inner.is_event_time()


class MergingDelegate(Delegate, MergingWindowAssigner):
    """A user-written merging assigner handing every call to a built-in one."""

    def merge_windows(self, windows: Iterable[Any], callback: MergingWindowAssigner.MergeCallback) -> None:
        self.inner.merge_windows(windows, callback)  # type: ignore[attr-defined]


class ByTime(TimestampAssigner):
    def extract_timestamp(self, value: Event, record_timestamp: int) -> int:
        return value[2]


class Describe(ProcessWindowFunction):
    """(key, window, elements, sum of values)."""

    def process(self, key: str, context: ProcessWindowFunction.Context, elements: Iterable[Event]) -> Iterable[Any]:
        values = [e[1] for e in elements]
        yield (key, repr(context.window()), len(values), sum(values))


def _events(seed: int, n: int = 300, span: int = 3000, disorder: int = 0) -> list[Event]:
    rng = random.Random(seed)
    return [(rng.choice("abc"), rng.randint(1, 50), max(0, i * span // n - rng.randint(0, disorder))) for i in range(n)]


def _run(assigner: Any, events: list[Event], how: str, trigger: Trigger | None = None, lateness: int = 0, late: OutputTag | None = None,
         bound: int = 0) -> Any:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(2)
    strategy = WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_millis(bound)).with_timestamp_assigner(ByTime())
    windowed = env.from_collection(events).assign_timestamps_and_watermarks(strategy).key_by(lambda e: e[0]).window(assigner)
    if trigger is not None:
        windowed = windowed.trigger(trigger)
    if lateness:
        windowed = windowed.allowed_lateness(lateness)
    if late is not None:
        windowed = windowed.side_output_late_data(late)
    out = windowed.reduce(lambda a, b: (a[0], a[1] + b[1], max(a[2], b[2]))) if how == "reduce" else windowed.process(Describe())
    if late is None:
        return sorted(out.execute_and_collect())
    side = out.get_side_output(late)
    return sorted(out.execute_and_collect()), sorted(side.execute_and_collect())


BUILT_INS = {
    "tumbling": TumblingEventTimeWindows.of(Time.milliseconds(100)),
    "sliding": SlidingEventTimeWindows.of(Time.milliseconds(300), Time.milliseconds(100)),
    "count": CountTumblingWindowAssigner.of(4),
    "count sliding": CountSlidingWindowAssigner.of(5, 2),
}


@pytest.mark.parametrize("kind", sorted(BUILT_INS))
@pytest.mark.parametrize("how", ["reduce", "process"])
def test_a_user_assigner_gives_the_windows_of_the_built_in_it_delegates_to(kind: str, how: str) -> None:
    # Count assigners keep their count in the runtime context's keyed state, which the engine
    # lends the assigner while it asks it.
    events = _events(1)
    native = _run(BUILT_INS[kind], events, how)
    assert native, "windows fire"
    assert _run(Delegate(BUILT_INS[kind]), events, how) == native


def test_a_user_tumbling_assigner_matches_a_fold() -> None:
    events = _events(2)
    sums: dict[tuple[str, int], int] = {}
    for k, v, t in events:
        sums[(k, t - t % 100)] = sums.get((k, t - t % 100), 0) + v
    expected = sorted((k, repr(TimeWindow(s, s + 100)), sum(1 for e in events if e[0] == k and s <= e[2] < s + 100), total)
                      for (k, s), total in sums.items())
    assert _run(Delegate(TumblingEventTimeWindows.of(Time.milliseconds(100))), events, "process") == expected


@pytest.mark.parametrize("how", ["reduce", "process"])
def test_a_user_merging_assigner_merges_as_the_engine_asks_it(how: str) -> None:
    # Gaps of 0..29 ms between elements of a key, sessions of gap 25: some merge, some do not.
    events = _events(3, span=3000)
    sessions = EventTimeSessionWindows.with_gap(Time.milliseconds(25))
    native = _run(sessions, events, how)
    assert len(native) > 3
    assert _run(MergingDelegate(sessions), events, how) == native


def test_late_data_and_lateness_with_a_user_assigner() -> None:
    events = _events(4, disorder=400)
    tag = OutputTag("late")
    tumbling = TumblingEventTimeWindows.of(Time.milliseconds(100))
    native = _run(tumbling, events, "process", lateness=50, late=tag, bound=20)
    assert native[1], "some elements are late"
    assert _run(Delegate(tumbling), events, "process", lateness=50, late=tag, bound=20) == native


def test_count_windows_take_a_trigger() -> None:
    # Count window i (size 4, every 2) holds a key's elements 2i .. 2i + 3; CountTrigger(3)
    # fires it once, after its third element (Flink's CountTrigger clears its count when it
    # fires; the fourth element does not reach 3 again, and count windows are never purged).
    events = _events(5)
    per_key: dict[str, list[int]] = {}
    for k, v, _ in events:
        per_key.setdefault(k, []).append(v)
    expected = sorted((k, repr(CountWindow(i)), 3, sum(vs[2 * i:2 * i + 3])) for k, vs in per_key.items() for i in range(len(vs)) if 2 * i + 3 <= len(vs))
    assigner = CountSlidingWindowAssigner.of(4, 2)
    assert _run(assigner, events, "process", trigger=CountTrigger.of(3)) == expected
    assert _run(Delegate(assigner), events, "process", trigger=CountTrigger.of(3)) == expected
    purged = _run(GlobalWindows.create(), events, "process", trigger=PurgingTrigger.of(CountTrigger.of(3)))
    assert purged == _run(Delegate(GlobalWindows.create()), events, "process", trigger=PurgingTrigger.of(CountTrigger.of(3)))
    assert CountWindow(3).max_timestamp() == MAX_LONG


class Odd(Window):
    def max_timestamp(self) -> int:
        return 0


class OddWindows(Delegate):
    def assign_windows(self, element: Any, timestamp: int, context: WindowAssigner.WindowAssignerContext) -> Any:
        return [Odd()]


def test_windows_of_another_type_are_rejected_by_name() -> None:
    with pytest.raises(Exception, match="keeps TimeWindow, CountWindow and GlobalWindow windows, not Odd"):
        _run(OddWindows(TumblingEventTimeWindows.of(Time.milliseconds(100))), _events(6), "process")
