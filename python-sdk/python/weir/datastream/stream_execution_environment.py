"""``StreamExecutionEnvironment``, as in ``pyflink.datastream``: builds DataStream programs and
runs them on the in-process engine."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterable
from enum import Enum
from typing import TYPE_CHECKING, Any

from weir import _weir
from weir.common.coercion import converter
from weir.common.job_execution_result import JobExecutionResult
from weir.datastream import records
from weir.datastream.checkpoint_config import CheckpointConfig
from weir.datastream.connectors.file_system import FileSink
from weir.datastream.data_stream import DataStream
from weir.errors import declare_unsupported, unsupported

if TYPE_CHECKING:
    from weir.common.configuration import Configuration
    from weir.common.typeinfo import TypeInformation
    from weir.common.watermark_strategy import WatermarkStrategy
    from weir.datastream import CheckpointingMode
    from weir.datastream.connectors import Source
    from weir.datastream.functions import SourceFunction
    from weir.datastream.time_domain import TimeCharacteristic


class RuntimeExecutionMode(Enum):
    """Batch (bounded input, final results) or streaming (running results)."""

    STREAMING = 0
    BATCH = 1
    AUTOMATIC = 2


class StreamExecutionEnvironment:
    """Creates DataStreams and runs the jobs that read them."""

    def __init__(self) -> None:
        self._session = _weir.Session()
        self._ids = itertools.count(1)
        self._counter = itertools.count()
        self._parallelism: int | None = None
        self._batch = False
        # Other settings of the Configuration given at creation (e.g. state.backend.type).
        self._settings: dict[str, str] = {}
        self._sinks: list[tuple[list[dict[str, Any]], str, Any]] = []
        # Streaming rolling reduces defined without checkpointing (their state is a Python dict).
        self._rolling_reduces = 0

    @staticmethod
    def get_execution_environment(configuration: Configuration | None = None) -> "StreamExecutionEnvironment":
        """A new environment (streaming mode, one worker per core). A ``configuration`` sets
        ``parallelism.default``, ``execution.runtime-mode`` and any job setting, e.g.
        ``state.backend.type`` (``hashmap`` or ``rocksdb``) for the keyed state of process
        functions."""
        env = StreamExecutionEnvironment()
        if configuration is not None and hasattr(configuration, "to_dict"):
            settings = configuration.to_dict()
            if "parallelism.default" in settings:
                env.set_parallelism(int(settings["parallelism.default"]))
            if settings.get("execution.runtime-mode", "").lower() == "batch":
                env.set_runtime_mode(RuntimeExecutionMode.BATCH)
            env._settings = {str(k): str(v) for k, v in settings.items() if k not in ("parallelism.default", "execution.runtime-mode")}
        return env

    # ----- settings -----
    def set_parallelism(self, parallelism: int) -> "StreamExecutionEnvironment":
        """The number of worker threads."""
        self._parallelism = int(parallelism)
        return self

    def get_parallelism(self) -> int:
        """The number of worker threads (0: one per core)."""
        return self._parallelism or 0

    def set_runtime_mode(self, execution_mode: RuntimeExecutionMode) -> "StreamExecutionEnvironment":
        """Batch or streaming."""
        self._batch = execution_mode == RuntimeExecutionMode.BATCH
        return self

    def set_max_parallelism(self, max_parallelism: int) -> "StreamExecutionEnvironment":
        """No effect."""
        return self

    def close(self) -> None:
        """Nothing to release: jobs end when ``execute`` returns."""

    def enable_checkpointing(self, interval: int, mode: CheckpointingMode | None = None) -> "StreamExecutionEnvironment":
        """Checkpoints every ``interval`` milliseconds (STREAMING mode; they also need a
        directory: ``get_checkpoint_config().set_checkpoint_storage_dir(...)`` or the
        configuration key ``execution.checkpointing.dir``). See :mod:`weir.datastream.checkpoint_config`."""
        self.get_checkpoint_config().enable(interval, mode)
        return self

    def get_checkpoint_config(self) -> CheckpointConfig:
        """The job's checkpoint settings."""
        return CheckpointConfig(self._settings)

    def get_checkpoint_interval(self) -> int:
        """Milliseconds between checkpoints (-1: off)."""
        return self.get_checkpoint_config().get_checkpoint_interval()

    def get_checkpointing_mode(self) -> int:
        """The checkpointing mode."""
        return self.get_checkpoint_config().get_checkpointing_mode()

    def set_stream_time_characteristic(self, characteristic: TimeCharacteristic) -> None:
        """No effect (deprecated in Flink)."""

    def add_jars(self, *jars_path: str) -> None:
        """No effect: Weir has no JVM."""

    def add_python_file(self, file_path: str) -> None:
        """No effect: functions run in this process."""

    # ----- sources -----
    def from_collection(self, collection: Iterable[Any], type_info: TypeInformation | None = None) -> DataStream:
        """A bounded stream of the collection's elements, read by one worker in the collection's
        order (Flink's ``from_collection`` is a non-parallel source), converted to their declared
        ``type_info`` as PyFlink's serializers convert them (named rows, 32-bit floats)."""
        items = list(collection)
        convert = converter(type_info)
        if convert is not None:
            # PyFlink's source serializes the elements by their type: named rows become Rows,
            # FLOAT values 32-bit floats.
            items = [convert(x) for x in items]
        return self._indexed(items, len(items), {}, type_info)

    def _indexed(self, items: Any, count: int, options: dict[str, str], type_info: TypeInformation | None) -> DataStream:
        """A stream of ``items[0]`` to ``items[count - 1]``, read by index from a sequence
        source with ``options`` added."""
        schema = [{"name": "i", "type": "BIGINT", "nullable": False}]
        if count:
            # The indexes from a sequence, not a million JSON rows (streaming: at processing
            # time; batch: at time 0), read by one worker as Flink's from_collection: elements
            # of a key keep their order.
            options = {"fields.i.kind": "sequence", "fields.i.start": "0", "fields.i.end": str(count - 1), "scan.parallelism": "1", **options}
            node = {"kind": "source", "id": self._fresh_id("collection"), "connector": _weir.SEQUENCE_SOURCE, "options": options, "schema": schema}
        else:
            node = {"kind": "values", "id": self._fresh_id("collection"), "schema": schema, "rows": []}
        return DataStream(self, [node], node["id"], [], source=items, type_info=type_info)

    def from_source(
        self, source: Source, watermark_strategy: WatermarkStrategy | None = None, source_name: str = "", type_info: TypeInformation | None = None
    ) -> DataStream:
        """A bounded stream from ``source``: a ``FileSource`` of text lines (read when the
        stream is defined), a ``NumberSequenceSource`` or a (rate-limited)
        ``DataGeneratorSource``, with timestamps and watermarks from ``watermark_strategy``.
        Each is read by one worker from a sequence of indexes, whose position a checkpoint
        records."""
        from weir.datastream.connectors import DataGeneratorSource, NumberSequenceSource
        from weir.datastream.connectors.file_system import FileSource

        if isinstance(source, DataGeneratorSource):
            rate = source.rate_limiter_strategy.records_per_second
            stream = self._indexed(source.generated(converter(type_info or source.type_info)), source.count,
                                   {} if rate is None else {"rows-per-second": repr(float(rate))}, type_info or source.type_info)
        elif isinstance(source, FileSource):
            stream = self.from_collection(source.read(), type_info)
        elif isinstance(source, NumberSequenceSource):
            stream = self.from_collection(range(source.start, source.end + 1), type_info)
        else:
            raise unsupported(f"from_source({type(source).__name__}): FileSource and NumberSequenceSource are supported")
        if watermark_strategy is None or (watermark_strategy._delay_ms() is None and watermark_strategy.timestamp_assigner is None):
            return stream
        return stream.assign_timestamps_and_watermarks(watermark_strategy)

    def add_source(self, source_func: SourceFunction, source_name: str = "", type_info: TypeInformation | None = None) -> DataStream:
        """Not supported yet."""
        raise unsupported("add_source")

    # ----- running -----
    def execute(self, job_name: str | None = None) -> JobExecutionResult:
        """Runs every sink declared so far (``print``, ``sink_to``) as one job. The records
        reach the sinks in production order when the (bounded) job has finished; with
        checkpointing (STREAMING mode), a ``FileSink`` is the engine's filesystem sink instead,
        whose files become visible as checkpoints complete (exactly once across restores)."""
        if not self._sinks:
            raise RuntimeError("no sinks defined: call print() or sink_to() on a stream first")
        nodes: list[dict[str, Any]] = []
        seen: set[str] = set()
        sinks = []
        for i, (ns, head, writer) in enumerate(self._sinks):
            for n in ns:
                if n["id"] not in seen:
                    seen.add(n["id"])
                    nodes.append(n)
            sink = f"__sink_{i}"
            if self._checkpointed() and isinstance(writer, FileSink):
                nodes.extend(self._file_sink(sink, head, writer))
                continue
            nodes.append({"kind": "sink", "id": sink, "input": head, "connector": _weir.CALLER_SINK})
            sinks.append((sink, writer))
        self._sinks = []
        started = time.monotonic()
        collected = self._run(nodes)
        for sink, writer in sinks:
            writer.write(records.decode(collected.get(sink, [])))
        return JobExecutionResult(job_name or "weir job", int((time.monotonic() - started) * 1000))

    def _checkpointed(self) -> bool:
        return not self._batch and self.get_checkpoint_config().is_checkpointing_enabled()

    def _file_sink(self, sink: str, head: str, writer: FileSink) -> list[dict[str, Any]]:
        """The nodes writing the records of ``head`` with ``writer``'s encoder, a line each, to
        the engine's filesystem sink in ``writer``'s directory."""
        name = self._register(records.EncodedLines(writer.encoder), "encode", [("line", "STRING")], "FileSink")
        nodes, lines = self._flat_map([], head, name, [{"column": "v"}], ["line"])
        options = {"path": str(writer.base_path), "format": "csv", "csv.disable-quote-character": "true"}
        return [*nodes, {"kind": "sink", "id": sink, "input": lines, "connector": "filesystem", "options": options}]

    # ----- plumbing used by DataStream -----
    def _fresh_id(self, kind: str) -> str:
        return f"d{next(self._ids)}_{kind}"

    def _config(self) -> dict[str, str]:
        config = {**self._settings, "execution.runtime-mode": "batch" if self._batch else "streaming"}
        if self._parallelism:
            config["parallelism.default"] = str(self._parallelism)
        return config

    def _register(self, function: Any, kind: str, output: list[tuple[str, str]], label: str | None = None) -> str:
        name = f"__ds_{kind}_{next(self._ids)}"
        self._session.register_table_function(name, function, output, None, label or kind, batched=True)
        return name

    def _flat_map(
        self, nodes: list[dict[str, Any]], head: str, function: str, args: list[dict[str, Any]], names: list[str], kept: tuple[str, ...] = ()
    ) -> tuple[list[dict[str, Any]], str]:
        """A ``flat_map`` node calling ``function`` (which returns the columns ``names``) and a
        projection to those columns, followed by the input columns ``kept`` (passed through as
        they are, so the input's event-time column stays one)."""
        hidden = [f"__{n}" for n in names]
        flat = {"kind": "flat_map", "id": self._fresh_id("python"), "input": head, "function": function, "args": args, "columns": hidden}
        project = {"kind": "project", "id": self._fresh_id("out"), "input": flat["id"],
                   "columns": [{"name": n, "expr": {"column": h}} for n, h in zip(names, hidden)] + [{"name": k, "expr": {"column": k}} for k in kept]}
        return nodes + [flat, project], project["id"]

    def _add_sink(self, nodes: list[dict[str, Any]], head: str, writer: Any) -> None:
        self._sinks.append((nodes, head, writer))

    def _run(self, nodes: list[dict[str, Any]]) -> dict[str, list[tuple[str, tuple[Any, ...]]]]:
        if self._rolling_reduces and self._checkpointed():
            raise unsupported("a KeyedStream.reduce defined before enable_checkpointing (its state is not checkpointed): "
                              "enable checkpointing first")
        return self._session.run(json.dumps({"config": self._config(), "nodes": nodes}))

    def _collect(self, nodes: list[dict[str, Any]], head: str) -> list[Any]:
        sink = {"kind": "sink", "id": "__collect", "input": head, "connector": _weir.CALLER_SINK}
        return records.decode(self._run(nodes + [sink]).get("__collect", []))


_CHECKPOINTS = "checkpointing from the DataStream API"
declare_unsupported(
    StreamExecutionEnvironment,
    {
        "add_classpaths": "JVM classpaths (Weir has no JVM)",
        "add_python_archive": "Python archives",
        "set_python_requirements": "Python requirements",
        "set_python_executable": "a separate Python executable (functions run in this process)",
        "register_cached_file": "cached files",
        "configure": "Configuration objects after creation (use get_execution_environment(configuration))",
        "create_input": "InputFormats",
        "execute_async": "asynchronous execution (job clients)",
        "get_checkpointing_consistency_mode": _CHECKPOINTS,
        "enable_changelog_state_backend": "state backends",
        "is_changelog_state_backend_enabled": "state backends",
        "set_default_savepoint_directory": "savepoints from the DataStream API",
        "get_default_savepoint_directory": "savepoints from the DataStream API",
        "is_unaligned_checkpoints_enabled": _CHECKPOINTS,
        "is_force_unaligned_checkpoints": _CHECKPOINTS,
        "get_config": "ExecutionConfig",
        "get_execution_plan": "execution plans of DataStream jobs",
        "register_slot_sharing_group": "slot sharing groups",
        "set_buffer_timeout": "buffer timeouts",
        "get_buffer_timeout": "buffer timeouts",
        "disable_operator_chaining": "operator chaining settings",
        "is_chaining_enabled": "operator chaining settings",
        "is_chaining_of_operators_with_different_max_parallelism_enabled": "operator chaining settings",
        "set_default_local_parallelism": "local parallelism settings (use set_parallelism)",
        "get_default_local_parallelism": "local parallelism settings (use set_parallelism)",
        "get_max_parallelism": "max parallelism",
    },
)
