"""``Encoder`` and ``SimpleStringSchema``, as in ``pyflink.common.serialization``."""

from __future__ import annotations

from typing import Any


class Encoder:
    """How a row-format file sink writes one record."""

    def __init__(self, charset: str = "UTF-8") -> None:
        self.charset = charset

    @staticmethod
    def simple_string_encoder(charset_name: str = "UTF-8") -> "Encoder":
        """``str(record)`` and a newline, in ``charset_name``."""
        return Encoder(charset_name)

    def encode(self, record: Any) -> bytes:
        """The bytes written for ``record``."""
        return (str(record) + "\n").encode(self.charset)


class SimpleStringSchema:
    """Records as UTF-8 strings (declared for connectors; Weir's file connectors use
    :class:`Encoder` and text lines)."""

    def __init__(self, charset: str = "UTF-8") -> None:
        self.charset = charset
