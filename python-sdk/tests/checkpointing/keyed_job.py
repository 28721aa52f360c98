"""A DataStream program with checkpoints, run as its own process by
``test_checkpoint_recovery.py``: ``python keyed_job.py OUT CHECKPOINTS RESTORE KIND`` (RESTORE: a
checkpoint directory, or ``-`` to start afresh; KIND ``process`` or ``reduce``).

A rate-limited ``DataGeneratorSource`` of ids 1..ROWS (event time ``id * 10`` ms) is keyed by
``id % KEYS`` into a ``KeyedProcessFunction`` that keeps, in ``ValueState``, the key's element
count (each element goes out as ``S,key,seq,id``: the sequence checker) and the sums of its
open one-second buckets, emitted as ``W,key,bucket,sum,count`` by an event-time timer at each
bucket's end. Lines go to a ``FileSink`` (the engine's filesystem sink, as checkpointing is on),
with checkpoints every 200 ms on two workers. KIND ``reduce`` runs a rolling
``KeyedStream.reduce`` instead: ``R,key,count,sum`` per element, the key's running count and sum."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

from weir.common import Configuration, Duration, WatermarkStrategy
from weir.common.serialization import Encoder
from weir.common.watermark_strategy import TimestampAssigner
from weir.datastream import StreamExecutionEnvironment
from weir.datastream.connectors import DataGeneratorSource, RateLimiterStrategy
from weir.datastream.connectors.file_system import FileSink
from weir.datastream.functions import KeyedProcessFunction
from weir.datastream.state import ValueStateDescriptor

ROWS = 20_000
KEYS = 7
RATE = 2_000
BUCKET_MS = 1_000


class ById(TimestampAssigner):
    def extract_timestamp(self, value: int, record_timestamp: int) -> int:
        return value * 10


class Buckets(KeyedProcessFunction):
    def open(self, runtime_context: Any) -> None:
        self.seq = runtime_context.get_state(ValueStateDescriptor("seq", None))
        self.buckets = runtime_context.get_state(ValueStateDescriptor("buckets", None))

    def process_element(self, value: int, ctx: KeyedProcessFunction.Context) -> Iterable[str]:
        key = ctx.get_current_key()
        seq = (self.seq.value() or 0) + 1
        self.seq.update(seq)
        yield f"S,{key},{seq},{value}"
        bucket = ctx.timestamp() // BUCKET_MS
        buckets = dict(self.buckets.value() or {})
        total, count = buckets.get(bucket, (0, 0))
        buckets[bucket] = (total + value, count + 1)
        self.buckets.update(buckets)
        ctx.timer_service().register_event_time_timer((bucket + 1) * BUCKET_MS - 1)

    def on_timer(self, timestamp: int, ctx: KeyedProcessFunction.OnTimerContext) -> Iterable[str]:
        buckets = dict(self.buckets.value() or {})
        bucket = timestamp // BUCKET_MS
        if bucket in buckets:
            total, count = buckets.pop(bucket)
            self.buckets.update(buckets)
            yield f"W,{ctx.get_current_key()},{bucket},{total},{count}"


def main(out: str, checkpoints: str, restore: str, kind: str) -> None:
    config = Configuration()
    if restore != "-":
        config.set_string("execution.state-recovery.path", restore)
    env = StreamExecutionEnvironment.get_execution_environment(config)
    env.set_parallelism(2)
    env.enable_checkpointing(200)
    env.get_checkpoint_config().set_checkpoint_storage_dir(checkpoints)
    source = DataGeneratorSource(lambda i: i + 1, ROWS, RateLimiterStrategy.per_second(RATE))
    strategy = WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_millis(0)).with_timestamp_assigner(ById())
    stream = env.from_source(source, strategy, "ids")
    keyed = stream.key_by(lambda i: i % KEYS)
    if kind == "reduce":
        counted = stream.map(lambda i: (i % KEYS, 1, i)).key_by(lambda t: t[0]).reduce(lambda a, b: (a[0], a[1] + b[1], a[2] + b[2]))
        lines = counted.map(lambda t: f"R,{t[0]},{t[1]},{t[2]}")
    else:
        lines = keyed.process(Buckets())
    lines.sink_to(FileSink.for_row_format(out, Encoder.simple_string_encoder()).build())
    env.execute("checkpointed keyed job")


if __name__ == "__main__":
    main(*sys.argv[1:5])
