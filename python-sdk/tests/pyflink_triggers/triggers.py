"""Windows with Flink's built-in triggers, global windows and dynamic session gaps, written
for PyFlink (``test_pyflink_triggers.py`` runs it with ``pyflink`` replaced by ``weir``).
Every section prints ``section,key,...`` lines; ``expected.txt`` is what PyFlink 2.3 printed
(recorded by ``record.py``). Only sections whose results do not depend on when watermarks
are emitted (PyFlink emits them periodically, Weir per record) are here: counts, global
windows, sessions fired at their end."""

from collections.abc import Iterable

from pyflink.common import Time, Types, WatermarkStrategy
from pyflink.common.watermark_strategy import TimestampAssigner
from pyflink.datastream import ProcessWindowFunction, StreamExecutionEnvironment
from pyflink.datastream.state import ValueStateDescriptor
from pyflink.datastream.window import (
    CountTrigger,
    EventTimeSessionWindows,
    GlobalWindows,
    PurgingTrigger,
    SessionWindowTimeGapExtractor,
    Trigger,
    TriggerResult,
    TumblingEventTimeWindows,
)

DATA = [("a", 1, 1), ("b", 2, 2), ("a", 3, 3), ("a", 4, 4), ("b", 5, 6), ("a", 6, 8), ("a", 7, 9), ("b", 8, 12),
        ("a", 9, 15), ("a", 10, 21), ("b", 11, 22), ("a", 12, 23), ("a", 13, 31), ("b", 14, 33), ("a", 15, 40),
        ("b", 16, 47), ("a", 17, 48), ("a", 18, 60), ("b", 19, 61), ("a", 20, 62)]


class ByThird(TimestampAssigner):
    def extract_timestamp(self, value, record_timestamp) -> int:
        return int(value[2])


class GapOfValue(SessionWindowTimeGapExtractor):
    def extract(self, element: tuple) -> int:
        return element[1] % 4 + 2


class SumReached(Trigger):
    """Fires and purges each time the values added since the last firing reach 10; fires what
    is left at the window's end (state and timers of its own, per window)."""

    def __init__(self):
        self.sum = ValueStateDescriptor("sum", Types.INT())

    def on_element(self, element, timestamp, window, ctx):
        ctx.register_event_time_timer(window.max_timestamp())
        state = ctx.get_partitioned_state(self.sum)
        total = (state.value() or 0) + element[1]
        if total >= 10:
            state.clear()
            return TriggerResult.FIRE_AND_PURGE
        state.update(total)
        return TriggerResult.CONTINUE

    def on_processing_time(self, time, window, ctx):
        return TriggerResult.CONTINUE

    def on_event_time(self, time, window, ctx):
        return TriggerResult.FIRE if time == window.max_timestamp() else TriggerResult.CONTINUE

    def can_merge(self):
        return False

    def on_merge(self, window, ctx):
        pass

    def clear(self, window, ctx):
        ctx.delete_event_time_timer(window.max_timestamp())
        ctx.get_partitioned_state(self.sum).clear()


class Describe(ProcessWindowFunction):
    def __init__(self, section: str):
        self.section = section

    def process(self, key: str, context: ProcessWindowFunction.Context, elements: Iterable[tuple]) -> Iterable[str]:
        values = [e[1] for e in elements]
        window = context.window()
        bounds = f"{window.start},{window.end}" if hasattr(window, "start") else "global"
        yield f"{self.section},{key},{bounds},{len(values)},{sum(values)}"


def main() -> None:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(1)
    stream = env.from_collection(DATA, type_info=Types.TUPLE([Types.STRING(), Types.INT(), Types.INT()])) \
        .assign_timestamps_and_watermarks(WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(ByThird()))
    keyed = stream.key_by(lambda e: e[0], key_type=Types.STRING())
    keyed.window(GlobalWindows.create()).trigger(PurgingTrigger.of(CountTrigger.of(3))) \
        .process(Describe("global-purging-count-3"), Types.STRING()).print()
    keyed.window(GlobalWindows.create()).trigger(CountTrigger.of(4)) \
        .reduce(lambda a, b: (a[0], a[1] + b[1], max(a[2], b[2])), output_type=Types.TUPLE([Types.STRING(), Types.INT(), Types.INT()])) \
        .map(lambda e: f"global-count-4-reduce,{e[0]},{e[1]},{e[2]}", Types.STRING()).print()
    keyed.window(TumblingEventTimeWindows.of(Time.milliseconds(20))).trigger(CountTrigger.of(2)) \
        .process(Describe("tumbling-20-count-2"), Types.STRING()).print()
    keyed.window(EventTimeSessionWindows.with_gap(Time.milliseconds(6))).trigger(PurgingTrigger.of(CountTrigger.of(2))) \
        .process(Describe("session-6-purging-count-2"), Types.STRING()).print()
    keyed.window(TumblingEventTimeWindows.of(Time.milliseconds(20))).trigger(SumReached()) \
        .process(Describe("tumbling-20-user-sum-10"), Types.STRING()).print()
    keyed.window(EventTimeSessionWindows.with_dynamic_gap(GapOfValue())) \
        .process(Describe("dynamic-session"), Types.STRING()).print()
    env.execute("triggers")


if __name__ == "__main__":
    main()
