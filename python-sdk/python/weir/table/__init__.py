"""The Table API and SQL, as in ``pyflink.table``: ``TableEnvironment``, ``Table``,
expressions, ``DataTypes``, descriptors and Python functions."""

from weir.common.types import Row, RowKind
from weir.errors import unsupported_class as _placeholder
from weir.table.data_view import DataView, ListView, MapView
from weir.table.descriptors import FormatDescriptor, Schema, TableDescriptor
from weir.table.environment_settings import EnvironmentSettings, TableConfig
from weir.table.explain_detail import ChangelogMode, ExplainDetail, SqlDialect
from weir.table.expressions import Expression
from weir.table.over_window import OverWindowedTable
from weir.table.table import GroupedTable, GroupWindowedTable, Table, TableSchema
from weir.table.table_environment import StatementSet, StreamTableEnvironment, TableEnvironment
from weir.table.table_result import ResultKind, TableResult
from weir.table.types import DataType, DataTypes
from weir.table.udf import AggregateFunction, AsyncScalarFunction, FunctionContext, ScalarFunction, TableAggregateFunction, TableFunction, udaf, udf, udtf

WindowGroupedTable = GroupedTable
CompiledPlan = _placeholder("CompiledPlan", "compiled plans", __name__)
PlanReference = _placeholder("PlanReference", "compiled plans", __name__)
TablePipeline = _placeholder("TablePipeline", "table pipelines (use execute_insert)", __name__)
Module = _placeholder("Module", "modules", __name__)
ModuleEntry = _placeholder("ModuleEntry", "modules", __name__)
UserDefinedType = _placeholder("UserDefinedType", "user-defined types", __name__)

__all__ = [
    "AggregateFunction",
    "AsyncScalarFunction",
    "ChangelogMode",
    "CompiledPlan",
    "DataView",
    "ExplainDetail",
    "FunctionContext",
    "GroupWindowedTable",
    "ListView",
    "MapView",
    "Module",
    "ModuleEntry",
    "OverWindowedTable",
    "PlanReference",
    "SqlDialect",
    "TableAggregateFunction",
    "TablePipeline",
    "UserDefinedType",
    "WindowGroupedTable",
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
