"""Adapters from the user's window functions (``WindowFunction``, ``ProcessWindowFunction``, their
all-window forms, or none after a reduce/aggregate) to one call the window operator makes:
``process(key, window, context, elements)``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class InternalWindowFunction:
    """What the window operator calls when a window fires, and when its state is dropped."""

    def __init__(self, function: Any = None) -> None:
        self.function = function

    def open(self, runtime_context: Any) -> None:
        """Opens the user function."""
        if hasattr(self.function, "open"):
            self.function.open(runtime_context)

    def close(self) -> None:
        """Closes the user function."""
        if hasattr(self.function, "close"):
            self.function.close()

    def process(self, key: Any, window: Any, context: Any, elements: list[Any]) -> Iterable[Any]:
        """The records for one firing of ``window``."""
        raise NotImplementedError

    def clear(self, window: Any, context: Any) -> None:
        """Called when ``window``'s state is dropped."""


class PassThrough(InternalWindowFunction):
    """No window function: the reduced value or the aggregate's result is the output."""

    def process(self, key: Any, window: Any, context: Any, elements: list[Any]) -> Iterable[Any]:
        """The elements."""
        return elements


class ApplyWindow(InternalWindowFunction):
    """``WindowFunction.apply(key, window, inputs)``."""

    def process(self, key: Any, window: Any, context: Any, elements: list[Any]) -> Iterable[Any]:
        """The function's records."""
        return self.function.apply(key, window, elements)  # type: ignore[no-any-return]


class ApplyAllWindow(InternalWindowFunction):
    """``AllWindowFunction.apply(window, inputs)``."""

    def process(self, key: Any, window: Any, context: Any, elements: list[Any]) -> Iterable[Any]:
        """The function's records."""
        return self.function.apply(window, elements)  # type: ignore[no-any-return]


class ProcessWindow(InternalWindowFunction):
    """``ProcessWindowFunction.process(key, context, elements)``."""

    def process(self, key: Any, window: Any, context: Any, elements: list[Any]) -> Iterable[Any]:
        """The function's records."""
        return self.function.process(key, context, elements)  # type: ignore[no-any-return]

    def clear(self, window: Any, context: Any) -> None:
        """The function's ``clear(context)``."""
        if hasattr(self.function, "clear"):
            self.function.clear(context)


class ProcessAllWindow(ProcessWindow):
    """``ProcessAllWindowFunction.process(context, elements)``."""

    def process(self, key: Any, window: Any, context: Any, elements: list[Any]) -> Iterable[Any]:
        """The function's records."""
        return self.function.process(context, elements)  # type: ignore[no-any-return]


def internal(function: Any, all_windows: bool) -> InternalWindowFunction:
    """The adapter for a user's window function (None: the elements themselves)."""
    if function is None:
        return PassThrough()
    if hasattr(function, "process"):
        return ProcessAllWindow(function) if all_windows else ProcessWindow(function)
    if hasattr(function, "apply"):
        return ApplyAllWindow(function) if all_windows else ApplyWindow(function)
    kind = "AllWindowFunction or ProcessAllWindowFunction" if all_windows else "WindowFunction or ProcessWindowFunction"
    raise TypeError(f"expected a {kind}, got {function!r}")
