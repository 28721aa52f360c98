"""The DataStream API, as in ``pyflink.datastream``: ``StreamExecutionEnvironment``,
``DataStream``, ``KeyedStream``, ``ConnectedStreams`` and function interfaces. Records are
Python objects."""

from weir.datastream.checkpoint_config import CheckpointConfig, CheckpointingMode
from weir.datastream.data_stream import CloseableIterator, ConnectedStreams, DataStream, KeyedStream
from weir.datastream.functions import (
    AggregateFunction,
    AllWindowFunction,
    BroadcastProcessFunction,
    CoFlatMapFunction,
    CoMapFunction,
    CoProcessFunction,
    FilterFunction,
    FlatMapFunction,
    KeyedBroadcastProcessFunction,
    KeyedCoProcessFunction,
    KeyedProcessFunction,
    KeySelector,
    MapFunction,
    Partitioner,
    ProcessAllWindowFunction,
    ProcessFunction,
    ProcessWindowFunction,
    ReduceFunction,
    RuntimeContext,
    SinkFunction,
    SourceFunction,
    TimerService,
    WindowFunction,
)
from weir.datastream.stream_execution_environment import JobExecutionResult, RuntimeExecutionMode, StreamExecutionEnvironment
from weir.datastream.time_domain import TimeCharacteristic, TimeDomain
from weir.datastream.window import CountWindow, GlobalWindow, MergingWindowAssigner, TimeWindow, Trigger, TriggerResult, Window, WindowAssigner
from weir.datastream.windowed_stream import AllWindowedStream, WindowedStream
from weir.errors import unsupported_class as _placeholder


class OutputTag:
    """Names a side output: a process function sends records to it with ``ctx.output(tag,
    value)``, and ``stream.get_side_output(tag)`` reads them."""

    def __init__(self, tag_id: str, type_info: object = None) -> None:
        if not isinstance(tag_id, str) or not tag_id:
            raise ValueError(f"an OutputTag needs a non-empty id, got {tag_id!r}")
        self.tag_id = tag_id
        self.type_info = type_info

    def __eq__(self, other: object) -> bool:
        return isinstance(other, OutputTag) and other.tag_id == self.tag_id

    def __hash__(self) -> int:
        return hash(self.tag_id)

    def __repr__(self) -> str:
        return f"OutputTag({self.tag_id!r})"


def _missing(name: str, feature: str) -> type:
    return _placeholder(name, feature, __name__)


DataStreamSink = _missing("DataStreamSink", "sink configuration")
BroadcastStream = _missing("BroadcastStream", "broadcast state")
BroadcastConnectedStream = _missing("BroadcastConnectedStream", "broadcast state")
AsyncDataStream = _missing("AsyncDataStream", "asynchronous I/O")
AsyncFunction = _missing("AsyncFunction", "asynchronous I/O")
AsyncRetryPredicate = _missing("AsyncRetryPredicate", "asynchronous I/O")
AsyncRetryStrategy = _missing("AsyncRetryStrategy", "asynchronous I/O")
CheckpointStorage = _missing("CheckpointStorage", "checkpointing from the DataStream API")
CustomCheckpointStorage = _missing("CustomCheckpointStorage", "checkpointing from the DataStream API")
FileSystemCheckpointStorage = _missing("FileSystemCheckpointStorage", "checkpointing from the DataStream API")
JobManagerCheckpointStorage = _missing("JobManagerCheckpointStorage", "checkpointing from the DataStream API")
ExternalizedCheckpointRetention = _missing("ExternalizedCheckpointRetention", "checkpointing from the DataStream API")
StateBackend = _missing("StateBackend", "state backends from the DataStream API (keyed state)")
CustomStateBackend = _missing("CustomStateBackend", "state backends from the DataStream API (keyed state)")
HashMapStateBackend = _missing("HashMapStateBackend", "state backends from the DataStream API (keyed state)")
EmbeddedRocksDBStateBackend = _missing("EmbeddedRocksDBStateBackend", "state backends from the DataStream API (keyed state)")
PredefinedOptions = _missing("PredefinedOptions", "state backends from the DataStream API (keyed state)")
MemorySize = _missing("MemorySize", "memory configuration")
SlotSharingGroup = _missing("SlotSharingGroup", "slot sharing groups")

__all__ = [
    "WindowedStream",
    "AllWindowedStream",
    "DataStreamSink",
    "BroadcastStream",
    "BroadcastConnectedStream",
    "AsyncDataStream",
    "AsyncFunction",
    "AsyncRetryPredicate",
    "AsyncRetryStrategy",
    "CheckpointConfig",
    "CheckpointStorage",
    "CustomCheckpointStorage",
    "FileSystemCheckpointStorage",
    "JobManagerCheckpointStorage",
    "ExternalizedCheckpointRetention",
    "StateBackend",
    "CustomStateBackend",
    "HashMapStateBackend",
    "EmbeddedRocksDBStateBackend",
    "PredefinedOptions",
    "MemorySize",
    "SlotSharingGroup",
    "TimerService",
    "Window",
    "TimeWindow",
    "CountWindow",
    "GlobalWindow",
    "WindowAssigner",
    "MergingWindowAssigner",
    "Trigger",
    "TriggerResult",
    "CheckpointingMode",
    "OutputTag",
    "AggregateFunction",
    "AllWindowFunction",
    "BroadcastProcessFunction",
    "CloseableIterator",
    "CoFlatMapFunction",
    "CoMapFunction",
    "CoProcessFunction",
    "ConnectedStreams",
    "DataStream",
    "FilterFunction",
    "FlatMapFunction",
    "JobExecutionResult",
    "KeySelector",
    "KeyedBroadcastProcessFunction",
    "KeyedCoProcessFunction",
    "KeyedProcessFunction",
    "KeyedStream",
    "MapFunction",
    "Partitioner",
    "ProcessAllWindowFunction",
    "ProcessFunction",
    "ProcessWindowFunction",
    "ReduceFunction",
    "RuntimeContext",
    "RuntimeExecutionMode",
    "SinkFunction",
    "SourceFunction",
    "StreamExecutionEnvironment",
    "TimeCharacteristic",
    "TimeDomain",
    "WindowFunction",
]
