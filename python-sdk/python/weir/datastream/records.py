"""How Python records travel through the engine: each DataStream edge is a table of three
columns, ``seq BIGINT`` (a counter value taken when the record was produced, so results can be
returned in production order), ``v BYTES`` (the record, pickled: by ``_weir.dumps_record``, natively for plain values) and ``ts BIGINT`` (the
record's timestamp in epoch milliseconds, NULL until a ``TimestampAssigner`` gives it one).
Chains of stateless operations (``map``, ``filter``, ``flat_map``, timestamp assignment) run
fused in one Python call per input record, so a record is unpickled and pickled once per
chain, not once per operation; records a chain produces keep the timestamp of the record they
came from, as in Flink."""

from __future__ import annotations

import itertools
import pickle
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from weir import _weir

COLUMNS = [("seq", "BIGINT"), ("v", "BYTES"), ("ts", "BIGINT")]
NAMES = [name for name, _ in COLUMNS]
ARGS = [{"column": name} for name in NAMES]
#: Flink's "no timestamp" as seen by a ``TimestampAssigner``.
NO_TIMESTAMP = -(2**63)
PROTOCOL = pickle.HIGHEST_PROTOCOL

Step = tuple[str, Callable[..., Any]]


def apply_chain(pairs: Iterable[tuple[Any, int | None]], steps: list[Step]) -> Iterator[tuple[Any, int | None]]:
    """Runs ``(record, timestamp)`` pairs through the fused operations ``steps`` in order."""
    for kind, f in steps:
        if kind == "map":
            pairs = _map(f, pairs)
        elif kind == "filter":
            pairs = _filter(f, pairs)
        elif kind == "flat_map":
            pairs = _flatten(f, pairs)
        elif kind == "timestamp":
            pairs = _stamp(f, pairs)
    return iter(pairs)


def _map(f: Callable[[Any], Any], pairs: Iterable[tuple[Any, int | None]]) -> Iterator[tuple[Any, int | None]]:
    for v, t in pairs:
        yield f(v), t


def _filter(f: Callable[[Any], Any], pairs: Iterable[tuple[Any, int | None]]) -> Iterator[tuple[Any, int | None]]:
    for v, t in pairs:
        if f(v):
            yield v, t


def _flatten(f: Callable[[Any], Iterable[Any] | None], pairs: Iterable[tuple[Any, int | None]]) -> Iterator[tuple[Any, int | None]]:
    for v, t in pairs:
        out = f(v)
        if out is not None:
            for o in out:
                yield o, t


def _stamp(f: Callable[[Any, int], Any], pairs: Iterable[tuple[Any, int | None]]) -> Iterator[tuple[Any, int | None]]:
    for v, t in pairs:
        ts = f(v, NO_TIMESTAMP if t is None else t)
        yield v, None if ts is None else int(ts)


# How many plain keys a chain remembers pickled (see ``Chain.__call__``).
KEYS_REMEMBERED = 1 << 16


class Chain:
    """A fused chain as a batched table function: a batch of ``(seq, v, ts)`` argument tuples
    (``(i,)`` for a collection source) in, ``(i, (seq, v, ts))`` out for each record produced
    from the ``i``-th input.

    With a ``key`` (the key selector of a ``key_by`` after the chain, possibly after a watermark
    node, which does not change records), each output also carries the record's pickled key
    (``(seq, v, ts, k)``), so the keyed operator's input needs no second Python call that
    unpickles every record to compute it (see ``KeyColumn``)."""

    def __init__(self, counter: "itertools.count[int]", steps: list[Step], source: list[Any] | None = None, stamps: bool = True,
                 key: Callable[[Any], Any] | None = None) -> None:
        self.counter = counter
        self.steps = steps
        self.source = source
        self.stamps = stamps
        self.key = key
        self._apply = _compiled(steps)
        self._single = _single(steps)
        self._pickled_keys: dict[Any, bytes] = {}

    def __call__(self, batch: list[tuple[Any, ...]]) -> list[tuple[int, tuple[Any, ...]]]:
        """With ``stamps`` false, ``(seq, v)`` out (``(seq, v, k)`` with a key): the caller
        keeps the input's ``ts``."""
        if self._single is not None and self.key is not None and self.stamps:
            return self._keyed_one_to_one(batch, self._single)
        out: list[tuple[int, tuple[Any, ...]]] = []
        counter, dumps, record, key, stamps = self.counter, pickle.dumps, _weir.dumps_record, self.key, self.stamps
        source, loads, apply, append = self.source, pickle.loads, self._apply, out.append
        seen = self._pickled_keys
        for i, args in enumerate(batch):
            value, time = (source[args[0]], None) if source is not None else (loads(args[1]), args[2])
            for v, t in apply(value, time):
                row: tuple[Any, ...] = (next(counter), record(v), t) if stamps else (next(counter), record(v))
                if key is None:
                    append((i, row))
                    continue
                k = key(v)
                # Plain int and str keys (exact types: 1, 1.0 and True are equal but pickle
                # differently) are pickled once: pickle.dumps makes a pickler per call.
                if type(k) is int or type(k) is str:
                    pickled = seen.get(k)
                    if pickled is None:
                        pickled = dumps(k, PROTOCOL)
                        if len(seen) < KEYS_REMEMBERED:
                            seen[k] = pickled
                else:
                    pickled = dumps(k, PROTOCOL)
                append((i, (*row, pickled)))
        return out

    def _keyed_one_to_one(self, batch: list[tuple[Any, ...]], single: Callable[[Any, int | None], tuple[Any, int | None]]) -> list[tuple[int, tuple[Any, ...]]]:
        """``__call__`` for the common keyed chain of maps and timestamp assignments, which makes
        one record of each: one loop, no pair tuples per record."""
        out: list[tuple[int, tuple[Any, ...]]] = []
        counter, dumps, record, key, seen = self.counter, pickle.dumps, _weir.dumps_record, self.key, self._pickled_keys
        source, loads, append, get = self.source, pickle.loads, out.append, self._pickled_keys.get
        for i, args in enumerate(batch):
            v, t = single(source[args[0]], None) if source is not None else single(loads(args[1]), args[2])
            k = key(v)
            pickled = get(k) if type(k) is int or type(k) is str else None
            if pickled is None:
                pickled = dumps(k, PROTOCOL)
                if (type(k) is int or type(k) is str) and len(seen) < KEYS_REMEMBERED:
                    seen[k] = pickled
            append((i, (next(counter), record(v), t, pickled)))
        return out


class RollingReduce:
    """A keyed rolling reduce as a batched table function: ``(seq, v, ts)`` in (``(i,)`` for a
    collection source), ``(seq, key, v)`` out with the new accumulated value of the record's key
    (``(seq, key, v, ts)`` when ``stamps``; otherwise the caller keeps the input's ``ts``).

    ``steps`` are stateless operations fused in front (the chain before ``key_by``), so their
    records are never pickled. With ``per_record`` (streaming mode) every record emits its key's
    new value, as Flink's rolling reduce does; without (batch mode, where only each key's final
    value counts) a call emits each key it touched once, its value after the call.

    The state is one dict shared by every worker thread, updated under the GIL. Each output
    takes its sequence number before reading the value, so whichever worker emits a key last
    (the largest ``seq``, which batch mode keeps) carries its latest value even when the
    interpreter switches threads in between."""

    def __init__(self, counter: "itertools.count[int]", key: Callable[[Any], Any], reduce: Callable[[Any, Any], Any], steps: list[Step] | None = None,
                 source: list[Any] | None = None, stamps: bool = False, per_record: bool = True) -> None:
        self.counter = counter
        self.key = key
        self.reduce = reduce
        self.steps = steps or []
        self.source = source
        self.stamps = stamps
        self.per_record = per_record
        self.state: dict[Any, Any] = {}
        self._apply = _compiled(self.steps)

    def __call__(self, batch: list[tuple[Any, ...]]) -> list[tuple[int, tuple[Any, ...]]]:
        out: list[tuple[int, tuple[Any, ...]]] = []
        state, key, reduce, apply, source = self.state, self.key, self.reduce, self._apply, self.source
        touched: dict[Any, tuple[int, int | None]] = {}
        for i, args in enumerate(batch):
            value, t = (source[args[0]], None) if source is not None else (pickle.loads(args[1]), args[2])
            for v, ts in apply(value, t):
                k = key(v)
                state[k] = reduce(state[k], v) if k in state else v
                if self.per_record:
                    out.append((i, self._row(k, ts)))
                else:
                    touched[k] = (i, ts)
        for k, (i, ts) in touched.items():
            out.append((i, self._row(k, ts)))
        return out

    def _row(self, k: Any, ts: int | None) -> tuple[Any, ...]:
        seq = next(self.counter)
        row = (seq, pickle.dumps(k, PROTOCOL), pickle.dumps(self.state[k], PROTOCOL))
        return (*row, ts) if self.stamps else row


def _single(steps: list[Step]) -> Callable[[Any, int | None], tuple[Any, int | None]] | None:
    """``steps`` as one function from a record and its timestamp to the one pair they make, when
    they are maps and timestamp assignments (at least one); None otherwise."""
    if not steps or not all(kind in ("map", "timestamp") for kind, _ in steps):
        return None
    if len(steps) == 2 and steps[0][0] == "map" and steps[1][0] == "timestamp":
        f, stamp = steps[0][1], steps[1][1]

        def map_and_stamp(v: Any, t: int | None) -> tuple[Any, int | None]:
            v = f(v)
            ts = stamp(v, NO_TIMESTAMP if t is None else t)
            return v, None if ts is None else int(ts)

        return map_and_stamp
    functions = [(kind == "map", f) for kind, f in steps]

    def mapped(v: Any, t: int | None) -> tuple[Any, int | None]:
        for is_map, f in functions:
            if is_map:
                v = f(v)
            else:
                ts = f(v, NO_TIMESTAMP if t is None else t)
                t = None if ts is None else int(ts)
        return v, t

    return mapped


def _compiled(steps: list[Step]) -> Callable[[Any, int | None], Iterable[tuple[Any, int | None]]]:
    """``steps`` as one function from a record and its timestamp to the pairs they produce:
    plain calls for a chain of maps and timestamp assignments (no generator per record),
    ``apply_chain`` otherwise."""
    if not steps:
        return lambda v, t: ((v, t),)
    if all(kind == "map" for kind, _ in steps):
        maps = [f for _, f in steps]

        def mapped_only(v: Any, t: int | None) -> tuple[tuple[Any, int | None]]:
            for f in maps:
                v = f(v)
            return ((v, t),)

        return mapped_only
    single = _single(steps)
    if single is not None:
        return lambda v, t: (single(v, t),)
    return lambda v, t: apply_chain([(v, t)], steps)


class KeyColumn:
    """The key of each record, as a batched table function: ``(v,)`` in, ``(i, (k,))`` out with
    ``k`` the pickled key (records with equal pickled keys share state, as Flink compares
    serialized keys)."""

    def __init__(self, key: Callable[[Any], Any]) -> None:
        self.key = key

    def __call__(self, batch: list[tuple[bytes]]) -> list[tuple[int, tuple[bytes]]]:
        key, dumps, loads = self.key, pickle.dumps, pickle.loads
        return [(i, (dumps(key(loads(v)), PROTOCOL),)) for i, (v,) in enumerate(batch)]


def decode(changes: list[tuple[str, tuple[Any, ...]]]) -> list[Any]:
    """Collected ``(kind, (seq, v, ...))`` rows as the records, in ``seq`` order."""
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


class EncodedLines:
    """A batched table function: each pickled record as the line a ``FileSink``'s encoder
    writes for it (without its newline)."""

    def __init__(self, encoder: Any) -> None:
        self.encoder = encoder

    def __call__(self, batch: list[tuple[Any, ...]]) -> list[tuple[int, tuple[str]]]:
        """``(i, (line,))`` for the ``i``-th record."""
        encode, charset, loads = self.encoder.encode, getattr(self.encoder, "charset", "UTF-8"), pickle.loads
        return [(i, (encode(loads(args[0])).decode(charset).removesuffix("\n"),)) for i, args in enumerate(batch)]
