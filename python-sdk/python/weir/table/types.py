"""``DataTypes``: SQL types for schemas and user functions, as in ``pyflink.table.types``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from weir.errors import declare_unsupported


class DataType:
    """A SQL type. ``sql`` is its text in Weir's job specs (``BIGINT``, ``DECIMAL(10, 2)``)."""

    def __init__(self, sql: str, nullable: bool = True) -> None:
        self.sql = sql
        self._nullable = nullable

    def not_null(self) -> "DataType":
        """The same type without NULLs."""
        return DataType(self.sql, False)

    def nullable(self) -> "DataType":
        """The same type with NULLs."""
        return DataType(self.sql, True)

    @property
    def is_nullable(self) -> bool:
        """Whether NULL is a value of this type."""
        return self._nullable

    def __repr__(self) -> str:
        return self.sql if self._nullable else f"{self.sql} NOT NULL"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DataType) and (self.sql, self._nullable) == (other.sql, other._nullable)

    def __hash__(self) -> int:
        return hash((self.sql, self._nullable))


class DataTypeField:
    """A named field of a ROW type."""

    def __init__(self, name: str, data_type: DataType, description: str | None = None) -> None:
        self.name = name
        self.data_type = data_type
        self.description = description


class RowType(DataType):
    """``ROW<name type, ...>``: the type of a table's rows (for schemas)."""

    def __init__(self, fields: Sequence[DataTypeField], nullable: bool = True) -> None:
        super().__init__("ROW<" + ", ".join(f"`{f.name}` {f.data_type.sql}" for f in fields) + ">", nullable)
        self.fields = list(fields)

    def field_names(self) -> list[str]:
        """The field names, in order."""
        return [f.name for f in self.fields]

    def field_types(self) -> list[DataType]:
        """The field types, in order."""
        return [f.data_type for f in self.fields]


class DataTypes:
    """Factories of :class:`DataType`, by Flink's names. Narrow types map to Weir's: ``TINYINT``
    and ``SMALLINT`` to ``INT``, ``VARCHAR(n)``/``CHAR(n)`` to ``STRING``."""

    @staticmethod
    def BOOLEAN(nullable: bool = True) -> DataType:
        """``BOOLEAN``."""
        return DataType("BOOLEAN", nullable)

    @staticmethod
    def TINYINT(nullable: bool = True) -> DataType:
        """``TINYINT``, held as ``INT``."""
        return DataType("INT", nullable)

    @staticmethod
    def SMALLINT(nullable: bool = True) -> DataType:
        """``SMALLINT``, held as ``INT``."""
        return DataType("INT", nullable)

    @staticmethod
    def INT(nullable: bool = True) -> DataType:
        """``INT``."""
        return DataType("INT", nullable)

    @staticmethod
    def BIGINT(nullable: bool = True) -> DataType:
        """``BIGINT``."""
        return DataType("BIGINT", nullable)

    @staticmethod
    def FLOAT(nullable: bool = True) -> DataType:
        """``FLOAT``: a 32-bit float (Python ``float`` values are rounded to 32 bits)."""
        return DataType("FLOAT", nullable)

    @staticmethod
    def DOUBLE(nullable: bool = True) -> DataType:
        """``DOUBLE``."""
        return DataType("DOUBLE", nullable)

    @staticmethod
    def DECIMAL(precision: int = 10, scale: int = 0, nullable: bool = True) -> DataType:
        """``DECIMAL(precision, scale)``."""
        return DataType(f"DECIMAL({precision}, {scale})", nullable)

    @staticmethod
    def STRING(nullable: bool = True) -> DataType:
        """``STRING``."""
        return DataType("STRING", nullable)

    @staticmethod
    def VARCHAR(length: int = 2147483647, nullable: bool = True) -> DataType:
        """``VARCHAR(n)``, held as ``STRING``."""
        return DataType("STRING", nullable)

    @staticmethod
    def CHAR(length: int = 1, nullable: bool = True) -> DataType:
        """``CHAR(n)``, held as ``STRING``."""
        return DataType("STRING", nullable)

    @staticmethod
    def BYTES(nullable: bool = True) -> DataType:
        """``BYTES``."""
        return DataType("BYTES", nullable)

    @staticmethod
    def DATE(nullable: bool = True) -> DataType:
        """``DATE``."""
        return DataType("DATE", nullable)

    @staticmethod
    def TIME(precision: int = 0, nullable: bool = True) -> DataType:
        """``TIME(p)``: a time of day with p (0..3) fraction digits; Python ``datetime.time``."""
        if not isinstance(precision, int) or not 0 <= precision <= 3:
            raise ValueError(f"TIME precision must be 0..3 (Weir keeps milliseconds), got {precision!r}")
        return DataType(f"TIME({precision})", nullable)

    @staticmethod
    def TIMESTAMP(precision: int = 3, nullable: bool = True) -> DataType:
        """``TIMESTAMP(3)`` (Weir keeps milliseconds)."""
        return DataType("TIMESTAMP(3)", nullable)

    @staticmethod
    def TIMESTAMP_LTZ(precision: int = 3, nullable: bool = True) -> DataType:
        """``TIMESTAMP_LTZ(3)``."""
        return DataType("TIMESTAMP_LTZ(3)", nullable)

    @staticmethod
    def FIELD(name: str, data_type: DataType, description: str | None = None) -> DataTypeField:
        """A field of a ``ROW`` type."""
        return DataTypeField(name, data_type, description)

    @staticmethod
    def ROW(row_fields: Sequence[DataTypeField] = (), nullable: bool = True) -> RowType:
        """``ROW<...>``: the type of a table's rows."""
        return RowType(row_fields, nullable)

    @staticmethod
    def ARRAY(element_type: DataType, nullable: bool = True) -> DataType:
        """``ARRAY<element>``: Python lists (or tuples) of the element type."""
        return DataType(f"ARRAY<{element_type.sql}>", nullable)

    @staticmethod
    def MAP(key_type: DataType, value_type: DataType, nullable: bool = True) -> DataType:
        """``MAP<key, value>``: Python dicts."""
        return DataType(f"MAP<{key_type.sql}, {value_type.sql}>", nullable)

    @staticmethod
    def MULTISET(element_type: DataType, nullable: bool = True) -> DataType:
        """``MULTISET<element>``: Python dicts of element to its count (``COLLECT``'s type)."""
        return DataType(f"MULTISET<{element_type.sql}>", nullable)

    @staticmethod
    def BINARY(length: int = 1, nullable: bool = True) -> DataType:
        """``BINARY(n)``, held as ``BYTES``."""
        return DataType("BYTES", nullable)

    @staticmethod
    def VARBINARY(length: int = 2147483647, nullable: bool = True) -> DataType:
        """``VARBINARY(n)``, held as ``BYTES``."""
        return DataType("BYTES", nullable)

    @staticmethod
    def TIMESTAMP_WITH_LOCAL_TIME_ZONE(precision: int = 3, nullable: bool = True) -> DataType:
        """``TIMESTAMP_LTZ(3)``."""
        return DataType("TIMESTAMP_LTZ(3)", nullable)

    @staticmethod
    def NULL() -> DataType:
        """The type of NULL."""
        return DataType("NULL", True)


declare_unsupported(DataTypes, {
    "INTERVAL": "INTERVAL column types from Python", "YEAR": "INTERVAL column types from Python",
    "MONTH": "INTERVAL column types from Python", "DAY": "INTERVAL column types from Python", "HOUR": "INTERVAL column types from Python",
    "MINUTE": "INTERVAL column types from Python", "SECOND": "INTERVAL column types from Python",
    "LIST_VIEW": "ListView accumulator types (accumulators stay Python objects: use ListView directly)",
    "MAP_VIEW": "MapView accumulator types (accumulators stay Python objects: use MapView directly)",
})


def type_of(value: object) -> DataType:
    """The SQL type Weir infers for a Python value (for ``from_elements`` without types)."""
    import datetime
    import decimal

    if isinstance(value, bool):
        return DataTypes.BOOLEAN()
    if isinstance(value, int):
        return DataTypes.BIGINT()
    if isinstance(value, float):
        return DataTypes.DOUBLE()
    if isinstance(value, decimal.Decimal):
        return DataTypes.DECIMAL(38, 18)
    if isinstance(value, datetime.datetime):
        return DataTypes.TIMESTAMP(3)
    if isinstance(value, datetime.date):
        return DataTypes.DATE()
    if isinstance(value, datetime.time):
        return DataTypes.TIME(3 if value.microsecond else 0)
    if isinstance(value, (bytes, bytearray)):
        return DataTypes.BYTES()
    if isinstance(value, (list, tuple)):
        return DataTypes.ARRAY(_first_type(value))
    if isinstance(value, dict):
        return DataTypes.MAP(_first_type(value.keys()), _first_type(value.values()))
    return DataTypes.STRING()


def _first_type(values: Iterable[object]) -> DataType:
    """The type of the first non-None of ``values`` (STRING when there is none), as PyFlink
    infers an ARRAY's or MAP's element type."""
    return next((type_of(v) for v in values if v is not None), DataTypes.STRING())


def from_sql(sql: str, nullable: bool = True) -> DataType:
    """A :class:`DataType` for the engine's SQL text of a type."""
    return DataType(sql, nullable)
