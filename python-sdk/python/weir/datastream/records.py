"""How Python records travel through the engine: each DataStream edge is a table of two
columns, ``seq BIGINT`` (a counter value taken when the record was produced, so results can be
returned in production order) and ``v BYTES`` (the record, pickled). Chains of stateless
operations (``map``, ``filter``, ``flat_map``) run fused in one Python call per input record,
so a record is unpickled and pickled once per chain, not once per operation."""

from __future__ import annotations

import itertools
import pickle
from typing import Any, Callable, Iterable, Iterator

COLUMNS = [("seq", "BIGINT"), ("v", "BYTES")]
PROTOCOL = pickle.HIGHEST_PROTOCOL

Step = tuple[str, Callable[..., Any]]


def apply_chain(values: Iterable[Any], steps: list[Step]) -> Iterator[Any]:
    """Runs ``values`` through the fused operations ``steps`` in order."""
    for kind, f in steps:
        if kind == "map":
            values = map(f, values)
        elif kind == "filter":
            values = filter(f, values)
        elif kind == "flat_map":
            values = _flatten(f, values)
    return iter(values)


def _flatten(f: Callable[[Any], Iterable[Any] | None], values: Iterable[Any]) -> Iterator[Any]:
    for v in values:
        out = f(v)
        if out is not None:
            yield from out


class Chain:
    """A fused chain as a batched table function: a batch of ``(seq, v)`` argument tuples in,
    ``(i, (seq, v))`` out for each record produced from the ``i``-th input."""

    def __init__(self, counter: "itertools.count[int]", steps: list[Step], source: list[Any] | None = None) -> None:
        self.counter = counter
        self.steps = steps
        self.source = source

    def __call__(self, batch: list[tuple[Any, ...]]) -> list[tuple[int, tuple[int, bytes]]]:
        out = []
        counter, dumps, steps = self.counter, pickle.dumps, self.steps
        for i, args in enumerate(batch):
            values: Iterable[Any] = [self.source[args[0]]] if self.source is not None else [pickle.loads(args[1])]
            for v in apply_chain(values, steps) if steps else values:
                out.append((i, (next(counter), dumps(v, PROTOCOL))))
        return out


class RollingReduce:
    """A keyed rolling reduce as a batched table function: ``(seq, v)`` in, ``(seq, key, v)``
    out with the new accumulated value of the record's key.

    The state is one dict shared by every worker thread: calls are serialized by the GIL, so
    each record updates its key's value exactly once whichever worker it arrives on. (Keyed
    state in the engine, partitioned by key, comes with the event-time work.)"""

    def __init__(self, counter: "itertools.count[int]", key: Callable[[Any], Any], reduce: Callable[[Any, Any], Any]) -> None:
        self.counter = counter
        self.key = key
        self.reduce = reduce
        self.state: dict[Any, Any] = {}

    def __call__(self, batch: list[tuple[int, bytes]]) -> list[tuple[int, tuple[int, bytes, bytes]]]:
        out = []
        state, key, reduce = self.state, self.key, self.reduce
        for i, (_, v) in enumerate(batch):
            value = pickle.loads(v)
            k = key(value)
            acc = reduce(state[k], value) if k in state else value
            state[k] = acc
            out.append((i, (next(self.counter), pickle.dumps(k, PROTOCOL), pickle.dumps(acc, PROTOCOL))))
        return out


def decode(changes: list[tuple[str, tuple[Any, ...]]]) -> list[Any]:
    """Collected ``(kind, (seq, v))`` rows as the records, in ``seq`` order."""
    rows = sorted((values[0], values[1]) for kind, values in changes if kind in ("+I", "+U"))
    return [pickle.loads(v) for _, v in rows]


class RecordDecoder:
    """Records to table rows, as a batched table function: ``(seq, v)`` in, the record's
    values for ``columns`` out. Rows, tuples and lists are read by position (a named Row or a
    dict by column name); any other record is the single column's value."""

    def __init__(self, columns: list[str]) -> None:
        self.columns = columns

    def __call__(self, batch: list[tuple[int, bytes]]) -> list[tuple[int, tuple[Any, ...]]]:
        from weir.common.types import Row

        out = []
        columns, width = self.columns, len(self.columns)
        for i, (_, v) in enumerate(batch):
            record = pickle.loads(v)
            if isinstance(record, Row) and record._fields is not None and set(columns) <= set(record._fields):
                values = tuple(record[c] for c in columns)
            elif isinstance(record, dict):
                values = tuple(record.get(c) for c in columns)
            elif isinstance(record, (Row, tuple, list)) and width > 1:
                values = tuple(record)
            elif isinstance(record, (Row, tuple, list)) and len(record) == 1:
                values = (record[0],)
            else:
                values = (record,)
            if len(values) != width:
                raise ValueError(f"from_data_stream: a record has {len(values)} fields, the table {width} columns ({', '.join(columns)}): {record!r}")
            out.append((i, values))
        return out
