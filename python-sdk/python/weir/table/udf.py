"""Python user-defined functions: ``@udf`` (scalar) and ``@udtf`` (table), as in
``pyflink.table.udf``. The engine's workers call them with the GIL held; everything else in
the job runs without it."""

from __future__ import annotations

import functools
import itertools
import pickle
from collections.abc import Callable, Sequence
from typing import Any

from weir.errors import unsupported, unsupported_class, unsupported_function
from weir.table.expressions import AggregateExpr, CallExpr, Expression, _e
from weir.table.types import DataType

_ids = itertools.count()


class FunctionContext:
    """What ``open`` of a function receives: job parameters (none in Weir)."""

    def __init__(self, job_parameters: dict[str, str] | None = None) -> None:
        self._parameters = job_parameters or {}

    def get_job_parameter(self, key: str, default_value: str) -> str:
        """The job parameter ``key``, or ``default_value``."""
        return self._parameters.get(key, default_value)

    def get_metric_group(self) -> Any:
        """Not supported yet."""
        raise unsupported("FunctionContext.get_metric_group (user metrics)")


class UserDefinedFunction:
    """Base class of class-style user functions (``open``/``close`` hooks)."""

    def open(self, function_context: FunctionContext) -> None:
        """Called once before the first call (not called by Weir yet)."""

    def close(self) -> None:
        """Called once after the last call (not called by Weir yet)."""

    def is_deterministic(self) -> bool:
        """Whether equal arguments always give equal results."""
        return True


class ScalarFunction(UserDefinedFunction):
    """A class-style scalar function: implement ``eval(*args)``."""

    def eval(self, *args: Any) -> Any:
        """The result for one row's arguments."""
        raise NotImplementedError


class TableFunction(UserDefinedFunction):
    """A class-style table function: implement ``eval(*args)`` yielding rows."""

    def eval(self, *args: Any) -> Any:
        """The rows for one row's arguments."""
        raise NotImplementedError


class AggregateFunction(UserDefinedFunction):
    """A class-style aggregate function, as PyFlink's: implement ``create_accumulator()``,
    ``accumulate(accumulator, *args)`` (changing the accumulator in place) and
    ``get_value(accumulator)``; ``retract(accumulator, *args)`` when the input can retract rows
    (an updating input, such as another aggregate's result). The engine keeps one accumulator
    per group and calls these once per changed row, a batch of groups per call from the worker.
    A streaming job keeps each accumulator pickled in its keyed state (checkpointed with the
    job), so accumulators must pickle: plain values, lists, ``Row``s, ``ListView``/``MapView``
    and instances of importable classes do. ``merge`` is accepted but not called: Weir
    aggregates each group on one worker."""

    def create_accumulator(self) -> Any:
        """A new, empty accumulator."""
        raise NotImplementedError

    def accumulate(self, accumulator: Any, *args: Any) -> None:
        """Adds one row's arguments to ``accumulator``."""
        raise NotImplementedError

    def retract(self, accumulator: Any, *args: Any) -> None:
        """Removes one row's arguments from ``accumulator`` (override when the input retracts)."""

    def merge(self, accumulator: Any, accumulators: list[Any]) -> None:
        """Merges other accumulators into ``accumulator`` (not called by Weir)."""

    def get_value(self, accumulator: Any) -> Any:
        """The result for ``accumulator``."""
        raise NotImplementedError

    def get_result_type(self) -> DataType | None:
        """The result type, when ``udaf`` is not given one."""
        return None

    def get_accumulator_type(self) -> DataType | None:
        """The accumulator type (informational: accumulators stay Python objects)."""
        return None


class UserDefinedFunctionWrapper:
    """A Python function with its SQL signature; calling it builds a Table API expression."""

    table_function = False

    def __init__(self, func: Callable[..., Any], input_types: Sequence[DataType] | DataType | None, name: str | None, deterministic: bool) -> None:
        if isinstance(func, AggregateFunction):
            deterministic = deterministic and func.is_deterministic()
            self.func: Callable[..., Any] = func.get_value
            default = type(func).__name__
        elif isinstance(func, UserDefinedFunction):
            deterministic = deterministic and func.is_deterministic()
            self.func = func.eval  # type: ignore[attr-defined]
            default = type(func).__name__
        else:
            self.func = func
            default = getattr(func, "__name__", "udf")
        self.name = name or default
        self.internal_name = f"__py_{self.name}_{next(_ids)}"
        if isinstance(input_types, DataType):
            input_types = [input_types]
        self.input_types = list(input_types) if input_types is not None else None
        self.deterministic = deterministic
        if not isinstance(func, AggregateFunction):
            functools.update_wrapper(self, self.func)  # type: ignore[arg-type]

    def input_type_names(self) -> list[str] | None:
        """The declared argument types as SQL text, or ``None`` to take them as they come."""
        return [t.sql for t in self.input_types] if self.input_types is not None else None


class UserDefinedScalarFunctionWrapper(UserDefinedFunctionWrapper):
    """A scalar function; ``f(col('a'))`` is an expression. A vectorized one (``pandas``) is
    called with one ``pandas.Series`` per argument for a whole batch of rows."""

    def __init__(self, func: Callable[..., Any], input_types: Any, result_type: DataType, name: str | None, deterministic: bool, pandas: bool = False) -> None:
        super().__init__(func, input_types, name, deterministic)
        self.result_type = result_type
        self.pandas = pandas

    def __call__(self, *args: Any) -> Expression:
        return CallExpr(self, [_e(a) for a in args])

    def row_callable(self) -> Callable[..., Any]:
        """The function called with one row's arguments (a vectorized one gets 1-row Series)."""
        if not self.pandas:
            return self.func
        from weir.table.vectorized import one_row

        return one_row(self.func, self.name)

    def batch_callable(self) -> Callable[[list[tuple[Any, ...]]], list[tuple[int, tuple[Any]]]]:
        """A vectorized function as a batched table function: argument tuples in, one
        ``(i, (result,))`` per row out."""
        from weir.table.vectorized import batched

        return batched(self.func, self.name)


class UserAggregateExpr(AggregateExpr):
    """A call of a Python aggregate function (``my_agg(col('x'))``); valid where built-in
    aggregates are."""

    def __init__(self, function: "UserDefinedAggregateFunctionWrapper", args: list[Expression]) -> None:
        super().__init__(function.name, args[0] if args else None)
        self.user_function = function
        self.args = args

    def children(self) -> list[Expression]:
        return list(self.args)

    def __repr__(self) -> str:
        return f"{self.user_function.name}({', '.join(map(repr, self.args))})"


class UserDefinedAggregateFunctionWrapper(UserDefinedFunctionWrapper):
    """An aggregate function (``@udaf``); ``f(col('a'))`` is an aggregate expression."""

    def __init__(
        self, func: AggregateFunction, input_types: Any, result_type: DataType, accumulator_type: DataType | None, name: str | None, deterministic: bool
    ) -> None:
        self.aggregate = func
        super().__init__(func, input_types, name, deterministic)
        self.result_type = result_type
        self.accumulator_type = accumulator_type

    def __call__(self, *args: Any) -> Expression:
        return UserAggregateExpr(self, [_e(a) for a in args])

    def apply_callable(self) -> Callable[[list[tuple[Any, list[tuple[tuple[Any, ...], int]]]]], list[tuple[Any, Any]]]:
        """The engine's batch entry point for this function (see ``batch_apply``)."""
        return batch_apply(self.aggregate, self.name)

    def apply_callables(self) -> tuple[Callable[[list[Any]], list[tuple[Any, Any]]], Callable[[list[Any]], list[tuple[bytes, Any]]]]:
        """The engine's entry points for this function: over live accumulators and over
        pickled ones (see ``pickled_apply``)."""
        apply = self.apply_callable()
        return apply, pickled_apply(apply, self.name)


def batch_apply(function: AggregateFunction, name: str) -> Callable[[list[tuple[Any, list[tuple[tuple[Any, ...], int]]]]], list[tuple[Any, Any]]]:
    """What the engine calls with every group that changed at one time: a list of
    ``(accumulator or None, [(args, multiplicity), ...])``; returns ``(accumulator, value)``
    per group. A negative multiplicity retracts; a function without ``retract`` then fails."""
    create, accumulate, get_value = function.create_accumulator, function.accumulate, function.get_value
    retract = function.retract if type(function).retract is not AggregateFunction.retract else None

    def apply(groups: list[tuple[Any, list[tuple[tuple[Any, ...], int]]]]) -> list[tuple[Any, Any]]:
        out = []
        for acc, changes in groups:
            if acc is None:
                acc = create()
            for args, n in changes:
                if n > 0:
                    for _ in range(n):
                        accumulate(acc, *args)
                elif retract is None:
                    raise unsupported(f"aggregate function {name} over an input that retracts rows: it has no retract(accumulator, *args)")
                else:
                    for _ in range(-n):
                        retract(acc, *args)
            value = get_value(acc)
            out.append((acc, value.item() if hasattr(value, "item") and not isinstance(value, (str, bytes)) else value))
        return out

    apply.__qualname__ = name
    return apply


def pickled_apply(apply: Callable[[list[Any]], list[tuple[Any, Any]]], name: str) -> Callable[[list[Any]], list[tuple[bytes, Any]]]:
    """``apply`` over pickled accumulators, as the streaming aggregate keeps them in its keyed
    state (where checkpoints take them): each group's accumulator is unpickled (``None``: a new
    group), updated, and pickled again."""
    loads, dumps, protocol = pickle.loads, pickle.dumps, pickle.HIGHEST_PROTOCOL

    def apply_pickled(groups: list[tuple[bytes | None, list[tuple[tuple[Any, ...], int]]]]) -> list[tuple[bytes, Any]]:
        produced = apply([(None if acc is None else loads(acc), changes) for acc, changes in groups])
        try:
            return [(dumps(acc, protocol), value) for acc, value in produced]
        except (pickle.PicklingError, TypeError, AttributeError) as e:
            raise TypeError(
                f"the accumulator of aggregate function {name} cannot be pickled, and a streaming job keeps it pickled in its state: {e}"
            ) from e

    apply_pickled.__qualname__ = name
    return apply_pickled


class TableFunctionCall(Expression):
    """A table function applied to arguments (``split(col('line'))``), optionally renaming its
    columns with ``alias``; used by ``Table.flat_map`` and ``Table.join_lateral``."""

    def __init__(self, function: "UserDefinedTableFunctionWrapper", args: list[Expression], names: list[str] | None = None) -> None:
        self.function = function
        self.args = args
        self.names = names

    def alias(self, name: str, *extra_names: str) -> "TableFunctionCall":
        """Names the function's output columns."""
        return TableFunctionCall(self.function, self.args, [name, *extra_names])

    def lower(self, ctx: Any) -> dict[str, Any]:
        raise TypeError("a table function call is used with flat_map or join_lateral, not as a value")


class UserDefinedTableFunctionWrapper(UserDefinedFunctionWrapper):
    """A table function; ``f(col('a'))`` is a :class:`TableFunctionCall`."""

    table_function = True

    def __init__(self, func: Callable[..., Any], input_types: Any, result_types: Sequence[DataType] | DataType, name: str | None, deterministic: bool) -> None:
        super().__init__(func, input_types, name, deterministic)
        self.result_types = [result_types] if isinstance(result_types, DataType) else list(result_types)

    def output_columns(self) -> list[tuple[str, str]]:
        """Output columns ``f0, f1, ...`` with their SQL types."""
        return [(f"f{i}", t.sql) for i, t in enumerate(self.result_types)]

    def __call__(self, *args: Any) -> TableFunctionCall:
        return TableFunctionCall(self, [_e(a) for a in args])

    def batch_callable(self) -> Callable[[list[tuple[Any, ...]]], list[tuple[int, Any]]]:
        """The function over a whole batch of argument tuples, as the engine calls it: one
        Python call per batch, returning ``(i, row)`` for each row produced for the ``i``-th."""
        func = self.func

        def call(batch: list[tuple[Any, ...]]) -> list[tuple[int, Any]]:
            out: list[tuple[int, Any]] = []
            append = out.append
            for i, args in enumerate(batch):
                produced = func(*args)
                if produced is not None:
                    for row in produced:
                        append((i, row))
            return out

        call.__qualname__ = self.name
        return call


def udf(
    f: Callable[..., Any] | ScalarFunction | None = None,
    input_types: Sequence[DataType] | DataType | None = None,
    result_type: DataType | None = None,
    deterministic: bool | None = None,
    name: str | None = None,
    func_type: str = "general",
    udf_type: str | None = None,
) -> Any:
    """Declares a Python scalar function: ``@udf(result_type=DataTypes.BIGINT())``."""
    kind = udf_type or func_type
    if kind not in ("general", "pandas"):
        raise ValueError(f"func_type must be 'general' or 'pandas', not {kind!r}")
    if result_type is None:
        raise TypeError("udf needs result_type")

    def wrap(func: Callable[..., Any]) -> UserDefinedScalarFunctionWrapper:
        return UserDefinedScalarFunctionWrapper(func, input_types, result_type, name, True if deterministic is None else deterministic, pandas=kind == "pandas")

    return wrap if f is None else wrap(f)  # type: ignore[arg-type]


def udtf(
    f: Callable[..., Any] | TableFunction | None = None,
    input_types: Sequence[DataType] | DataType | None = None,
    result_types: Sequence[DataType] | DataType | None = None,
    deterministic: bool | None = None,
    name: str | None = None,
) -> Any:
    """Declares a Python table function: ``@udtf(result_types=[DataTypes.STRING()])``. It
    returns or yields rows: tuples, ``Row``s, or bare values when there is one column."""
    if result_types is None:
        raise TypeError("udtf needs result_types")

    def wrap(func: Callable[..., Any]) -> UserDefinedTableFunctionWrapper:
        return UserDefinedTableFunctionWrapper(func, input_types, result_types, name, True if deterministic is None else deterministic)

    return wrap if f is None else wrap(f)  # type: ignore[arg-type]


def udaf(
    f: Callable[..., Any] | AggregateFunction | None = None,
    input_types: Sequence[DataType] | DataType | None = None,
    result_type: DataType | None = None,
    accumulator_type: DataType | None = None,
    deterministic: bool | None = None,
    name: str | None = None,
    func_type: str = "general",
) -> Any:
    """Declares a Python aggregate function: ``udaf(MyAgg(), result_type=DataTypes.BIGINT())``
    with an :class:`AggregateFunction`, or ``@udaf(result_type=..., func_type="pandas")`` on a
    function from ``pandas.Series`` (one per argument, a group's values) to the result."""
    if func_type not in ("general", "pandas"):
        raise ValueError(f"func_type must be 'general' or 'pandas', not {func_type!r}")

    def wrap(func: Any) -> UserDefinedAggregateFunctionWrapper:
        if func_type == "pandas":
            from weir.table.vectorized import PandasAggregate

            func = PandasAggregate(func, name or getattr(func, "__name__", "udaf"))
        elif not isinstance(func, AggregateFunction):
            raise TypeError("udaf takes an AggregateFunction object (or a function of pandas Series with func_type='pandas')")
        rtype = result_type or func.get_result_type()
        if rtype is None:
            raise TypeError("udaf needs result_type")
        atype = accumulator_type or func.get_accumulator_type()
        label = name or (func.name if func_type == "pandas" else type(func).__name__)
        return UserDefinedAggregateFunctionWrapper(func, input_types, rtype, atype, label, True if deterministic is None else deterministic)

    return wrap if f is None else wrap(f)


TableAggregateFunction = unsupported_class("TableAggregateFunction", "table aggregate functions (flat_aggregate)", __name__)
AsyncScalarFunction = unsupported_class("AsyncScalarFunction", "asynchronous scalar functions", __name__)
udtaf = unsupported_function("udtaf", "table aggregate functions (flat_aggregate)", __name__)
