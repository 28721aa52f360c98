"""Vectorized (pandas) Python functions: a ``@udf(func_type="pandas")`` is called with one
``pandas.Series`` per argument for a whole batch of rows, and a ``@udaf(func_type="pandas")``
with the Series of a group's values."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from weir.table.udf import AggregateFunction


def _series(columns: list[tuple[Any, ...]] | list[list[Any]]) -> list[Any]:
    import pandas

    return [pandas.Series(list(c)) for c in columns]


def plain(value: Any) -> Any:
    """A pandas/numpy value as a plain Python value; NaN, NaT and NA read as None (NULL)."""
    import pandas

    if value is None:
        return None
    try:
        if pandas.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, pandas.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    return value


def _results(result: Any, rows: int, name: str) -> list[Any]:
    values = list(result) if hasattr(result, "__len__") and not isinstance(result, (str, bytes)) else None
    if values is None or len(values) != rows:
        got = "a scalar" if values is None else f"{len(values)} values"
        raise ValueError(f"pandas UDF {name} must return one value per row: {rows} rows in, {got} out")
    return [plain(v) for v in values]


def batched(func: Callable[..., Any], name: str) -> Callable[[list[tuple[Any, ...]]], list[tuple[int, tuple[Any]]]]:
    """``func`` as a batched table function: a batch of argument tuples in, ``(i, (result,))``
    per row out."""

    def call(batch: list[tuple[Any, ...]]) -> list[tuple[int, tuple[Any]]]:
        if not batch:
            return []
        values = _results(func(*_series(list(zip(*batch)))), len(batch), name)
        return [(i, (v,)) for i, v in enumerate(values)]

    call.__qualname__ = name
    return call


def one_row(func: Callable[..., Any], name: str) -> Callable[..., Any]:
    """``func`` called with one row's arguments as 1-element Series (where a batch is not
    available, e.g. from SQL)."""

    def call(*args: Any) -> Any:
        return _results(func(*_series([[a] for a in args])), 1, name)[0]

    call.__qualname__ = name
    return call


class PandasAggregate(AggregateFunction):
    """A function of pandas Series (a group's argument values) as an aggregate function: the
    accumulator is the group's argument rows, so retractions remove rows."""

    def __init__(self, func: Callable[..., Any], name: str) -> None:
        self.func = func
        self.name = name

    def create_accumulator(self) -> list[tuple[Any, ...]]:
        """No rows yet."""
        return []

    def accumulate(self, accumulator: list[tuple[Any, ...]], *args: Any) -> None:
        """Keeps the row's arguments."""
        accumulator.append(args)

    def retract(self, accumulator: list[tuple[Any, ...]], *args: Any) -> None:
        """Drops one row with these arguments."""
        accumulator.remove(args)

    def get_value(self, accumulator: list[tuple[Any, ...]]) -> Any:
        """``func`` of the group's Series (NULL for a group without rows)."""
        if not accumulator:
            return None
        return plain(self.func(*_series(list(zip(*accumulator)))))
