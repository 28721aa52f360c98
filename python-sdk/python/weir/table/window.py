"""Group and over windows (``Tumble``, ``Slide``, ``Session``, ``Over``), as in
``pyflink.table.window``. They need event-time support, which is not in the engine yet: using
one raises :class:`weir.UnsupportedError`."""

from __future__ import annotations

from typing import Any

from weir.errors import unsupported


class _Unsupported:
    feature = "windows"

    @classmethod
    def over(cls, size: Any) -> Any:
        """Not supported yet."""
        raise unsupported(f"{cls.feature} (needs event time)")

    @classmethod
    def with_gap(cls, gap: Any) -> Any:
        """Not supported yet."""
        raise unsupported(f"{cls.feature} (needs event time)")

    @classmethod
    def partition_by(cls, *keys: Any) -> Any:
        """Not supported yet."""
        raise unsupported(f"{cls.feature} (needs event time)")

    @classmethod
    def order_by(cls, key: Any) -> Any:
        """Not supported yet."""
        raise unsupported(f"{cls.feature} (needs event time)")


class Tumble(_Unsupported):
    """Tumbling group windows (not supported yet)."""

    feature = "Tumble windows"


class Slide(_Unsupported):
    """Sliding group windows (not supported yet)."""

    feature = "Slide windows"


class Session(_Unsupported):
    """Session group windows (not supported yet)."""

    feature = "Session windows"


class Over(_Unsupported):
    """Over windows (not supported yet)."""

    feature = "Over windows"
