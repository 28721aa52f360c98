"""``TableResult``: what ``execute_sql`` and ``Table.execute`` return — rows to ``collect()`` or
``print()`` in Flink's table (batch) or changelog (streaming) form."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from weir.common.types import Row, RowKind


class ResultKind:
    """Whether a statement produced rows or just succeeded."""

    SUCCESS = "SUCCESS"
    SUCCESS_WITH_CONTENT = "SUCCESS_WITH_CONTENT"


class CloseableIterator:
    """An iterator over result rows that can be used in a ``with`` block."""

    def __init__(self, rows: Iterator[Row]) -> None:
        self._rows = rows

    def __iter__(self) -> "CloseableIterator":
        return self

    def __next__(self) -> Row:
        return next(self._rows)

    def close(self) -> None:
        """Stops reading; a job still running (streaming) is cancelled."""
        close = getattr(self._rows, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> "CloseableIterator":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class TableResult:
    """The result of a statement or a ``Table.execute()``. Queries run when their rows are
    first asked for (``collect``, ``print``, ``wait``)."""

    def __init__(
        self,
        columns: list[str],
        fetch: Callable[[], list[Row]] | None = None,
        rows: list[Row] | None = None,
        kind: str = ResultKind.SUCCESS_WITH_CONTENT,
        streaming: bool = False,
        text: str | None = None,
        follow: Callable[[], Iterator[Row]] | None = None,
    ) -> None:
        self._columns = columns
        self._fetch = fetch
        self._rows = rows
        self._kind = kind
        self._streaming = streaming
        self._text = text
        self._follow = follow

    def _materialize(self) -> list[Row]:
        if self._rows is None:
            self._rows = self._fetch() if self._fetch is not None else []
        return self._rows

    def get_result_kind(self) -> str:
        """``SUCCESS`` for DDL, ``SUCCESS_WITH_CONTENT`` for rows."""
        return self._kind

    def get_column_names(self) -> list[str]:
        """The result's column names."""
        return list(self._columns)

    def get_job_client(self) -> None:
        """Weir runs jobs in-process; there is no job client."""
        return None

    def wait(self, timeout_ms: int | None = None) -> "TableResult":
        """Waits until the job has finished (runs it if it has not run yet)."""
        self._materialize()
        return self

    def collect(self) -> CloseableIterator:
        """The result rows, each with its :class:`RowKind` (only ``+I`` in batch mode). In
        streaming mode rows are yielded as the running job produces them (an unbounded query
        runs until the iterator is closed, which cancels the job)."""
        if self._rows is None and self._streaming and self._follow is not None:
            return CloseableIterator(self._follow())
        return CloseableIterator(iter(self._materialize()))

    def print(self) -> None:
        """Prints the result as Flink does: a table in batch mode, the changelog with an ``op``
        column in streaming mode."""
        print(self.to_text())

    def to_text(self) -> str:
        """What :meth:`print` prints."""
        if self._text is not None:
            return self._text
        rows = self._materialize()
        if self._kind == ResultKind.SUCCESS:
            return format_table(["result"], [["OK"]], None)
        if self._streaming:
            body = [[r.get_row_kind().short_string(), *[render(v) for v in r]] for r in rows]
            return format_table(["op", *self._columns], body, f"Received a total of {len(rows)} row{'s' if len(rows) != 1 else ''}")
        body = [[render(v) for v in r] for r in rows]
        footer = f"{len(rows)} row{'s' if len(rows) != 1 else ''} in set" if rows else "Empty set"
        return format_table(self._columns, body, footer)


def render(v: Any) -> str:
    """A value as Flink prints it in results (NULL as ``<NULL>``)."""
    if v is None:
        return "<NULL>"
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return repr(v)
    if hasattr(v, "isoformat") and hasattr(v, "hour"):
        text = v.isoformat(" ", "milliseconds")
        return text
    return str(v)


def format_table(columns: list[str], rows: list[list[str]], footer: str | None) -> str:
    """Flink's boxed result table; cells right-aligned."""
    widths = [len(c) for c in columns]
    for r in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, r)]
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    line = lambda cells: "|" + "|".join(" " + c.rjust(w) + " " for c, w in zip(cells, widths)) + "|"  # noqa: E731
    out = [rule, line(columns), rule, *[line(r) for r in rows], rule]
    if footer:
        out.append(footer)
    return "\n".join(out)


def changelog_rows(changes: list[tuple[str, tuple[Any, ...]]], names: list[str]) -> list[Row]:
    """The engine's ``(kind, values)`` pairs as named :class:`Row` objects."""
    return [Row._make(list(values), list(names), RowKind.from_short_string(kind)) for kind, values in changes]


from weir.errors import declare_unsupported  # noqa: E402

declare_unsupported(TableResult, {"get_resolved_schema": "result schemas (use get_column_names)", "get_table_schema": "result schemas (use get_column_names)"})
