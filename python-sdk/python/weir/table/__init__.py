"""The Table API and SQL, as in ``pyflink.table``: ``TableEnvironment``, ``Table``,
expressions, ``DataTypes``, descriptors and Python functions."""

from weir.common.types import Row, RowKind
from weir.table.descriptors import FormatDescriptor, Schema, TableDescriptor
from weir.table.environment_settings import EnvironmentSettings, TableConfig
from weir.table.expressions import Expression
from weir.table.table import GroupedTable, Table, TableSchema
from weir.table.table_environment import StatementSet, StreamTableEnvironment, TableEnvironment
from weir.table.table_result import ResultKind, TableResult
from weir.table.types import DataType, DataTypes
from weir.table.udf import AggregateFunction, ScalarFunction, TableFunction, udaf, udf, udtf

__all__ = [
    "AggregateFunction",
    "DataType",
    "DataTypes",
    "EnvironmentSettings",
    "Expression",
    "FormatDescriptor",
    "GroupedTable",
    "ResultKind",
    "Row",
    "RowKind",
    "ScalarFunction",
    "Schema",
    "StatementSet",
    "StreamTableEnvironment",
    "Table",
    "TableConfig",
    "TableDescriptor",
    "TableEnvironment",
    "TableFunction",
    "TableResult",
    "TableSchema",
    "udaf",
    "udf",
    "udtf",
]
