"""Python user-defined functions: ``@udf`` (scalar) and ``@udtf`` (table), as in
``pyflink.table.udf``. The engine's workers call them with the GIL held; everything else in
the job runs without it."""

from __future__ import annotations

import functools
import itertools
from typing import Any, Callable, Sequence

from weir.errors import unsupported
from weir.table.expressions import CallExpr, Expression, _e
from weir.table.types import DataType

_ids = itertools.count()


class UserDefinedFunction:
    """Base class of class-style user functions (``open``/``close`` hooks)."""

    def open(self, function_context: Any) -> None:
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
    """Python aggregate functions are not supported yet."""


class UserDefinedFunctionWrapper:
    """A Python function with its SQL signature; calling it builds a Table API expression."""

    table_function = False

    def __init__(self, func: Callable[..., Any], input_types: Sequence[DataType] | DataType | None, name: str | None, deterministic: bool) -> None:
        if isinstance(func, UserDefinedFunction):
            deterministic = deterministic and func.is_deterministic()
            self.func: Callable[..., Any] = func.eval  # type: ignore[attr-defined]
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
        functools.update_wrapper(self, self.func)  # type: ignore[arg-type]

    def input_type_names(self) -> list[str] | None:
        """The declared argument types as SQL text, or ``None`` to take them as they come."""
        return [t.sql for t in self.input_types] if self.input_types is not None else None


class UserDefinedScalarFunctionWrapper(UserDefinedFunctionWrapper):
    """A scalar function; ``f(col('a'))`` is an expression."""

    def __init__(self, func: Callable[..., Any], input_types: Any, result_type: DataType, name: str | None, deterministic: bool) -> None:
        super().__init__(func, input_types, name, deterministic)
        self.result_type = result_type

    def __call__(self, *args: Any) -> Expression:
        return CallExpr(self, [_e(a) for a in args])


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
    if (udf_type or func_type) == "pandas":
        raise unsupported("vectorized (pandas) Python UDFs")
    if result_type is None:
        raise TypeError("udf needs result_type")

    def wrap(func: Callable[..., Any]) -> UserDefinedScalarFunctionWrapper:
        return UserDefinedScalarFunctionWrapper(func, input_types, result_type, name, True if deterministic is None else deterministic)

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


def udaf(*args: Any, **kwargs: Any) -> Any:
    """Not supported yet."""
    raise unsupported("Python aggregate functions (udaf)")
