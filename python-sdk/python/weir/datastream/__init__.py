"""The DataStream API, as in ``pyflink.datastream``: ``StreamExecutionEnvironment``,
``DataStream``, ``KeyedStream`` and function interfaces. Records are Python objects."""

from weir.datastream.data_stream import DataStream, KeyedStream
from weir.datastream.functions import (
    FilterFunction,
    FlatMapFunction,
    KeyedProcessFunction,
    KeySelector,
    MapFunction,
    ProcessFunction,
    ReduceFunction,
    RuntimeContext,
)
from weir.datastream.stream_execution_environment import JobExecutionResult, RuntimeExecutionMode, StreamExecutionEnvironment

__all__ = [
    "DataStream",
    "FilterFunction",
    "FlatMapFunction",
    "JobExecutionResult",
    "KeySelector",
    "KeyedProcessFunction",
    "KeyedStream",
    "MapFunction",
    "ProcessFunction",
    "ReduceFunction",
    "RuntimeContext",
    "RuntimeExecutionMode",
    "StreamExecutionEnvironment",
]
