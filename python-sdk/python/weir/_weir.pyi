"""Type stubs of the native extension ``weir._weir`` (see ``python-sdk/src``)."""

from collections.abc import Callable
from typing import Any

__version__: str
# The sink connector that keeps a job's rows for the caller (the engine registry's name).
CALLER_SINK: str
# The source connector that generates sequences (``fields.<f>.kind = sequence``).
SEQUENCE_SOURCE: str

def normalize_type(text: str) -> str:
    """The canonical SQL text of a type name, or raises ``PlanError``."""

class Session:
    """A SQL session plus user functions; runs job specs (JSON) on the engine."""

    def __init__(self) -> None: ...
    def execute_sql(self, script: str) -> list[tuple[Any, ...]]:
        """One tuple per statement: ``("done", msg)``, ``("job", spec)``, ``("query", spec)``,
        ``("explain", text)`` or ``("table", columns, rows)``."""
    def config(self) -> dict[str, str]:
        """The settings in force."""
    def register_scalar_function(
        self,
        name: str,
        callable: Callable[..., Any],
        result_type: str,
        input_types: list[str] | None = None,
        deterministic: bool = True,
        label: str | None = None,
    ) -> None:
        """Registers a Python scalar function."""
    def register_table_function(
        self,
        name: str,
        callable: Callable[..., Any],
        output: list[tuple[str, str]],
        input_types: list[str] | None = None,
        label: str | None = None,
        batched: bool = False,
    ) -> None:
        """Registers a Python table function with output columns ``(name, type)``; a batched
        one takes a list of argument tuples and returns ``(i, row)`` pairs."""
    def register_aggregate_function(
        self,
        name: str,
        apply: Callable[[list[Any]], list[tuple[Any, Any]]],
        apply_pickled: Callable[[list[Any]], list[tuple[bytes, Any]]],
        result_type: str,
        input_types: list[str] | None = None,
        label: str | None = None,
    ) -> None:
        """Registers a Python aggregate function: ``apply`` takes ``[(accumulator or None,
        [(args, multiplicity), ...]), ...]`` and returns ``[(accumulator, result), ...]``;
        ``apply_pickled`` the same with pickled accumulators."""
    def register_process_function(
        self,
        name: str,
        factory: Callable[[int, int], Any],
        output: list[tuple[str, str]],
        timestamp: str | None = None,
        label: str | None = None,
    ) -> None:
        """Registers a process function: ``factory(worker, workers)`` returns a runner with
        ``process_element(input, key, value, timestamp)``, ``on_timer(domain, key, timestamp)``
        (both returning rows of the ``output`` columns) and ``close()``."""
    def register_window_function(
        self,
        name: str,
        factory: Callable[[int, int], Any],
        output: list[tuple[str, str]],
        contents: str,
        timestamp: str | None = None,
        label: str | None = None,
    ) -> None:
        """Registers a DataStream window function for the engine's window operator:
        ``factory(worker, workers)`` returns a runner (``weir.datastream.window_runner``);
        ``contents`` is ``accumulator`` (reduce, aggregate) or ``elements`` (apply, process)."""
    def register_plan_view(self, name: str, spec: str, output: str) -> None:
        """Registers a view computed by the nodes of ``spec``, ending at node ``output``."""
    def schema_nodes(self, columns: str, input: str, project_id: str, watermark_id: str) -> str:
        """The nodes (JSON) giving node ``input``'s rows a schema's computed columns and watermark."""
    def drop_plan_view(self, name: str) -> bool:
        """Removes a plan view."""
    def drop_function(self, name: str) -> bool:
        """Removes a user function."""
    def function_names(self) -> list[str]:
        """User function names, upper case."""
    def schemas(self, spec: str) -> list[tuple[str, list[tuple[str, str, bool]]]]:
        """Each node's output schema ``(id, [(name, type, nullable)])``."""
    def start(self, spec: str, workers: int | None = None, mode: str | None = None) -> "JobHandle":
        """Starts a job in the background."""
    def run(self, spec: str, workers: int | None = None, mode: str | None = None) -> dict[str, list[tuple[str, tuple[Any, ...]]]]:
        """Runs a job; ``{sink_id: [(kind, values), ...]}`` of its collect sinks."""

class JobHandle:
    """A job running in the background."""

    def poll(self, sink: str, offset: int, timeout_ms: int) -> tuple[list[tuple[str, tuple[Any, ...]]], bool]:
        """Changes of ``sink`` from ``offset`` on (waiting up to ``timeout_ms``), and whether the job ended."""
    def cancel(self) -> None:
        """Stops the job and waits for its workers."""

class StateRef:
    """One declared keyed state; operations act on the current key of the process function
    call under way (``RuntimeError`` outside one)."""

    def __init__(self, name: str, kind: str, ttl_ms: int | None = None, refresh_on_read: bool = False) -> None: ...
    def get(self) -> Any:
        """Value state: the bytes or None; list state: the elements."""
    def update(self, values: list[bytes]) -> None:
        """Value state: sets it (one element); list state: replaces the elements."""
    def set(self, value: bytes) -> None:
        """Value state: sets it."""
    def add(self, values: list[bytes]) -> None:
        """List state: appends."""
    def clear(self) -> None:
        """Removes the current key's entry."""
    def map_get(self, key: bytes) -> bytes | None:
        """Map state: the value under ``key``."""
    def map_put(self, entries: list[tuple[bytes, bytes]]) -> None:
        """Map state: sets entries."""
    def map_remove(self, key: bytes) -> None:
        """Map state: removes ``key``."""
    def map_contains(self, key: bytes) -> bool:
        """Map state: whether ``key`` has a value."""
    def map_entries(self) -> list[tuple[bytes, bytes]]:
        """Map state: every entry."""
    def map_is_empty(self) -> bool:
        """Map state: whether it has no entries."""

class Elements:
    """The elements of one input batch of a process function (``Runner.process_batch``):
    iterating yields ``(input, key, value, timestamp)`` per element and makes each element's
    key the current one; the rows appended to ``out`` for an element are emitted before the
    next one is yielded (the last one's when the call returns)."""

    out: list[tuple[int, bytes, int | None, str | None]]
    def __iter__(self) -> Elements: ...
    def __next__(self) -> tuple[int, Any, bytes, int | None]: ...

def scope_register_timer(domain: int, timestamp: int) -> None:
    """Registers a timer of the current key (domain 0: event time, 1: processing time)."""

def scope_delete_timer(domain: int, timestamp: int) -> None:
    """Deletes a timer of the current key."""

def scope_current_watermark() -> int:
    """The event-time watermark of the call under way."""

def scope_current_processing_time() -> int:
    """The processing time (epoch milliseconds) of the call under way."""

def loads_record(data: bytes) -> Any:
    """``pickle.loads(data)``, read natively when the pickle holds only plain values (as
    ``dumps_record`` and ``pickle.dumps`` write them)."""

def dumps_record(value: Any) -> bytes:
    """A DataStream record as a pickle ``pickle.loads`` reads: written natively for plain values
    (exact None, bool, 64-bit int, float, str, bytes and tuples of them), by ``pickle.dumps``
    with the highest protocol otherwise."""
