"""``DataStream`` and ``KeyedStream``, as in ``pyflink.datastream``. A stream is a fragment of
Weir's job spec whose rows are pickled Python records (see ``records.py``); Python functions run
on the engine's worker threads as table functions."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from weir.datastream import records
from weir.datastream.functions import (
    CoFlatMapFunction,
    CoMapFunction,
    CoProcessFunction,
    FilterFunction,
    FlatMapFunction,
    KeyedCoProcessFunction,
    KeyedProcessFunction,
    KeySelector,
    MapFunction,
    ProcessFunction,
    ReduceFunction,
    SinkFunction,
    as_callable,
)
from weir.datastream.print_format import format_record
from weir.errors import declare_unsupported, unsupported

if TYPE_CHECKING:
    from weir.common.typeinfo import TypeInformation
    from weir.common.watermark_strategy import WatermarkStrategy
    from weir.datastream import OutputTag
    from weir.datastream.connectors import Sink
    from weir.datastream.stream_execution_environment import StreamExecutionEnvironment
    from weir.datastream.window import WindowAssigner
    from weir.datastream.windowed_stream import AllWindowedStream, WindowedStream

# What the DataStream methods accept as functions: PyFlink's ``Union[Callable, MapFunction]`` etc.
MapLike = Callable[[Any], Any] | MapFunction
FlatMapLike = Callable[[Any], Iterable[Any]] | FlatMapFunction
FilterLike = Callable[[Any], bool] | FilterFunction
KeySelectorLike = Callable[[Any], Any] | KeySelector
ReduceLike = Callable[[Any, Any], Any] | ReduceFunction


class DataStream:
    """A stream of Python records. Stateless operations are fused until a shuffle (``key_by``),
    a ``union`` or a sink needs the records materialized."""

    def __init__(
        self,
        env: "StreamExecutionEnvironment",
        nodes: list[dict[str, Any]],
        head: str,
        steps: list[records.Step],
        source: list[Any] | None = None,
        type_info: TypeInformation | None = None,
    ) -> None:
        self._env = env
        self._nodes = nodes
        self._head = head
        self._steps = steps
        self._source = source
        self._type_info = type_info
        # For the output of a process function: its nodes and node id, for side outputs.
        self._process: tuple[list[dict[str, Any]], str] | None = None
        # For the output of a watermark node: the stream before it and the allowed delay, so
        # ``key_by`` can have the chain before it compute the keys (see ``_keyed_input``).
        self._watermarked: tuple[DataStream, int] | None = None

    def _with(self, kind: str, f: Callable[..., Any], type_info: TypeInformation | None = None, keeps_type: bool = True) -> "DataStream":
        """This stream with one more step; its records have ``type_info``, else (when the step
        ``keeps_type``, as a filter does) the input's type, else none declared (pickled)."""
        out_type = type_info if type_info is not None or not keeps_type else self._type_info
        return DataStream(self._env, self._nodes, self._head, [*self._steps, (kind, f)], self._source, out_type)

    def get_type(self) -> TypeInformation | None:
        """The records' type information, when declared (``output_type=`` / ``type_info=``)."""
        return self._type_info

    def _materialized(self, key: Callable[[Any], Any] | None = None) -> tuple[list[dict[str, Any]], str]:
        """The nodes producing this stream's ``(seq, v, ts)`` rows, and the last node's id.
        With ``key``, the chain also computes each record's pickled key, column ``k`` (only
        when this stream has a chain: see ``_keyed_input``)."""
        if not self._steps and self._source is None:
            return self._nodes, self._head
        # A chain that does not assign timestamps passes its input's ts column on unchanged (the
        # column downstream event-time operators know as the stream's event time).
        stamps = self._source is not None or any(kind == "timestamp" for kind, _ in self._steps)
        chain = records.Chain(self._env._counter, list(self._steps), self._source, stamps, key)
        label = " -> ".join([f"{kind} {_label(f)}" for kind, f in self._steps] + ([f"key {_label(key)}"] if key is not None else [])) or "from_collection"
        columns = (records.COLUMNS if stamps else records.COLUMNS[:2]) + ([("k", "BYTES")] if key is not None else [])
        name = self._env._register(chain, "chain", columns, label)
        args = [{"column": 0}] if self._source is not None else records.ARGS
        return self._env._flat_map(self._nodes, self._head, name, args, [n for n, _ in columns], () if stamps else ("ts",))

    # ----- stateless -----
    def map(self, func: MapLike, output_type: TypeInformation | None = None) -> "DataStream":
        """Each record replaced by ``func(record)``."""
        return self._with("map", as_callable(func, "map"), output_type, keeps_type=False)

    def flat_map(self, func: FlatMapLike, output_type: TypeInformation | None = None) -> "DataStream":
        """Each record replaced by the records ``func(record)`` returns or yields."""
        return self._with("flat_map", as_callable(func, "flat_map"), output_type, keeps_type=False)

    def filter(self, func: FilterLike) -> "DataStream":
        """Keeps records for which ``func(record)`` is true."""
        return self._with("filter", as_callable(func, "filter"))

    def key_by(self, key_selector: KeySelectorLike, key_type: TypeInformation | None = None) -> "KeyedStream":
        """Partitions the stream by ``key_selector(record)``."""
        nodes, head = self._materialized()
        keyed = KeyedStream(
            self._env, nodes, head, as_callable(key_selector, "get_key"), self._type_info, chain=(self._nodes, self._head, self._steps, self._source)
        )
        keyed._unkeyed = self
        return keyed

    def union(self, *streams: "DataStream") -> "DataStream":
        """The records of this stream and of ``streams``."""
        parts = [self._materialized(), *[s._materialized() for s in streams]]
        nodes: list[dict[str, Any]] = []
        seen: set[str] = set()
        for ns, _ in parts:
            for n in ns:
                if n["id"] not in seen:
                    seen.add(n["id"])
                    nodes.append(n)
        node = {"kind": "union", "id": self._env._fresh_id("union"), "inputs": [h for _, h in parts]}
        return DataStream(self._env, nodes + [node], node["id"], [], type_info=self._type_info)

    # ----- configuration (accepted, no effect) -----
    def name(self, name: str) -> "DataStream":
        """Names the operation (no effect)."""
        return self

    def uid(self, uid: str) -> "DataStream":
        """Sets the operation's uid (no effect)."""
        return self

    def set_parallelism(self, parallelism: int) -> "DataStream":
        """Per-operation parallelism is not supported; the job's parallelism applies."""
        return self

    def disable_chaining(self) -> "DataStream":
        """No effect."""
        return self

    def start_new_chain(self) -> "DataStream":
        """No effect (chaining is Weir's choice; results do not change)."""
        return self

    def set_description(self, description: str) -> "DataStream":
        """No effect."""
        return self

    def set_uid_hash(self, uid_hash: str) -> "DataStream":
        """No effect."""
        return self

    def set_max_parallelism(self, max_parallelism: int) -> "DataStream":
        """No effect: the job's parallelism applies."""
        return self

    def set_buffer_timeout(self, timeout_millis: int) -> "DataStream":
        """No effect."""
        return self

    def force_non_parallel(self) -> "DataStream":
        """No effect: the job's parallelism applies (results do not change)."""
        return self

    def slot_sharing_group(self, slot_sharing_group: Any) -> "DataStream":
        """No effect: Weir has no slots."""
        return self

    def _repartition(self) -> "DataStream":
        return self

    forward = rebalance = rescale = shuffle = _repartition

    def get_name(self) -> str:
        """The operation's name (Weir does not keep names; the last node's id)."""
        return self._head

    def get_execution_environment(self) -> "StreamExecutionEnvironment":
        """The environment the stream belongs to."""
        return self._env

    def project(self, *field_indexes: int) -> "DataStream":
        """Each record (a tuple or Row) reduced to the fields at ``field_indexes``, as a tuple."""
        indexes = list(field_indexes)
        return self.map(lambda r: tuple(r[i] for i in indexes))

    # ----- sinks -----
    def print(self, sink_identifier: str | None = None) -> None:
        """Prints each record when the job is executed, as PyFlink does: by the stream's declared
        type (``Types.TUPLE`` as ``(a,1)``, rows as ``+I[a, 1]``), else with ``str``."""
        nodes, head = self._materialized()
        self._env._add_sink(nodes, head, _Printer(sink_identifier, self._type_info))

    def execute_and_collect(self, job_execution_name: str | None = None, limit: int | None = None) -> "CloseableIterator":
        """Runs the job and returns this stream's records, in production order."""
        nodes, head = self._materialized()
        out = self._env._collect(nodes, head)
        return CloseableIterator(out[:limit] if limit is not None else out)

    def sink_to(self, sink: Sink) -> None:
        """Writes the records to ``sink`` (a ``FileSink``) when the job is executed."""
        from weir.datastream.connectors.file_system import FileSink

        if not isinstance(sink, FileSink):
            raise unsupported(f"sink_to({type(sink).__name__}): only FileSink is supported")
        nodes, head = self._materialized()
        self._env._add_sink(nodes, head, sink)

    def add_sink(self, sink_func: SinkFunction) -> None:
        """Not supported yet."""
        raise unsupported("DataStream.add_sink")

    # ----- event time, process functions -----
    def assign_timestamps_and_watermarks(self, watermark_strategy: WatermarkStrategy) -> "DataStream":
        """The records with timestamps from the strategy's ``TimestampAssigner`` (if it has
        one) and event time following its watermarks: rows are re-timed by their timestamp and
        the watermark trails the largest timestamp seen by the allowed out-of-orderness, per
        record. A record behind the watermark is not dropped; whoever uses event time
        downstream decides whether it is late. ``no_watermarks()`` only assigns timestamps."""
        from weir.common.watermark_strategy import WatermarkStrategy

        if not isinstance(watermark_strategy, WatermarkStrategy):
            raise TypeError(f"expected a WatermarkStrategy, got {watermark_strategy!r}")
        stream = self
        assigner = watermark_strategy._assigner_function()
        if assigner is not None:
            stream = self._with("timestamp", assigner)
        delay = watermark_strategy._delay_ms()
        if delay is None:
            return stream
        nodes, head = stream._materialized()
        node = {"kind": "watermark", "id": self._env._fresh_id("watermark"), "input": head, "column": "ts", "delay_ms": delay}
        out = DataStream(self._env, nodes + [node], node["id"], [], type_info=self._type_info)
        out._watermarked = (stream, delay)
        return out

    def process(self, func: ProcessFunction, output_type: TypeInformation | None = None) -> "DataStream":
        """Runs the ``ProcessFunction`` ``func`` on each record: ``func.process_element(value,
        ctx)`` returns or yields outputs; ``ctx.timestamp()`` and ``ctx.output(tag, value)``
        work (timers and keyed state need ``key_by`` first)."""
        if not callable(getattr(func, "process_element", None)):
            raise TypeError(f"expected a ProcessFunction (process_element), got {func!r}")
        return _process(self._env, [(self, None)], func, output_type)

    def get_side_output(self, output_tag: OutputTag) -> "DataStream":
        """The records a process function sent to ``output_tag`` with ``ctx.output``."""
        if self._process is None:
            raise ValueError("get_side_output needs the output of a process function (process())")
        tag_id = getattr(output_tag, "tag_id", None)
        if not isinstance(tag_id, str):
            raise TypeError(f"expected an OutputTag, got {output_tag!r}")
        nodes, node = self._process
        return _tagged(self._env, nodes, node, tag_id, getattr(output_tag, "type_info", None))

    def connect(self, ds: "DataStream") -> "ConnectedStreams":
        """This stream and ``ds`` as two inputs of one ``CoMapFunction`` / ``CoFlatMapFunction``."""
        return ConnectedStreams(self, ds)

    def window_all(self, window_assigner: WindowAssigner) -> AllWindowedStream:
        """The whole stream cut into windows by ``window_assigner`` (one operator sees every record)."""
        from weir.datastream.windowed_stream import AllWindowedStream

        return AllWindowedStream(self, window_assigner)


class KeyedStream(DataStream):
    """A stream partitioned by key: rolling ``reduce``, ``sum``, ``min``, ``max``."""

    def __init__(
        self,
        env: "StreamExecutionEnvironment",
        nodes: list[dict[str, Any]],
        head: str,
        key: Callable[[Any], Any],
        type_info: TypeInformation | None = None,
        chain: tuple[list[dict[str, Any]], str, list[records.Step], list[Any] | None] | None = None,
    ) -> None:
        super().__init__(env, nodes, head, [], type_info=type_info)
        self._key = key
        # The stream before key_by, unmaterialized: `reduce` runs its stateless steps itself.
        self._chain = chain
        # The stream key_by was called on: its chain computes the keys (``_keyed_input``).
        self._unkeyed: DataStream | None = None

    def reduce(self, func: ReduceLike) -> DataStream:
        """Per key, the running combination of the records: each record emits its key's new
        value (streaming mode), or only each key's final value (batch mode).

        With checkpointing on (enable it before calling ``reduce``), a keyed process function
        keeps the key's value in the operator's keyed state, which checkpoints hold; otherwise
        one Python function folds a batch of records at a time into a dict (about 3× faster;
        ``benches/python/README.md``)."""
        if self._env._checkpointed():
            return self.process(_RollingReduce(as_callable(func, "reduce")), self._type_info)
        if not self._env._batch:
            self._env._rolling_reduces += 1
        base_nodes, base_head, steps, source = self._chain or (self._nodes, self._head, [], None)
        stamps = source is not None or any(kind == "timestamp" for kind, _ in steps)
        reducer = records.RollingReduce(self._env._counter, self._key, as_callable(func, "reduce"), steps, source, stamps, per_record=not self._env._batch)
        columns = [("seq", "BIGINT"), ("k", "BYTES"), ("v", "BYTES")] + ([("ts", "BIGINT")] if stamps else [])
        name = self._env._register(reducer, "reduce", columns, f"reduce {_label(reducer.reduce)}")
        args = [{"column": 0}] if source is not None else records.ARGS
        nodes, head = self._env._flat_map(base_nodes, base_head, name, args, [n for n, _ in columns], () if stamps else ("ts",))
        if self._env._batch:
            dedup = {
                "kind": "deduplicate",
                "id": self._env._fresh_id("last"),
                "input": head,
                "key": [{"column": "k"}],
                "order_by": {"column": "seq"},
                "keep": "last",
            }
            nodes, head = nodes + [dedup], dedup["id"]
        project = {"kind": "project", "id": self._env._fresh_id("project"), "input": head,
                   "columns": [{"name": n, "expr": {"column": n}} for n in records.NAMES]}
        return DataStream(self._env, nodes + [project], project["id"], [], type_info=self._type_info)

    def _by_field(self, field: int | str, combine: Callable[[Any, Any], Any]) -> DataStream:
        def reduce(acc: Any, value: Any) -> Any:
            return _replace(acc, field, combine(_get(acc, field), _get(value, field)))

        return self.reduce(reduce)

    def sum(self, position_to_sum: int | str = 0) -> DataStream:
        """Rolling sum of one field (by position or name); other fields from the first record."""
        return self._by_field(position_to_sum, lambda a, b: a + b)

    def min(self, position_to_min: int | str = 0) -> DataStream:
        """Rolling minimum of one field."""
        return self._by_field(position_to_min, min)

    def max(self, position_to_max: int | str = 0) -> DataStream:
        """Rolling maximum of one field."""
        return self._by_field(position_to_max, max)

    def _by_record(self, field: int | str, smaller: bool, first: bool) -> DataStream:
        def reduce(acc: Any, value: Any) -> Any:
            a, b = _get(acc, field), _get(value, field)
            if a == b:
                return acc if first else value
            return value if (b < a) == smaller else acc

        return self.reduce(reduce)

    def min_by(self, position_to_min_by: int | str = 0, first: bool = True) -> DataStream:
        """Rolling record with the smallest value of one field (the first such record on ties,
        unless ``first`` is false)."""
        return self._by_record(position_to_min_by, True, first)

    def max_by(self, position_to_max_by: int | str = 0, first: bool = True) -> DataStream:
        """Rolling record with the largest value of one field."""
        return self._by_record(position_to_max_by, False, first)

    def process(self, func: KeyedProcessFunction, output_type: TypeInformation | None = None) -> DataStream:
        """Runs the ``KeyedProcessFunction`` ``func`` with keyed state and timers: each record
        goes to ``func.process_element(value, ctx)`` on the worker owning its key; timers call
        ``func.on_timer(timestamp, ctx)``. Both return or yield outputs."""
        if not callable(getattr(func, "process_element", None)):
            raise TypeError(f"expected a KeyedProcessFunction (process_element), got {func!r}")
        return _process(self._env, [(self, self._key)], func, output_type)

    def window(self, window_assigner: WindowAssigner) -> WindowedStream:
        """Each key's records cut into windows by ``window_assigner``."""
        from weir.datastream.windowed_stream import WindowedStream

        return WindowedStream(self, window_assigner)

    def count_window(self, size: int, slide: int = 0) -> WindowedStream:
        """Each key's records in windows of ``size`` records (every ``slide`` records when given)."""
        from weir.datastream.window import CountSlidingWindowAssigner, CountTumblingWindowAssigner

        return self.window(CountTumblingWindowAssigner.of(size) if slide == 0 else CountSlidingWindowAssigner.of(size, slide))


class ConnectedStreams:
    """Two streams processed by one co-function (``connect``)."""

    def __init__(self, first: DataStream, second: DataStream) -> None:
        self._first = first
        self._second = second

    def map(self, func: CoMapFunction, output_type: TypeInformation | None = None) -> DataStream:
        """``func.map1`` on the first stream's records and ``func.map2`` on the second's."""
        if not (hasattr(func, "map1") and hasattr(func, "map2")):
            raise TypeError(f"expected a CoMapFunction (map1 and map2), got {func!r}")
        return self._first.map(func.map1).union(self._second.map(func.map2))

    def flat_map(self, func: CoFlatMapFunction, output_type: TypeInformation | None = None) -> DataStream:
        """``func.flat_map1`` on the first stream's records and ``func.flat_map2`` on the second's."""
        if not (hasattr(func, "flat_map1") and hasattr(func, "flat_map2")):
            raise TypeError(f"expected a CoFlatMapFunction (flat_map1 and flat_map2), got {func!r}")
        return self._first.flat_map(func.flat_map1).union(self._second.flat_map(func.flat_map2))

    def key_by(self, key_selector1: KeySelectorLike, key_selector2: KeySelectorLike, key_type: TypeInformation | None = None) -> "ConnectedStreams":
        """Both streams partitioned by their keys: records of either stream with equal keys
        share keyed state and timers in ``process``."""
        return ConnectedStreams(self._first.key_by(key_selector1), self._second.key_by(key_selector2))

    def process(self, func: CoProcessFunction | KeyedCoProcessFunction, output_type: TypeInformation | None = None) -> DataStream:
        """Runs a ``CoProcessFunction`` (or, after ``key_by``, a ``KeyedCoProcessFunction``):
        ``func.process_element1`` on the first stream's records, ``process_element2`` on the
        second's."""
        if not (callable(getattr(func, "process_element1", None)) and callable(getattr(func, "process_element2", None))):
            raise TypeError(f"expected a CoProcessFunction (process_element1 and process_element2), got {func!r}")
        keys = [getattr(s, "_key", None) for s in (self._first, self._second)]
        if (keys[0] is None) != (keys[1] is None):
            raise ValueError("connect a keyed stream with a keyed stream (key_by both, or ConnectedStreams.key_by)")
        return _process(self._first._env, [(self._first, keys[0]), (self._second, keys[1])], func, output_type)


def _process(env: "StreamExecutionEnvironment", inputs: list[tuple[DataStream, Callable[[Any], Any] | None]], func: Any, output_type: Any) -> DataStream:
    """The main output of a ``process`` node running ``func`` on ``inputs`` (each keyed by its
    key selector, or spread by record when not keyed)."""
    from weir.datastream.process import COLUMNS, Runner

    keyed = inputs[0][1] is not None
    nodes: list[dict[str, Any]] = []
    heads, keys = [], []
    for stream, key in inputs:
        ns, head = _keyed_input(env, stream, key)
        nodes.extend(n for n in ns if all(n["id"] != m["id"] for m in nodes))
        heads.append(head)
        keys.append([{"column": "k" if key is not None else "seq"}])
    label = _label(func)
    name = f"__ds_process_{next(env._ids)}"
    env._session.register_process_function(name, Runner.factory(func, keyed, env._counter, label), COLUMNS, "ts", label)
    node = {"kind": "process", "id": env._fresh_id("process"), "inputs": heads, "function": name, "keys": keys, "value": "v", "timestamp": "ts"}
    nodes = nodes + [node]
    main = _tagged(env, nodes, node["id"], None, output_type)
    main._process = (nodes, node["id"])
    return main


def _keyed_input(env: "StreamExecutionEnvironment", stream: DataStream, key: Callable[[Any], Any] | None) -> tuple[list[dict[str, Any]], str]:
    """The nodes of ``stream`` with its records' pickled key in column ``k`` (when keyed), and
    the last node's id. The chain of stateless operations producing the records computes the
    keys when there is one (also when a watermark node follows it: it passes records and
    columns on unchanged); otherwise a table function of its own does."""
    if key is not None and isinstance(stream, KeyedStream) and stream._unkeyed is not None and key is stream._key:
        stream = stream._unkeyed
    if key is not None and not stream._steps and stream._source is None and stream._watermarked is not None:
        before, delay = stream._watermarked
        if before._steps or before._source is not None:
            ns, head = before._materialized(key)
            node = {"kind": "watermark", "id": env._fresh_id("watermark"), "input": head, "column": "ts", "delay_ms": delay}
            return ns + [node], node["id"]
    if key is not None and (stream._steps or stream._source is not None):
        return stream._materialized(key)
    ns, head = stream._materialized()
    if key is None:
        return ns, head
    extractor = env._register(records.KeyColumn(key), "key", [("k", "BYTES")], f"key {_label(key)}")
    node = {"kind": "flat_map", "id": env._fresh_id("key"), "input": head, "function": extractor, "args": [{"column": "v"}], "columns": ["k"]}
    return ns + [node], node["id"]


class _RollingReduce(KeyedProcessFunction):
    """``KeyedStream.reduce`` in streaming mode: the key's running value in ``ValueState``."""

    def __init__(self, reduce: Callable[[Any, Any], Any]) -> None:
        self.reduce = reduce

    def open(self, runtime_context: Any) -> None:
        """The state."""
        from weir.datastream.state import ValueStateDescriptor

        self.state = runtime_context.get_state(ValueStateDescriptor("reduce", None))

    def process_element(self, value: Any, ctx: Any) -> Iterable[Any]:
        """The key's new value."""
        current = self.state.value()
        current = value if current is None else self.reduce(current, value)
        self.state.update(current)
        return (current,)


def _stream_window(stream: "KeyedStream", spec: Any, assigner: dict[str, Any], trigger: dict[str, Any] | None, allowed_lateness: int, labelled: Any,
                   output_type: Any, evictor: dict[str, Any] | None = None) -> DataStream:
    """The main output of a ``stream_window`` node: the engine's window operator over the keyed
    ``stream``, calling the window runner of ``spec`` (``window_runner.EngineWindow``)."""
    from weir.datastream.process import COLUMNS

    env = stream._env
    nodes, head = _keyed_input(env, stream, stream._key)
    label = _label(labelled)
    name = f"__ds_window_{next(env._ids)}"
    contents = "elements" if spec.contents is None or evictor is not None else "accumulator"
    env._session.register_window_function(name, spec.factory(env._counter, label), COLUMNS, contents, "ts", label)
    node = {"kind": "stream_window", "id": env._fresh_id("window"), "input": head, "function": name, "key": [{"column": "k"}], "value": "v",
            "timestamp": "ts", "assigner": assigner, "allowed_lateness_ms": allowed_lateness}
    if trigger is not None:
        node["trigger"] = trigger
    if evictor is not None:
        node["evictor"] = evictor
    nodes = nodes + [node]
    main = _tagged(env, nodes, node["id"], None, output_type)
    main._process = (nodes, node["id"])
    return main


def _tagged(env: "StreamExecutionEnvironment", nodes: list[dict[str, Any]], process: str, tag: str | None, type_info: Any) -> DataStream:
    """The records of the process node ``process`` sent to side output ``tag`` (None: main)."""
    tag_column = {"column": "tag"}
    predicate = {"call": {"function": "IS NULL", "args": [tag_column]}} if tag is None else {"call": {"function": "=", "args": [tag_column, {"literal": tag}]}}
    keep = {"kind": "filter", "id": env._fresh_id("side" if tag else "main"), "input": process, "predicate": predicate}
    project = {"kind": "project", "id": env._fresh_id("out"), "input": keep["id"], "columns": [{"name": n, "expr": {"column": n}} for n in records.NAMES]}
    return DataStream(env, nodes + [keep, project], project["id"], [], type_info=type_info)


class _Printer:
    """The ``print()`` sink: each record on standard output, prefixed by the identifier,
    written as PyFlink writes a record of the stream's declared type."""

    def __init__(self, identifier: str | None, type_info: Any) -> None:
        self.identifier = identifier
        self.type_info = type_info

    def write(self, values: list[Any]) -> None:
        """Prints ``values``."""
        for record in values:
            text = format_record(record, self.type_info)
            print(f"{self.identifier}> {text}" if self.identifier else text)


def _label(f: Any) -> str:
    return str(getattr(f, "__qualname__", None) or type(f).__name__)


def _get(record: Any, field: int | str) -> Any:
    if isinstance(field, str):
        return record[field] if not isinstance(record, dict) else record[field]
    return record[field] if isinstance(record, (tuple, list)) or hasattr(record, "_values") else record


def _replace(record: Any, field: int | str, value: Any) -> Any:
    from weir.common.types import Row

    if isinstance(record, Row):
        values = list(record)
        index = record._fields.index(field) if isinstance(field, str) and record._fields else int(field)
        values[index] = value
        return Row._make(values, record._fields, record.get_row_kind())
    if isinstance(record, dict):
        return {**record, field: value}
    if isinstance(record, (tuple, list)):
        values = list(record)
        values[int(field)] = value
        return type(record)(values) if isinstance(record, list) else tuple(values)
    return value


class CloseableIterator:
    """The records of ``execute_and_collect``; iterate, or use in a ``with`` block."""

    def __init__(self, values: list[Any]) -> None:
        self._it: Iterator[Any] = iter(values)

    def __iter__(self) -> "CloseableIterator":
        return self

    def __next__(self) -> Any:
        return next(self._it)

    def close(self) -> None:
        """Stops reading (the job has already finished)."""

    def __enter__(self) -> "CloseableIterator":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


declare_unsupported(DataStream, {
    "broadcast": "broadcast state", "cache": "cached streams",
    "partition_custom": "custom partitioning", "get_execution_config": "ExecutionConfig",
})
