"""Process functions with keyed state and timers, and event time in the DataStream API. Each
expected result is computed from the input in plain Python."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

import pytest

from weir import JobError
from weir.common import Configuration, Duration, Time, Types, WatermarkStrategy
from weir.common.watermark_strategy import TimestampAssigner
from weir.datastream import (
    CoProcessFunction,
    DataStream,
    KeyedCoProcessFunction,
    KeyedProcessFunction,
    OutputTag,
    ProcessFunction,
    RuntimeExecutionMode,
    StreamExecutionEnvironment,
    TimeDomain,
)
from weir.datastream.functions import AggregateFunction, RuntimeContext
from weir.datastream.state import (
    AggregatingStateDescriptor,
    ListStateDescriptor,
    MapStateDescriptor,
    ReducingStateDescriptor,
    StateTtlConfig,
    ValueStateDescriptor,
)

MODES = [(batch, workers) for batch in (False, True) for workers in (1, 2)]


def _env(batch: bool = False, workers: int = 1, **settings: str) -> StreamExecutionEnvironment:
    config = Configuration()
    for k, v in settings.items():
        config.set_string(k.replace("_", "."), v)
    env = StreamExecutionEnvironment.get_execution_environment(config)
    env.set_parallelism(workers)
    env.set_runtime_mode(RuntimeExecutionMode.BATCH if batch else RuntimeExecutionMode.STREAMING)
    return env


class CountPerKey(KeyedProcessFunction):
    """A ValueState counter: each element emits its key's running count."""

    def open(self, runtime_context: RuntimeContext) -> None:
        self.count = runtime_context.get_state(ValueStateDescriptor("count", Types.LONG()))

    def process_element(self, value: Any, ctx: KeyedProcessFunction.Context) -> Iterator[Any]:
        n = (self.count.value() or 0) + 1
        self.count.update(n)
        yield ctx.get_current_key(), n


WORDS = [f"w{(i * 7) % 5}" for i in range(60)]


@pytest.mark.parametrize("batch,workers", MODES)
def test_value_state_counts_per_key(batch: bool, workers: int) -> None:
    out = _env(batch, workers).from_collection(WORDS).key_by(lambda w: w).process(CountPerKey())
    expected = sorted((w, n) for w, c in Counter(WORDS).items() for n in range(1, c + 1))
    assert sorted(out.execute_and_collect()) == expected


class Collections(KeyedProcessFunction):
    """List, map, reducing and aggregating state of the key, emitted after each element and, at
    the end of the input (an event-time timer without watermarks), once more."""

    def open(self, runtime_context: RuntimeContext) -> None:
        self.items = runtime_context.get_list_state(ListStateDescriptor("items", Types.LONG()))
        self.by_parity = runtime_context.get_map_state(MapStateDescriptor("by_parity", Types.STRING(), Types.LONG()))
        self.total = runtime_context.get_reducing_state(ReducingStateDescriptor("total", lambda a, b: a + b, Types.LONG()))
        self.mean = runtime_context.get_aggregating_state(AggregatingStateDescriptor("mean", Mean(), Types.TUPLE([Types.LONG(), Types.LONG()])))

    def snapshot(self, key: str) -> tuple[Any, ...]:
        assert self.by_parity.is_empty() == (not list(self.by_parity.keys()))
        return (key, list(self.items.get()), sorted(self.by_parity.items()), self.total.get(), self.mean.get())

    def process_element(self, value: tuple[str, int], ctx: KeyedProcessFunction.Context) -> Iterator[Any]:
        key, x = value
        self.items.add(x)
        parity = "even" if x % 2 == 0 else "odd"
        self.by_parity[parity] = (self.by_parity.get(parity) or 0) + x
        if x == 0 and "odd" in self.by_parity:
            self.by_parity.remove("odd")
        self.total.add(x)
        self.mean.add(x)
        ctx.timer_service().register_event_time_timer(0)
        yield ("element", *self.snapshot(key))

    def on_timer(self, timestamp: int, ctx: KeyedProcessFunction.OnTimerContext) -> Iterator[Any]:
        yield ("end", *self.snapshot(ctx.get_current_key()))
        self.items.update([])
        self.by_parity.clear()
        self.total.clear()
        self.mean.clear()


class Mean(AggregateFunction):
    def create_accumulator(self) -> tuple[int, int]:
        return (0, 0)

    def add(self, value: int, accumulator: tuple[int, int]) -> tuple[int, int]:
        return (accumulator[0] + value, accumulator[1] + 1)

    def get_result(self, accumulator: tuple[int, int]) -> float:
        return accumulator[0] / accumulator[1]


PAIRS = [("a", 3), ("b", 4), ("a", 0), ("a", 5), ("b", 1), ("c", 2), ("a", 8), ("b", 7)]


def _collections_reference(pairs: list[tuple[str, int]]) -> tuple[list[Any], list[Any]]:
    """The rows of ``Collections`` for elements in this order, and its end-of-input rows."""
    items: dict[str, list[int]] = defaultdict(list)
    parity: dict[str, dict[str, int]] = defaultdict(dict)
    rows = []
    for key, x in pairs:
        items[key].append(x)
        p = "even" if x % 2 == 0 else "odd"
        parity[key][p] = parity[key].get(p, 0) + x
        if x == 0:
            parity[key].pop("odd", None)
        xs = items[key]
        rows.append(("element", key, list(xs), sorted(parity[key].items()), sum(xs), sum(xs) / len(xs)))
    ends = [("end", *row[1:]) for row in {r[1]: r for r in rows}.values()]
    return rows, ends


def test_list_map_reducing_and_aggregating_state() -> None:
    out = list(_env(workers=1).from_collection(PAIRS).key_by(lambda p: p[0]).process(Collections()).execute_and_collect())
    rows, ends = _collections_reference(PAIRS)
    assert [r for r in out if r[0] == "element"] == rows
    assert sorted(r for r in out if r[0] == "end") == sorted(ends)


@pytest.mark.parametrize("batch,workers", MODES)
def test_final_state_is_the_same_on_any_worker_count(batch: bool, workers: int) -> None:
    pairs = [(f"k{i % 7}", (i * 13) % 10) for i in range(200)]
    out = _env(batch, workers).from_collection(pairs).key_by(lambda p: p[0]).process(Collections()).execute_and_collect()
    ends = sorted((r[1], sorted(r[2]), r[4]) for r in out if r[0] == "end")
    by_key: dict[str, list[int]] = defaultdict(list)
    for k, x in pairs:
        by_key[k].append(x)
    assert ends == sorted((k, sorted(xs), sum(xs)) for k, xs in by_key.items())


class CountWithTimeout(KeyedProcessFunction):
    """Flink's documentation example: emits (key, count) once a key had no element for one
    minute of event time."""

    def open(self, runtime_context: RuntimeContext) -> None:
        self.state = runtime_context.get_state(ValueStateDescriptor("my_state", Types.PICKLED_BYTE_ARRAY()))

    def process_element(self, value: tuple[str, int], ctx: KeyedProcessFunction.Context) -> None:
        current = self.state.value()
        count = 1 if current is None else current[0] + 1
        self.state.update((count, ctx.timestamp()))
        ctx.timer_service().register_event_time_timer(ctx.timestamp() + 60000)

    def on_timer(self, timestamp: int, ctx: KeyedProcessFunction.OnTimerContext) -> Iterator[Any]:
        count, last_modified = self.state.value()
        assert ctx.time_domain() == TimeDomain.EVENT_TIME
        assert ctx.timestamp() == timestamp
        if timestamp == last_modified + 60000:
            yield ctx.get_current_key(), count, ctx.timer_service().current_watermark() >= timestamp


class FirstField(TimestampAssigner):
    def extract_timestamp(self, value: tuple[str, int], record_timestamp: int) -> int:
        return value[1]


# Bursts per key, each within a minute and out of order by up to 5 s; a key's burst comes
# before any element a minute and more after it. One element arrives 2 minutes late.
EVENTS = [("a", 1000), ("b", 3000), ("a", 40000), ("a", 20000), ("b", 9000), ("c", 100000), ("c", 95000), ("d", 180000),
          ("c", 150000), ("d", 200000), ("late", 10000), ("e", 400000)]


@pytest.mark.parametrize("batch,workers", MODES)
def test_event_time_timers_fire_when_the_watermark_passes(batch: bool, workers: int) -> None:
    strategy = WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_seconds(5)).with_timestamp_assigner(FirstField())
    ds = _env(batch, workers).from_collection(EVENTS).assign_timestamps_and_watermarks(strategy)
    out = ds.key_by(lambda e: e[0], key_type=Types.STRING()).process(CountWithTimeout())
    expected = sorted((k, n, True) for k, n in Counter(k for k, _ in EVENTS).items())
    assert sorted(out.execute_and_collect()) == expected


def test_outputs_carry_timestamps_and_lambdas_assign_them() -> None:
    class Stamp(KeyedProcessFunction):
        def process_element(self, value: Any, ctx: KeyedProcessFunction.Context) -> Iterator[Any]:
            ctx.timer_service().register_event_time_timer(ctx.timestamp() + 1)
            yield ("element", value, ctx.timestamp())

        def on_timer(self, timestamp: int, ctx: KeyedProcessFunction.OnTimerContext) -> Iterator[Any]:
            yield ("timer", ctx.get_current_key(), timestamp)

    class Echo(ProcessFunction):
        def process_element(self, value: Any, ctx: ProcessFunction.Context) -> Iterator[Any]:
            yield value, ctx.timestamp()

    strategy = WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(lambda v, _ts: v * 10)
    stamped = _env(workers=2).from_collection([1, 2, 3]).assign_timestamps_and_watermarks(strategy)
    out = stamped.key_by(lambda v: v % 2).process(Stamp()).process(Echo())
    expected = [(("element", v, v * 10), v * 10) for v in (1, 2, 3)] + [(("timer", v % 2, v * 10 + 1), v * 10 + 1) for v in (1, 2, 3)]
    assert sorted(out.execute_and_collect()) == sorted(expected)
    plain = _env().from_collection([1]).process(Echo())
    assert list(plain.execute_and_collect()) == [(1, None)]


class Routing(ProcessFunction):
    SMALL = OutputTag("small", Types.INT())
    ODD = OutputTag("odd")

    def process_element(self, value: int, ctx: ProcessFunction.Context) -> Iterator[int]:
        if value < 3:
            ctx.output(Routing.SMALL, value)
        if value % 2:
            ctx.output(Routing.ODD, f"odd {value}")
        yield value * 100


@pytest.mark.parametrize("workers", [1, 2])
def test_side_outputs(workers: int) -> None:
    values = list(range(10))
    main = _env(workers=workers).from_collection(values).process(Routing())
    assert sorted(main.execute_and_collect()) == [v * 100 for v in values]
    assert sorted(main.get_side_output(Routing.SMALL).execute_and_collect()) == [v for v in values if v < 3]
    assert sorted(main.get_side_output(OutputTag("odd")).execute_and_collect()) == [f"odd {v}" for v in values if v % 2]
    with pytest.raises(ValueError, match="get_side_output needs the output of a process function"):
        main.map(lambda v: v).get_side_output(Routing.SMALL)


class Join(KeyedCoProcessFunction):
    """Buffers each side per key in list state and pairs every new element with the other side's."""

    def open(self, runtime_context: RuntimeContext) -> None:
        self.left = runtime_context.get_list_state(ListStateDescriptor("left", Types.STRING()))
        self.right = runtime_context.get_list_state(ListStateDescriptor("right", Types.STRING()))

    def process_element1(self, value: tuple[int, str], ctx: KeyedCoProcessFunction.Context) -> Iterator[Any]:
        self.left.add(value[1])
        for r in self.right.get():
            yield ctx.get_current_key(), value[1], r

    def process_element2(self, value: tuple[int, str], ctx: KeyedCoProcessFunction.Context) -> Iterator[Any]:
        self.right.add(value[1])
        for left in self.left.get():
            yield ctx.get_current_key(), left, value[1]


@pytest.mark.parametrize("workers", [1, 2])
def test_keyed_co_process_function_shares_state_by_key(workers: int) -> None:
    env = _env(workers=workers)
    lefts = [(i % 4, f"l{i}") for i in range(12)]
    rights = [(i % 3, f"r{i}") for i in range(9)]
    connected = env.from_collection(lefts).connect(env.from_collection(rights)).key_by(lambda t: t[0], lambda t: t[0])
    expected = sorted((k, lv, rv) for k, lv in lefts for k2, rv in rights if k == k2)
    assert sorted(connected.process(Join()).execute_and_collect()) == expected


class Timers(KeyedProcessFunction):
    """Element 0 of a key sets a processing-time timer 100 ms ahead and one an hour ahead."""

    def process_element(self, value: tuple[str, int], ctx: KeyedProcessFunction.Context) -> None:
        if value[1] == 0:
            now = ctx.timer_service().current_processing_time()
            ctx.timer_service().register_processing_time_timer(now + 100)
            ctx.timer_service().register_processing_time_timer(now + 3_600_000)
            ctx.timer_service().register_processing_time_timer(now + 200)
            ctx.timer_service().delete_processing_time_timer(now + 200)

    def on_timer(self, timestamp: int, ctx: KeyedProcessFunction.OnTimerContext) -> Iterator[Any]:
        now = ctx.timer_service().current_processing_time()
        yield ctx.get_current_key(), ctx.time_domain(), ctx.timestamp() == timestamp, now >= timestamp


def _slow_stream(env: StreamExecutionEnvironment, records: list[Any], rows_per_second: int) -> DataStream:
    """``records`` from a rate-limited source (a stream that lasts a while: timers can fire
    while it runs), built on the engine's datagen connector."""
    node = {"kind": "source", "id": env._fresh_id("slow"), "connector": "datagen", "schema": [{"name": "i", "type": "BIGINT"}],
            "options": {"rows-per-second": str(rows_per_second), "fields.i.kind": "sequence", "fields.i.start": "0", "fields.i.end": str(len(records) - 1)}}
    return DataStream(env, [node], node["id"], [], source=records)


def test_processing_time_timers_fire_while_the_job_runs_and_pending_ones_are_dropped_at_the_end() -> None:
    records = [(f"k{i % 2}", i // 2) for i in range(60)]
    out = _slow_stream(_env(workers=1), records, 20).key_by(lambda r: r[0]).process(Timers())
    assert sorted(out.execute_and_collect()) == [("k0", TimeDomain.PROCESSING_TIME, True, True), ("k1", TimeDomain.PROCESSING_TIME, True, True)]


def test_pending_processing_time_timers_fire_at_the_end_in_batch_mode() -> None:
    out = _env(batch=True, workers=2).from_collection([("k0", 0), ("k1", 0)]).key_by(lambda r: r[0]).process(Timers())
    rows = sorted(out.execute_and_collect())
    assert [r[:3] for r in rows] == [(k, TimeDomain.PROCESSING_TIME, True) for k in ("k0", "k0", "k1", "k1")]


class Ttl(KeyedProcessFunction):
    """Two value states set by "set", one living 2 s and one an hour; "sleep" waits 3 s."""

    def open(self, runtime_context: RuntimeContext) -> None:
        short, long = ValueStateDescriptor("short", Types.STRING()), ValueStateDescriptor("long", Types.STRING())
        short.enable_time_to_live(StateTtlConfig.new_builder(Time.seconds(2)).set_update_type(StateTtlConfig.UpdateType.OnCreateAndWrite)
                                  .set_state_visibility(StateTtlConfig.StateVisibility.NeverReturnExpired).build())
        long.enable_time_to_live(StateTtlConfig.new_builder(Time.minutes(60)).build())
        self.short, self.long = runtime_context.get_state(short), runtime_context.get_state(long)

    def process_element(self, value: str, ctx: KeyedProcessFunction.Context) -> Iterator[Any]:
        if value == "set":
            self.short.update("s")
            self.long.update("l")
        elif value == "sleep":
            time.sleep(3)
        yield value, self.short.value(), self.long.value()


def test_state_ttl_expires_in_processing_time() -> None:
    out = _env(workers=1).from_collection(["set", "read", "sleep", "read"]).key_by(lambda _: "one").process(Ttl())
    assert list(out.execute_and_collect()) == [("set", "s", "l"), ("read", "s", "l"), ("sleep", None, "l"), ("read", None, "l")]


class Fails(KeyedProcessFunction):
    def process_element(self, value: int, ctx: KeyedProcessFunction.Context) -> None:
        if value == 3:
            raise ValueError(f"cannot process {value}")


def test_an_exception_fails_the_job_with_its_traceback() -> None:
    with pytest.raises(JobError, match="(?s)Fails.*Traceback.*in process_element.*ValueError: cannot process 3") as caught:
        list(_env(workers=2).from_collection(range(5)).key_by(lambda v: v).process(Fails()).execute_and_collect())
    assert isinstance(caught.value.__cause__, ValueError)

    class FailsToOpen(KeyedProcessFunction):
        def open(self, runtime_context: RuntimeContext) -> None:
            raise KeyError("no config")

    with pytest.raises(JobError, match="(?s)FailsToOpen.*in open.*KeyError: 'no config'"):
        list(_env().from_collection([1]).key_by(lambda v: v).process(FailsToOpen()).execute_and_collect())


KEPT: list[Any] = []


class KeepsState(KeyedProcessFunction):
    def open(self, runtime_context: RuntimeContext) -> None:
        self.state = runtime_context.get_state(ValueStateDescriptor("v", Types.INT()))
        KEPT.append(self.state)

    def process_element(self, value: int, ctx: KeyedProcessFunction.Context) -> Iterator[int]:
        yield value


def test_state_and_timers_outside_a_call_raise() -> None:
    KEPT.clear()
    assert list(_env().from_collection([1]).key_by(lambda v: v).process(KeepsState()).execute_and_collect()) == [1]
    with pytest.raises(RuntimeError, match="only be used during process_element or on_timer"):
        KEPT[0].value()

    class NoTimers(ProcessFunction):
        def process_element(self, value: int, ctx: ProcessFunction.Context) -> None:
            ctx.timer_service().register_event_time_timer(1)

    with pytest.raises(JobError, match="Setting timers is only supported on a keyed streams"):
        list(_env().from_collection([1]).process(NoTimers()).execute_and_collect())


def test_rocksdb_state_backend_gives_the_same_result_or_says_it_is_missing() -> None:
    expected = sorted((w, n) for w, c in Counter(WORDS).items() for n in range(1, c + 1))
    env = _env(workers=2, state_backend_type="rocksdb")
    try:
        out = sorted(env.from_collection(WORDS).key_by(lambda w: w).process(CountPerKey()).execute_and_collect())
    except JobError as e:
        assert "no RocksDB support" in str(e), str(e)
        pytest.skip("this build of weir has no RocksDB state backend (the `rocksdb` feature): the job said so")
    assert out == expected


class Lateness(KeyedProcessFunction):
    """Flags each element late as Flink's window operator would: timestamp <= watermark."""

    def process_element(self, value: tuple[str, int], ctx: KeyedProcessFunction.Context) -> Iterator[Any]:
        yield value, ctx.timestamp() <= ctx.timer_service().current_watermark()


def _late_reference(events: list[tuple[str, int]], delay: int, workers: int) -> list[tuple[tuple[str, int], bool]]:
    """Each event with whether it is behind the watermark of the worker assigning its
    timestamp (``from_collection`` deals elements to the workers in turn)."""
    out = []
    for w in range(workers):
        max_seen = None
        for key, ts in events[w::workers]:
            out.append(((key, ts), max_seen is not None and ts <= max_seen - delay - 1))
            max_seen = ts if max_seen is None else max(max_seen, ts)
    return sorted(out)


@pytest.mark.parametrize("workers,mapped", [(1, False), (2, False), (2, True)])
def test_late_elements_are_kept_and_seen_behind_the_watermark(workers: int, mapped: bool) -> None:
    events = [(f"k{i % 3}", (i * 7919) % 1000 * 10) for i in range(100)]
    strategy = WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_millis(2500)).with_timestamp_assigner(lambda e, _: e[1])
    ds = _env(workers=workers).from_collection(events).assign_timestamps_and_watermarks(strategy)
    if mapped:  # stateless steps after the watermark keep the stream in event time
        ds = ds.map(lambda e: e).filter(lambda e: True).flat_map(lambda e: [e])
    out = sorted(ds.key_by(lambda e: e[0]).process(Lateness()).execute_and_collect())
    expected = _late_reference(events, 2500, workers)
    assert out == expected
    assert 10 < sum(late for _, late in expected) < 90


class Previous(KeyedProcessFunction):
    """Pairs each element with the one of its key before it, in arrival order."""

    def open(self, runtime_context: RuntimeContext) -> None:
        self.last = runtime_context.get_state(ValueStateDescriptor("last", Types.LONG()))

    def process_element(self, value: tuple[str, int], ctx: KeyedProcessFunction.Context) -> Iterator[Any]:
        yield ctx.get_current_key(), self.last.value(), value[1]
        self.last.update(value[1])


def test_elements_of_a_key_are_processed_in_arrival_order_not_timestamp_order() -> None:
    events = [("a", 1000), ("a", 9000), ("b", 4000), ("a", 3000), ("b", 2000), ("a", 8000), ("b", 7000), ("a", 500)]
    strategy = WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_seconds(3)).with_timestamp_assigner(lambda e, _: e[1])
    ds = _env(workers=1).from_collection(events).assign_timestamps_and_watermarks(strategy).map(lambda e: e)
    out = list(ds.key_by(lambda e: e[0]).process(Previous()).execute_and_collect())
    last: dict[str, int | None] = {}
    expected = []
    for key, ts in events:
        expected.append((key, last.get(key), ts))
        last[key] = ts
    assert out == expected


def test_the_playground_map_state_program_runs_unchanged(tmp_path: Any) -> None:
    """pyflink/playgrounds' 10-data_stream_batch_map_state.py, with `pyflink` imports replaced
    by `weir` (FileSink and OutputFileConfig from `connectors.file_system`, where Flink 2 has
    them) and the output path by a temporary directory."""
    from weir.common import Row
    from weir.common.serialization import Encoder
    from weir.datastream.connectors import NumberSequenceSource
    from weir.datastream.connectors.file_system import FileSink, OutputFileConfig

    class MyKeyedProcessFunction(KeyedProcessFunction):
        def open(self, runtime_context: RuntimeContext) -> None:
            state_desc = MapStateDescriptor('map', Types.LONG(), Types.LONG())
            self.state = runtime_context.get_map_state(state_desc)

        def process_element(self, value: Any, ctx: 'KeyedProcessFunction.Context') -> Iterator[int]:
            if not self.state.contains(value[0]):
                result = value[1]
                self.state.put(value[0], result)
            else:
                existing = self.state.get(value[0])
                if existing <= 10:
                    result = value[1] + existing
                    self.state.put(value[0], result)
                else:
                    result = existing
            yield result

    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(2)
    env.set_runtime_mode(RuntimeExecutionMode.BATCH)
    seq_num_source = NumberSequenceSource(1, 1000)
    file_sink = FileSink \
        .for_row_format(str(tmp_path), Encoder.simple_string_encoder()) \
        .with_output_file_config(OutputFileConfig.builder().with_part_prefix('pre').with_part_suffix('suf').build()) \
        .build()
    ds = env.from_source(
        source=seq_num_source,
        watermark_strategy=WatermarkStrategy.for_monotonous_timestamps(),
        source_name='file_source',
        type_info=Types.LONG())
    ds.map(lambda a: Row(a % 4, 1), output_type=Types.ROW([Types.LONG(), Types.LONG()])) \
        .key_by(lambda a: a[0]) \
        .process(MyKeyedProcessFunction(), Types.LONG()) \
        .sink_to(file_sink)
    env.execute('10-data_stream_batch_map_state')

    written = sorted(int(line) for f in tmp_path.rglob("pre*suf") for line in f.read_text().splitlines())
    state: dict[int, int] = {}
    expected = []
    for a in range(1, 1001):
        key = a % 4
        state[key] = 1 if key not in state else (state[key] + 1 if state[key] <= 10 else state[key])
        expected.append(state[key])
    assert written == sorted(expected)


class Tagged(CoProcessFunction):
    def process_element1(self, value: int, ctx: CoProcessFunction.Context) -> Iterator[Any]:
        yield "left", value, ctx.timestamp()

    def process_element2(self, value: str, ctx: CoProcessFunction.Context) -> Iterator[Any]:
        ctx.output(OutputTag("right"), value)
        yield "right", value, ctx.timestamp()


@pytest.mark.parametrize("workers", [1, 2])
def test_co_process_function_on_connected_streams(workers: int) -> None:
    env = _env(workers=workers)
    left = env.from_collection([1, 2, 3]).assign_timestamps_and_watermarks(WatermarkStrategy.no_watermarks().with_timestamp_assigner(lambda v: v * 100))
    right = env.from_collection(["x", "y"])
    out = left.connect(right).process(Tagged())
    assert sorted(out.execute_and_collect(), key=str) == sorted([("left", v, v * 100) for v in (1, 2, 3)] + [("right", s, None) for s in "xy"], key=str)
    assert sorted(out.get_side_output(OutputTag("right")).execute_and_collect()) == ["x", "y"]
    with pytest.raises(ValueError, match="connect a keyed stream with a keyed stream"):
        left.key_by(lambda v: v).connect(right).process(Tagged())


def test_outputs_may_carry_their_own_timestamp() -> None:
    from weir.datastream.process import Timestamped

    class Restamp(KeyedProcessFunction):
        def process_element(self, value: int, ctx: KeyedProcessFunction.Context) -> Iterator[Any]:
            ctx.timer_service().register_processing_time_timer(0)
            yield Timestamped(value, value + 1000)

        def on_timer(self, timestamp: int, ctx: KeyedProcessFunction.OnTimerContext) -> Iterator[Any]:
            yield Timestamped(("timer", ctx.get_current_key()), 7)

    class Echo(ProcessFunction):
        def process_element(self, value: Any, ctx: ProcessFunction.Context) -> Iterator[Any]:
            yield value, ctx.timestamp()

    out = _env(batch=True, workers=2).from_collection([1, 2]).key_by(lambda v: v).process(Restamp()).process(Echo())
    assert sorted(out.execute_and_collect(), key=str) == sorted([(1, 1001), (2, 1002), (("timer", 1), 7), (("timer", 2), 7)], key=str)
