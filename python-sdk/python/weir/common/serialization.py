"""``Encoder`` and ``SimpleStringSchema``, as in ``pyflink.common.serialization``."""

from __future__ import annotations

from typing import Any

from weir.errors import unsupported_class


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


SerializationSchema = unsupported_class("SerializationSchema", "serialization schemas (Kafka and other message connectors)", __name__)
DeserializationSchema = unsupported_class("DeserializationSchema", "serialization schemas (Kafka and other message connectors)", __name__)
ByteArraySchema = unsupported_class("ByteArraySchema", "serialization schemas (Kafka and other message connectors)", __name__)
RowFieldExtractorSchema = unsupported_class("RowFieldExtractorSchema", "serialization schemas (Kafka and other message connectors)", __name__)
BulkWriterFactory = unsupported_class("BulkWriterFactory", "columnar file formats in the DataStream API", __name__)
