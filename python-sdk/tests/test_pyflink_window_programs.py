"""PyFlink's windowing example programs with only their imports changed (``pyflink`` -> ``weir``).

Adapted from Apache Flink's ``flink-python/pyflink/examples/datastream/windowing/`` (Apache
License 2.0): ``tumbling_time_window.py``, ``sliding_time_window.py``,
``session_with_gap_window.py``, ``session_with_dynamic_gap_window.py``,
``tumbling_count_window.py`` and ``tumbling_time_window_with_continuous_trigger.py``. The
classes and pipelines are kept as written (this module has no ``from __future__ import
annotations``, so their annotations such as ``ProcessWindowFunction.Context[TimeWindow]`` are
evaluated, as in PyFlink); each program prints its results, which are checked against a plain
Python fold over its input."""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from weir.common import Time, Types, WatermarkStrategy
from weir.common.watermark_strategy import TimestampAssigner
from weir.datastream import ProcessWindowFunction, StreamExecutionEnvironment, WindowFunction
from weir.datastream.window import (
    ContinuousEventTimeTrigger,
    CountWindow,
    EventTimeSessionWindows,
    SessionWindowTimeGapExtractor,
    SlidingEventTimeWindows,
    TimeWindow,
    TumblingEventTimeWindows,
)

DATA = [('hi', 1), ('hi', 2), ('hi', 3), ('hi', 4), ('hi', 5), ('hi', 8), ('hi', 9), ('hi', 15)]
SESSION_DATA = [('hi', 1), ('hi', 2), ('hi', 3), ('hi', 4), ('hi', 8), ('hi', 9), ('hi', 15)]


class MyTimestampAssigner(TimestampAssigner):
    def extract_timestamp(self, value, record_timestamp) -> int:
        return int(value[1])


class MySessionWindowTimeGapExtractor(SessionWindowTimeGapExtractor):
    def extract(self, element: tuple) -> int:
        return element[1]


class CountWindowProcessFunction(ProcessWindowFunction[tuple, tuple, str, TimeWindow]):
    def process(self,
                key: str,
                context: ProcessWindowFunction.Context[TimeWindow],
                elements: Iterable[tuple]) -> Iterable[tuple]:
        return [(key, context.window().start, context.window().end, len([e for e in elements]))]

    def clear(self, context: ProcessWindowFunction.Context) -> None:
        pass


class SumWindowFunction(WindowFunction[tuple, tuple, str, CountWindow]):
    def apply(self, key: str, window: CountWindow, inputs: Iterable[tuple]):
        result = 0
        for i in inputs:
            result += i[0]
        return [(key, result)]


def _time_window_program(data: list, window: Any, trigger: Any = None) -> None:
    """The examples' pipeline: monotonous timestamps from the second field, keyed by the first,
    one window, CountWindowProcessFunction, printed."""
    env = StreamExecutionEnvironment.get_execution_environment()
    # write all the data to one file
    env.set_parallelism(1)

    # define the source
    data_stream = env.from_collection(data, type_info=Types.TUPLE([Types.STRING(), Types.INT()]))

    # define the watermark strategy
    watermark_strategy = WatermarkStrategy.for_monotonous_timestamps() \
        .with_timestamp_assigner(MyTimestampAssigner())

    windowed = data_stream.assign_timestamps_and_watermarks(watermark_strategy) \
        .key_by(lambda x: x[0], key_type=Types.STRING()) \
        .window(window)
    if trigger is not None:
        windowed = windowed.trigger(trigger)
    ds = windowed.process(CountWindowProcessFunction(),
                          Types.TUPLE([Types.STRING(), Types.INT(), Types.INT(), Types.INT()]))
    ds.print()

    # submit for execution
    env.execute()


def _printed(capfd: Any) -> list:
    """The printed ``Types.TUPLE([STRING, LONG, LONG, INT])`` records, as Java prints a tuple:
    ``(hi,0,5,4)``."""
    out = []
    for line in capfd.readouterr().out.splitlines():
        if line.startswith("(") and line.endswith(")"):
            key, *numbers = line[1:-1].split(",")
            out.append((key, *(int(n) for n in numbers)))
    return out


def _counts(starts_of: Any, size: int, data: list) -> list:
    counts: dict = defaultdict(int)
    for key, t in data:
        for start in starts_of(t):
            counts[(key, start, start + size)] += 1
    return sorted((k, s, e, n) for (k, s, e), n in counts.items())


def _sessions(data: list, gap_of: Any) -> list:
    """Sessions of the sorted timestamps: one ends where the next element starts after its end."""
    out, current = [], None
    for key, t in sorted(data, key=lambda e: e[1]):
        if current is not None and t > current[2]:
            out.append(current)
            current = None
        current = (key, t, t + gap_of(t), 1) if current is None else (key, current[1], max(current[2], t + gap_of(t)), current[3] + 1)
    out.append(current)
    return sorted(out)


def test_tumbling_time_window_example(capfd: Any) -> None:
    _time_window_program(DATA, TumblingEventTimeWindows.of(Time.milliseconds(5)))
    assert sorted(_printed(capfd)) == _counts(lambda t: [t - t % 5], 5, DATA)


def test_sliding_time_window_example(capfd: Any) -> None:
    _time_window_program(DATA, SlidingEventTimeWindows.of(Time.milliseconds(5), Time.milliseconds(2)))
    assert sorted(_printed(capfd)) == _counts(lambda t: [s for s in range(t - 4, t + 1) if s % 2 == 0], 5, DATA)


def test_session_with_gap_window_example(capfd: Any) -> None:
    _time_window_program(SESSION_DATA, EventTimeSessionWindows.with_gap(Time.milliseconds(5)))
    assert sorted(_printed(capfd)) == _sessions(SESSION_DATA, lambda t: 5)


def test_session_with_dynamic_gap_window_example(capfd: Any) -> None:
    data = [('hi', 1), ('hi', 2), ('hi', 3), ('hi', 4), ('hi', 9), ('hi', 9), ('hi', 15)]
    _time_window_program(data, EventTimeSessionWindows.with_dynamic_gap(MySessionWindowTimeGapExtractor()))
    assert sorted(_printed(capfd)) == _sessions(data, lambda t: t)


def test_tumbling_time_window_with_continuous_trigger_example(capfd: Any) -> None:
    _time_window_program(DATA, TumblingEventTimeWindows.of(Time.milliseconds(10)), ContinuousEventTimeTrigger.of(Time.milliseconds(5)))
    # [0, 10) fires at 5 (the first element's 5 ms period) with at least the elements up to 5
    # (how many more depends on when the watermark reaches the operator), then at its end with
    # all 7; [10, 20) fires at its end (its next period) with its one element.
    printed = sorted(_printed(capfd))
    times = [t for _, t in DATA]
    assert len(printed) == 3 and printed[2] == ('hi', 10, 20, sum(t >= 10 for t in times))
    assert printed[1] == ('hi', 0, 10, sum(t < 10 for t in times))
    assert printed[0][:3] == ('hi', 0, 10) and sum(t <= 5 for t in times) <= printed[0][3] <= printed[1][3]


def test_tumbling_count_window_example(capfd: Any) -> None:
    env = StreamExecutionEnvironment.get_execution_environment()
    # write all the data to one file
    env.set_parallelism(1)

    # define the source
    data = [(1, 'hi'), (2, 'hello'), (3, 'hi'), (4, 'hello'), (5, 'hi'), (6, 'hello'), (6, 'hello')]
    data_stream = env.from_collection(data, type_info=Types.TUPLE([Types.INT(), Types.STRING()]))

    ds = data_stream.key_by(lambda x: x[1], key_type=Types.STRING()) \
        .count_window(3) \
        .apply(SumWindowFunction(), Types.TUPLE([Types.STRING(), Types.INT()]))
    ds.print()

    # submit for execution
    env.execute()

    per_key: dict = defaultdict(list)
    for v, k in data:
        per_key[k].append(v)
    expected = [(k, sum(vs[i:i + 3])) for k, vs in per_key.items() for i in range(0, len(vs) - 2, 3)]
    assert sorted(_printed(capfd)) == sorted(expected)
