"""``Schema``, ``TableDescriptor`` and ``FormatDescriptor``: declaring connector tables from
Python, as in ``pyflink.table``. They lower to Flink SQL DDL run by the session."""

from __future__ import annotations

from typing import Any

from weir.table.types import DataType, RowType


class Schema:
    """A table's columns (and watermark, kept for event time)."""

    def __init__(self, columns: list[tuple[str, DataType | str]], watermark: tuple[str, str] | None, primary_key: list[str]) -> None:
        self.columns = columns
        self.watermark = watermark
        self.primary_key = primary_key

    @staticmethod
    def new_builder() -> "SchemaBuilder":
        """A builder: ``Schema.new_builder().column('a', DataTypes.INT()).build()``."""
        return SchemaBuilder()

    def ddl_columns(self) -> str:
        """The column list of a CREATE TABLE statement."""
        parts = []
        for name, t in self.columns:
            if isinstance(t, DataType):
                parts.append(f"`{name}` {t.sql}{'' if t.is_nullable else ' NOT NULL'}")
            else:
                parts.append(f"`{name}` AS {t}")
        if self.watermark is not None:
            parts.append(f"WATERMARK FOR `{self.watermark[0]}` AS {self.watermark[1]}")
        if self.primary_key:
            parts.append("PRIMARY KEY (" + ", ".join(f"`{k}`" for k in self.primary_key) + ") NOT ENFORCED")
        return ", ".join(parts)


class SchemaBuilder:
    """Builds a :class:`Schema`."""

    def __init__(self) -> None:
        self._columns: list[tuple[str, DataType | str]] = []
        self._watermark: tuple[str, str] | None = None
        self._pk: list[str] = []

    def column(self, name: str, data_type: DataType | str) -> "SchemaBuilder":
        """A physical column."""
        if isinstance(data_type, str):
            data_type = DataType(data_type)
        self._columns.append((name, data_type))
        return self

    def column_by_expression(self, name: str, expr: str) -> "SchemaBuilder":
        """A computed column (a SQL expression)."""
        self._columns.append((name, expr))
        return self

    def from_row_data_type(self, row_type: RowType) -> "SchemaBuilder":
        """All fields of a ROW type as columns."""
        for f in row_type.fields:
            self.column(f.name, f.data_type)
        return self

    def watermark(self, column_name: str, watermark_expr: str) -> "SchemaBuilder":
        """``WATERMARK FOR column_name AS watermark_expr``: the column (physical or computed) is the
        event time; the expression is `column_name` or `column_name - INTERVAL ..`."""
        self._watermark = (column_name, watermark_expr)
        return self

    def primary_key(self, *column_names: str) -> "SchemaBuilder":
        """``PRIMARY KEY (..) NOT ENFORCED``."""
        self._pk = list(column_names)
        return self

    def build(self) -> Schema:
        """The schema."""
        return Schema(list(self._columns), self._watermark, list(self._pk))


class FormatDescriptor:
    """A format (``csv``, ``json``) with options."""

    def __init__(self, identifier: str, options: dict[str, str]) -> None:
        self.identifier = identifier
        self.options = options

    @staticmethod
    def for_format(identifier: str) -> "FormatDescriptorBuilder":
        """A builder for format ``identifier``."""
        return FormatDescriptorBuilder(identifier)


class FormatDescriptorBuilder:
    """Builds a :class:`FormatDescriptor`."""

    def __init__(self, identifier: str) -> None:
        self._identifier = identifier
        self._options: dict[str, str] = {}

    def option(self, key: str, value: Any) -> "FormatDescriptorBuilder":
        """A format option (without the format prefix)."""
        self._options[key] = str(value)
        return self

    def build(self) -> FormatDescriptor:
        """The descriptor."""
        return FormatDescriptor(self._identifier, dict(self._options))


class TableDescriptor:
    """A connector table: connector, schema, options, format."""

    def __init__(self, connector: str, schema: Schema | None, options: dict[str, str]) -> None:
        self.connector = connector
        self.schema = schema
        self.options = options

    @staticmethod
    def for_connector(connector: str) -> "TableDescriptorBuilder":
        """A builder for ``connector`` (``filesystem``, ``datagen``, ``print``, ``blackhole``)."""
        return TableDescriptorBuilder(connector)

    def get_options(self) -> dict[str, str]:
        """The connector options (``connector`` included)."""
        return {"connector": self.connector, **self.options}

    def get_schema(self) -> Schema | None:
        """The schema."""
        return self.schema

    def get_partition_keys(self) -> list[str]:
        """Partition keys (Weir's tables are not partitioned)."""
        return []

    def get_comment(self) -> str | None:
        """The comment (not kept)."""
        return None

    def create_table_ddl(self, name: str, temporary: bool = True) -> str:
        """The CREATE TABLE statement declaring this table as ``name``."""
        if self.schema is None:
            raise ValueError(f"table {name}: the descriptor needs a schema")
        options = {"connector": self.connector, **self.options}
        with_clause = ", ".join(f"'{k}' = '{_quote(v)}'" for k, v in options.items())
        return f"CREATE {'TEMPORARY ' if temporary else ''}TABLE `{name}` ({self.schema.ddl_columns()}) WITH ({with_clause})"

    def __repr__(self) -> str:
        return f"TableDescriptor({self.connector!r}, {self.options!r})"


def _quote(v: str) -> str:
    return str(v).replace("'", "''")


class TableDescriptorBuilder:
    """Builds a :class:`TableDescriptor`."""

    def __init__(self, connector: str) -> None:
        self._connector = connector
        self._schema: Schema | None = None
        self._options: dict[str, str] = {}

    def schema(self, schema: Schema) -> "TableDescriptorBuilder":
        """The table's columns."""
        self._schema = schema
        return self

    def option(self, key: str, value: Any) -> "TableDescriptorBuilder":
        """A connector option (Flink's names: ``path``, ``number-of-rows``, ...)."""
        self._options[key] = str(value).lower() if isinstance(value, bool) else str(value)
        return self

    def format(self, format: str | FormatDescriptor, format_option_key: str | None = None) -> "TableDescriptorBuilder":
        """The format (``csv``, ``json``), with its options prefixed by its name."""
        if isinstance(format, FormatDescriptor):
            self._options["format"] = format.identifier
            for k, v in format.options.items():
                self._options[f"{format.identifier}.{k}"] = v
        else:
            self._options["format"] = format
        return self

    def comment(self, comment: str) -> "TableDescriptorBuilder":
        """A comment (ignored)."""
        return self

    def partitioned_by(self, *partition_keys: str) -> "TableDescriptorBuilder":
        """Partitioning (ignored)."""
        return self

    def build(self) -> TableDescriptor:
        """The descriptor."""
        return TableDescriptor(self._connector, self._schema, dict(self._options))


Schema.Builder = SchemaBuilder  # type: ignore[attr-defined]
TableDescriptor.Builder = TableDescriptorBuilder  # type: ignore[attr-defined]
