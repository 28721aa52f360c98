"""``Types``: DataStream type information, as in ``pyflink.common.typeinfo``. Accepted wherever
PyFlink takes them; Weir's DataStream records are Python objects, so they are not required."""

from __future__ import annotations

from typing import Any


class TypeInformation:
    """A record type; ``sql`` is the matching SQL type when there is one."""

    def __init__(self, name: str, sql: str | None = None, fields: list[Any] | None = None) -> None:
        self.name = name
        self.sql = sql
        self.fields = fields or []

    def __repr__(self) -> str:
        return f"{self.name}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TypeInformation) and (self.name, self.sql, self.fields) == (other.name, other.sql, other.fields)


class Types:
    """Factories of :class:`TypeInformation`, by Flink's names."""

    @staticmethod
    def STRING() -> TypeInformation:
        """A string."""
        return TypeInformation("STRING", "STRING")

    @staticmethod
    def INT() -> TypeInformation:
        """A 32-bit integer."""
        return TypeInformation("INT", "INT")

    @staticmethod
    def LONG() -> TypeInformation:
        """A 64-bit integer."""
        return TypeInformation("LONG", "BIGINT")

    @staticmethod
    def FLOAT() -> TypeInformation:
        """A 32-bit float (SQL ``FLOAT``)."""
        return TypeInformation("FLOAT", "FLOAT")

    @staticmethod
    def DOUBLE() -> TypeInformation:
        """A double."""
        return TypeInformation("DOUBLE", "DOUBLE")

    @staticmethod
    def BOOLEAN() -> TypeInformation:
        """A boolean."""
        return TypeInformation("BOOLEAN", "BOOLEAN")

    @staticmethod
    def BYTE() -> TypeInformation:
        """An 8-bit integer (held as INT)."""
        return TypeInformation("BYTE", "INT")

    @staticmethod
    def SHORT() -> TypeInformation:
        """A 16-bit integer (held as INT)."""
        return TypeInformation("SHORT", "INT")

    @staticmethod
    def CHAR() -> TypeInformation:
        """A character (held as STRING)."""
        return TypeInformation("CHAR", "STRING")

    @staticmethod
    def BIG_INT() -> TypeInformation:
        """An arbitrary-precision integer (held as DECIMAL(38, 0))."""
        return TypeInformation("BIG_INT", "DECIMAL(38, 0)")

    @staticmethod
    def BIG_DEC() -> TypeInformation:
        """An arbitrary-precision decimal (held as DECIMAL(38, 18))."""
        return TypeInformation("BIG_DEC", "DECIMAL(38, 18)")

    @staticmethod
    def SQL_DATE() -> TypeInformation:
        """A date."""
        return TypeInformation("SQL_DATE", "DATE")

    @staticmethod
    def SQL_TIME() -> TypeInformation:
        """A time of day (no table column type yet)."""
        return TypeInformation("SQL_TIME")

    @staticmethod
    def SQL_TIMESTAMP() -> TypeInformation:
        """A timestamp."""
        return TypeInformation("SQL_TIMESTAMP", "TIMESTAMP(3)")

    @staticmethod
    def INSTANT() -> TypeInformation:
        """An instant (TIMESTAMP_LTZ)."""
        return TypeInformation("INSTANT", "TIMESTAMP_LTZ(3)")

    @staticmethod
    def PRIMITIVE_ARRAY(element_type: TypeInformation) -> TypeInformation:
        """An array of a primitive type (no table column type yet)."""
        return TypeInformation("PRIMITIVE_ARRAY", None, [element_type])

    @staticmethod
    def BASIC_ARRAY(element_type: TypeInformation) -> TypeInformation:
        """An array of a basic type (no table column type yet)."""
        return TypeInformation("BASIC_ARRAY", None, [element_type])

    @staticmethod
    def OBJECT_ARRAY(element_type: TypeInformation) -> TypeInformation:
        """An array of objects (no table column type yet)."""
        return TypeInformation("OBJECT_ARRAY", None, [element_type])

    @staticmethod
    def PICKLED_BYTE_ARRAY() -> TypeInformation:
        """Any picklable Python object."""
        return TypeInformation("PICKLED_BYTE_ARRAY")

    @staticmethod
    def TUPLE(types: list[TypeInformation]) -> TypeInformation:
        """A tuple of these types."""
        return TypeInformation("TUPLE", None, list(types))

    @staticmethod
    def ROW(types: list[TypeInformation]) -> TypeInformation:
        """A row of these types."""
        return TypeInformation("ROW", None, list(types))

    @staticmethod
    def ROW_NAMED(names: list[str], types: list[TypeInformation]) -> TypeInformation:
        """A row with named fields."""
        return TypeInformation("ROW_NAMED", None, list(zip(names, types)))

    @staticmethod
    def LIST(element_type: TypeInformation) -> TypeInformation:
        """A list of one type."""
        return TypeInformation("LIST", None, [element_type])

    @staticmethod
    def MAP(key_type: TypeInformation, value_type: TypeInformation) -> TypeInformation:
        """A map."""
        return TypeInformation("MAP", None, [key_type, value_type])
