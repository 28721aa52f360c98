"""Function interfaces of the DataStream API, as in ``pyflink.datastream.functions``. Plain
Python callables work everywhere too."""

from __future__ import annotations

from typing import Any, Callable, Iterable

from weir.errors import unsupported


class Function:
    """Base class of DataStream functions."""

    def open(self, runtime_context: Any) -> None:
        """Called before the first record (not called by Weir yet)."""

    def close(self) -> None:
        """Called after the last record (not called by Weir yet)."""


class MapFunction(Function):
    """One record in, one out: implement ``map``."""

    def map(self, value: Any) -> Any:
        """The output for ``value``."""
        raise NotImplementedError


class FlatMapFunction(Function):
    """One record in, any number out: implement ``flat_map`` (return or yield them)."""

    def flat_map(self, value: Any) -> Iterable[Any]:
        """The outputs for ``value``."""
        raise NotImplementedError


class FilterFunction(Function):
    """Keeps records for which ``filter`` is true."""

    def filter(self, value: Any) -> bool:
        """Whether to keep ``value``."""
        raise NotImplementedError


class ReduceFunction(Function):
    """Combines two records of one key: implement ``reduce``."""

    def reduce(self, value1: Any, value2: Any) -> Any:
        """The combination of two records."""
        raise NotImplementedError


class KeySelector(Function):
    """The key of a record: implement ``get_key``."""

    def get_key(self, value: Any) -> Any:
        """The key of ``value``."""
        raise NotImplementedError


class RuntimeContext:
    """Not available yet (keyed state needs the event-time engine work)."""


class ProcessFunction(Function):
    """Not supported yet."""


class KeyedProcessFunction(Function):
    """Not supported yet (keyed state and timers need the event-time engine work)."""


class CoMapFunction(Function):
    """Not supported yet."""


def as_callable(f: Any, method: str) -> Callable[..., Any]:
    """``f`` itself when callable, else its ``method`` (a ``MapFunction`` object's ``map``)."""
    if isinstance(f, (ProcessFunction, KeyedProcessFunction, CoMapFunction)):
        raise unsupported(f"{type(f).__name__} (process functions, keyed state and timers)")
    bound = getattr(f, method, None)
    if bound is not None and isinstance(f, Function):
        return bound  # type: ignore[no-any-return]
    if callable(f):
        return f  # type: ignore[no-any-return]
    raise TypeError(f"expected a function or an object with a {method}() method, got {f!r}")
