"""``TableEnvironment``: the entry point of the Table API and SQL, as in ``pyflink.table``.

Every Table lowers to Weir's JSON job spec (the same logical plan SQL produces) and runs on the
in-process engine; see ``weir/table/table.py`` for how each operation lowers."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from weir import _weir
from weir._gc import paced
from weir.common.types import Row
from weir.errors import SqlError, declare_unsupported, unsupported
from weir.table.descriptors import TableDescriptor
from weir.table.environment_settings import EnvironmentSettings, TableConfig
from weir.table.explain_detail import ExplainDetail
from weir.table.expressions import json_scalar
from weir.table.table import Table
from weir.table.table_result import ResultKind, TableResult, changelog_rows
from weir.table.types import DataType, RowType, type_of
from weir.table.udf import UserDefinedAggregateFunctionWrapper, UserDefinedFunctionWrapper, UserDefinedScalarFunctionWrapper, UserDefinedTableFunctionWrapper

if TYPE_CHECKING:
    from weir.common.configuration import Configuration
    from weir.datastream import DataStream, StreamExecutionEnvironment
    from weir.table.descriptors import Schema
    from weir.table.explain_detail import ChangelogMode
    from weir.table.expressions import Expression

Field = tuple[str, str, bool]


class TableEnvironment:
    """Creates tables (SQL DDL, ``from_elements``, ``from_pandas``, descriptors), runs SQL and
    Table API programs, and registers Python functions."""

    def __init__(self, settings: EnvironmentSettings | None = None, session: Any = None) -> None:
        self._session = session if session is not None else _weir.Session()
        self._ids = itertools.count(1)
        self._unnamed = itertools.count(0)
        self._functions: dict[int, tuple[UserDefinedFunctionWrapper, str]] = {}
        self._config = TableConfig(self)
        settings = settings or EnvironmentSettings.in_streaming_mode()
        self._config.set("execution.runtime-mode", "streaming" if settings.is_streaming_mode() else "batch")

    @staticmethod
    def create(environment_settings: EnvironmentSettings | Configuration | None = None) -> "TableEnvironment":
        """A new environment in the given mode (streaming by default)."""
        if environment_settings is not None and not isinstance(environment_settings, EnvironmentSettings):
            mode = getattr(environment_settings, "to_dict", lambda: {})().get("execution.runtime-mode", "streaming")
            environment_settings = EnvironmentSettings(mode == "batch")
        return TableEnvironment(environment_settings)

    # ----- settings -----
    def get_config(self) -> TableConfig:
        """The environment's settings."""
        return self._config

    def is_batch(self) -> bool:
        """True in batch mode."""
        return (self._session.config().get("execution.runtime-mode", "streaming")).lower() == "batch"

    # ----- plumbing used by Table -----
    def _fresh_id(self, kind: str) -> str:
        return f"t{next(self._ids)}_{kind}"

    def _unnamed_table_name(self) -> str:
        """A fresh ``UnnamedTable$N`` view name (PyFlink's name for a table used in SQL text),
        skipping names SQL DDL already declared."""
        taken = set(self.list_tables())
        while (name := f"UnnamedTable${next(self._unnamed)}") in taken:
            pass
        return name

    def _spec(self, nodes: Sequence[dict[str, Any]]) -> str:
        return json.dumps({"config": self._session.config(), "nodes": list(nodes)})

    def _schema(self, nodes: Sequence[dict[str, Any]]) -> list[Field]:
        light = [dict(n, rows=[]) if n.get("kind") == "values" else n for n in nodes]
        return [tuple(f) for f in self._session.schemas(self._spec(light))[-1][1]]  # type: ignore[misc]

    def _run(self, nodes: Sequence[dict[str, Any]]) -> dict[str, list[tuple[str, tuple[Any, ...]]]]:
        return self._session.run(self._spec(nodes))

    def function_name(self, function: UserDefinedFunctionWrapper) -> str:
        """The name ``function`` is registered under in the engine (registered on first use)."""
        known = self._functions.get(id(function))
        if known is not None:
            return known[1]
        self._register(function.internal_name, function)
        return function.internal_name

    def vectorized_name(self, function: UserDefinedScalarFunctionWrapper) -> str:
        """The name of ``function``'s batched form (a table function called once per batch of
        rows with pandas Series), registered on first use."""
        key = -id(function)
        known = self._functions.get(key)
        if known is not None:
            return known[1]
        name = f"{function.internal_name}_batch"
        self._session.register_table_function(
            name, function.batch_callable(), [("r", function.result_type.sql)], function.input_type_names(), function.name, batched=True
        )
        self._functions[key] = (function, name)
        return name

    def _register(self, name: str, function: UserDefinedFunctionWrapper) -> None:
        if isinstance(function, UserDefinedTableFunctionWrapper):
            self._session.register_table_function(
                name, function.batch_callable(), function.output_columns(), function.input_type_names(), function.name, batched=True
            )
        elif isinstance(function, UserDefinedScalarFunctionWrapper):
            self._session.register_scalar_function(
                name, function.row_callable(), function.result_type.sql, function.input_type_names(), function.deterministic, function.name
            )
        elif isinstance(function, UserDefinedAggregateFunctionWrapper):
            self._session.register_aggregate_function(name, *function.apply_callables(), function.result_type.sql, function.input_type_names(), function.name)
        else:
            raise TypeError(f"not a Python function declared with @udf, @udtf or @udaf: {function!r}")
        self._functions[id(function)] = (function, name)

    # ----- SQL -----
    def execute_sql(self, stmt: str) -> TableResult:
        """Executes SQL statements (DDL, SET, SHOW, DESCRIBE, EXPLAIN, INSERT, statement sets,
        queries); returns the result of the last one. INSERT jobs run to completion here; a
        query runs when its rows are first asked for."""
        outcomes = self._session.execute_sql(stmt)
        if not outcomes:
            raise SqlError("no statement to execute", "sql_error")
        return self._result(outcomes[-1])

    def _result(self, outcome: tuple[Any, ...]) -> TableResult:
        kind = outcome[0]
        if kind == "done":
            return TableResult(["result"], rows=[Row._make(["OK"], ["result"])], kind=ResultKind.SUCCESS)
        if kind == "explain":
            return TableResult(["result"], rows=[Row._make([outcome[1]], ["result"])], text=outcome[1])
        if kind == "table":
            columns, rows = outcome[1], outcome[2]
            return TableResult(columns, rows=[Row._make(list(r), list(columns)) for r in rows])
        spec = json.loads(outcome[1])
        if kind == "job":
            self._session.run(outcome[1])
            return TableResult(["result"], rows=[], kind=ResultKind.SUCCESS)
        nodes = spec["nodes"]
        names = [f[0] for f in self._schema([n for n in nodes if n.get("kind") != "sink"])]
        streaming = not self.is_batch()
        return TableResult(
            names,
            fetch=lambda: changelog_rows(self._session.run(outcome[1]).get("result", []), names),
            streaming=streaming,
            follow=lambda: self._follow(outcome[1], "result", names),
        )

    def _follow(self, spec: str, sink: str, names: list[str]) -> Iterator[Row]:
        """The rows of ``sink`` as the job started from ``spec`` produces them; closing the
        iterator early cancels the job."""
        handle = self._session.start(spec)
        offset = 0
        try:
            while True:
                changes, done = handle.poll(sink, offset, 200)
                offset += len(changes)
                yield from changelog_rows(changes, names)
                if done:
                    return
        finally:
            handle.cancel()

    def sql_query(self, query: str) -> Table:
        """A :class:`Table` for a SELECT query (its plan; nothing runs yet)."""
        outcomes = self._session.execute_sql(query)
        if len(outcomes) != 1 or outcomes[0][0] != "query":
            raise SqlError("sql_query expects exactly one SELECT query; use execute_sql for other statements", "sql_error")
        nodes = [n for n in json.loads(outcomes[0][1])["nodes"] if not (n.get("kind") == "sink" and n.get("id") == "result")]
        head = _last_input(json.loads(outcomes[0][1])["nodes"])
        prefix = f"q{next(self._ids)}_"
        return Table._from_nodes(self, _renamed(nodes, prefix), prefix + head, sql=query)

    def explain_sql(self, stmt: str, *extra_details: ExplainDetail) -> str:
        """The plan of a query or INSERT (``EXPLAIN``): the nodes as written, the physical
        plan, the JSON job spec. ``ExplainDetail.CHANGELOG_MODE`` adds each operator's
        changelog mode (the other details are accepted: the JSON spec is always printed)."""
        detail = "CHANGELOG_MODE " if ExplainDetail.CHANGELOG_MODE in extra_details else ""
        return self._session.execute_sql(f"EXPLAIN {detail}{stmt}")[-1][1]

    # ----- tables -----
    def from_path(self, path: str) -> Table:
        """The table or view registered as ``path``."""
        return self.sql_query(f"SELECT * FROM `{path}`")

    def from_elements(self, elements: Iterable[Any], schema: DataType | Sequence[str] | None = None, verify_schema: bool = True) -> Table:
        """A table of Python values (lowered to a ``values`` node). ``schema`` is a
        ``DataTypes.ROW([...])``, a list of column names (types inferred), or ``None``
        (columns ``_1``, ``_2``, ...)."""
        with paced():
            return self._from_elements(list(elements), schema)

    def _from_elements(self, elements: list[Any], schema: DataType | Sequence[str] | None) -> Table:
        rows = [_as_tuple(e) for e in elements]
        if schema is None and elements and isinstance(elements[0], Row) and elements[0]._fields is not None:
            schema = list(elements[0]._fields)
        if isinstance(schema, RowType):
            names, types = schema.field_names(), schema.field_types()
        else:
            width = len(rows[0]) if rows else 0
            names = list(schema) if schema is not None else [f"_{i + 1}" for i in range(width)]
            types = [_infer(rows, i) for i in range(len(names))]
        fields = [{"name": n, "type": t.sql, **({} if t.is_nullable else {"nullable": False})} for n, t in zip(names, types)]
        node = {"kind": "values", "id": self._fresh_id("values"), "schema": fields, "rows": [_json_row(r) for r in rows]}
        return Table._from_nodes(self, [node], node["id"])

    def from_pandas(self, pdf: Any, schema: DataType | Sequence[str] | None = None, splits_num: int = 1) -> Table:
        """A table of a pandas DataFrame's rows (types from its dtypes unless ``schema``)."""
        from weir.table.pandas import dataframe_rows

        names, types, rows = dataframe_rows(pdf, schema)
        from weir.table.types import DataTypes

        return self.from_elements(rows, DataTypes.ROW([DataTypes.FIELD(n, t) for n, t in zip(names, types)]))

    def create_temporary_view(self, view_path: str, table_or_stream: Table | DataStream, *fields: str | Expression | Schema) -> None:
        """Registers ``table`` under ``view_path`` for SQL and ``from_path``."""
        if not isinstance(table_or_stream, Table):
            raise unsupported("views over DataStreams outside a StreamTableEnvironment")
        table = table_or_stream
        self._session.register_plan_view(view_path, self._spec(table._nodes), table._head)

    def drop_temporary_view(self, view_path: str) -> bool:
        """Removes a view; true when it existed."""
        if self._session.drop_plan_view(view_path):
            return True
        try:
            self._session.execute_sql(f"DROP VIEW `{view_path}`")
            return True
        except SqlError:
            return False

    def create_temporary_table(self, path: str, descriptor: TableDescriptor) -> None:
        """Declares a connector table (runs the equivalent CREATE TEMPORARY TABLE)."""
        self._session.execute_sql(descriptor.create_table_ddl(path, temporary=True))

    def create_table(self, path: str, descriptor: TableDescriptor) -> None:
        """Declares a connector table (runs the equivalent CREATE TABLE)."""
        self._session.execute_sql(descriptor.create_table_ddl(path, temporary=False))

    def list_tables(self) -> list[str]:
        """Names of tables and views (SQL-declared)."""
        return [r[0] for r in self._session.execute_sql("SHOW TABLES")[-1][2]]

    # ----- functions -----
    def create_temporary_function(self, path: str, function: UserDefinedFunctionWrapper) -> None:
        """Registers a Python function under ``path`` for SQL and ``call(path, ...)``."""
        self._register(path, function)

    def create_temporary_system_function(self, name: str, function: UserDefinedFunctionWrapper) -> None:
        """Same as :meth:`create_temporary_function` (built-ins still win)."""
        self._register(name, function)

    def drop_temporary_function(self, path: str) -> bool:
        """Removes a registered function."""
        return self._session.drop_function(path)

    def drop_temporary_system_function(self, name: str) -> bool:
        """Removes a registered function."""
        return self._session.drop_function(name)

    def list_user_defined_functions(self) -> list[str]:
        """Names of registered Python functions (lower case)."""
        return [n.lower() for n in self._session.function_names() if not n.startswith("__PY_")]

    def get_current_catalog(self) -> str:
        """``default_catalog``: Weir has one catalog."""
        return "default_catalog"

    def get_current_database(self) -> str:
        """``default_database``: Weir has one database."""
        return "default_database"

    def list_catalogs(self) -> list[str]:
        """The one catalog."""
        return ["default_catalog"]

    def list_databases(self) -> list[str]:
        """The one database."""
        return ["default_database"]

    def list_views(self) -> list[str]:
        """Names of SQL views."""
        return [r[0] for r in self._session.execute_sql("SHOW VIEWS")[-1][2]]

    def list_temporary_views(self) -> list[str]:
        """Names of SQL views (every view is temporary in Weir)."""
        return self.list_views()

    def list_temporary_tables(self) -> list[str]:
        """Names of tables and views (every table is temporary in Weir)."""
        return self.list_tables()

    def list_functions(self) -> list[str]:
        """Names of the registered Python functions (built-ins are not listed)."""
        return self.list_user_defined_functions()

    def drop_temporary_table(self, table_path: str) -> bool:
        """Drops a table; true when it existed."""
        try:
            self._session.execute_sql(f"DROP TABLE `{table_path}`")
            return True
        except SqlError:
            return False

    drop_table = drop_temporary_table

    def drop_view(self, view_path: str) -> bool:
        """Drops a view; true when it existed."""
        return self.drop_temporary_view(view_path)

    def drop_function(self, path: str) -> bool:
        """Removes a registered function."""
        return self.drop_temporary_function(path)

    def add_python_file(self, file_path: str) -> None:
        """No effect: functions run in this process, which imports what it needs."""

    def create_statement_set(self) -> "StatementSet":
        """A set of INSERTs run as one job."""
        return StatementSet(self)


class StatementSet:
    """INSERT statements run together as one job by :meth:`execute`."""

    def __init__(self, env: TableEnvironment) -> None:
        self._env = env
        self._statements: list[str] = []

    def add_insert_sql(self, stmt: str) -> "StatementSet":
        """Adds an ``INSERT INTO ... SELECT ...``."""
        self._statements.append(stmt.strip().rstrip(";"))
        return self

    def add_insert(self, target_path: str, table: Table) -> "StatementSet":
        """Adds an insert of ``table``'s rows into ``target_path``."""
        view = table._as_view()
        return self.add_insert_sql(f"INSERT INTO `{target_path}` SELECT * FROM `{view}`")

    def execute(self) -> TableResult:
        """Runs every INSERT as one job."""
        body = ";\n".join(self._statements)
        return self._env.execute_sql(f"EXECUTE STATEMENT SET BEGIN {body}; END;")


class StreamTableEnvironment(TableEnvironment):
    """The Table API over a :class:`weir.datastream.StreamExecutionEnvironment`: tables and
    streams of one environment share its engine session, so a job can mix both."""

    def __init__(self, settings: EnvironmentSettings | None = None, stream_env: StreamExecutionEnvironment | None = None) -> None:
        super().__init__(settings, session=getattr(stream_env, "_session", None))
        self._stream_env = stream_env

    @staticmethod
    def create(  # type: ignore[override]
        stream_execution_environment: StreamExecutionEnvironment | None = None, environment_settings: EnvironmentSettings | None = None
    ) -> "StreamTableEnvironment":
        """An environment in the stream environment's runtime mode and parallelism."""
        if environment_settings is None and stream_execution_environment is not None:
            batch = getattr(stream_execution_environment, "_batch", False)
            environment_settings = EnvironmentSettings(batch)
        if stream_execution_environment is None:
            from weir.datastream import StreamExecutionEnvironment

            stream_execution_environment = StreamExecutionEnvironment.get_execution_environment()
        env = StreamTableEnvironment(environment_settings, stream_execution_environment)
        parallelism = getattr(stream_execution_environment, "_parallelism", None)
        if parallelism:
            env.get_config().set("parallelism.default", parallelism)
        return env

    def from_data_stream(self, data_stream: DataStream, *schema: str | Expression | Schema | DataType) -> Table:
        """A table of the stream's records. Its columns come from ``schema`` (a ``Schema``,
        ``DataTypes.ROW``, or column names for a stream with a ``Types.ROW_NAMED``/``ROW``/
        ``TUPLE`` type), else from the stream's type (``output_type=`` of its last ``map``, or
        ``type_info=`` of ``from_collection``); an atomic type gives one column ``f0``.
        Records are Rows, tuples or lists (by position, or by field name for named Rows and
        dicts) or a single value. A ``Schema`` may add computed columns
        (``column_by_expression``) and a watermark (``watermark('ts', "ts - INTERVAL '5'
        SECOND")``), which makes its column the table's event time."""
        from weir.table.stream_conversion import extension_columns, schema_extension, stream_columns

        columns = stream_columns(data_stream, schema)
        from weir.datastream import records

        decoder = records.RecordDecoder([n for n, _ in columns])
        env = data_stream._env
        name = env._register(decoder, "to_table", [(n, t.sql) for n, t in columns], "from_data_stream")
        nodes, head = data_stream._materialized()
        hidden = [f"__{n}" for n, _ in columns]
        flat = {"kind": "flat_map", "id": env._fresh_id("to_table"), "input": head, "function": name,
                "args": [{"column": "seq"}, {"column": "v"}], "columns": hidden}
        project = {"kind": "project", "id": env._fresh_id("table"), "input": flat["id"],
                   "columns": [{"name": n, "expr": {"column": h}} for (n, _), h in zip(columns, hidden)]}
        declared = schema_extension(schema)
        if declared is None:
            return Table._from_nodes(self, nodes + [flat, project], project["id"])
        ddl = extension_columns(declared, columns)
        extra = json.loads(self._session.schema_nodes(ddl, project["id"], env._fresh_id("table"), env._fresh_id("watermark")))
        names = [n for n, _ in declared.columns]
        if [n for n, _ in columns] + [n for n, t in declared.columns if not isinstance(t, DataType)] != names:
            # Only the declared columns, in the declared order (computed ones read the others).
            keep = {"kind": "project", "id": env._fresh_id("table"), "input": extra[-1]["id"], "columns": [{"name": n, "expr": {"column": n}} for n in names]}
            extra.append(keep)
        return Table._from_nodes(self, nodes + [flat, project, *extra], extra[-1]["id"])

    def create_temporary_view(self, view_path: str, table_or_stream: Table | DataStream, *fields: str | Expression | Schema) -> None:
        """Registers a table, or a DataStream (through :meth:`from_data_stream`), for SQL."""
        if not isinstance(table_or_stream, Table):
            table_or_stream = self.from_data_stream(table_or_stream, *fields)
        super().create_temporary_view(view_path, table_or_stream)

    def _changelog(self, table: Table) -> list[Row]:
        return table._collect()

    def to_data_stream(self, table: Table, target_data_type: DataType | None = None) -> DataStream:
        """The table's rows as a DataStream of named :class:`Row` records. The table must be
        insert-only (else use :meth:`to_changelog_stream`). Its job runs here, to completion
        (Weir's DataStream jobs are bounded)."""
        rows = self._changelog(table)
        from weir.common.types import RowKind

        if any(r.get_row_kind() != RowKind.INSERT for r in rows):
            from weir.errors import PlanError

            raise PlanError("to_data_stream needs an insert-only table, but this one updates its rows; use to_changelog_stream", "invalid_plan")
        return self._stream().from_collection(rows)

    def to_changelog_stream(self, table: Table, target_schema: Schema | None = None, changelog_mode: ChangelogMode | None = None) -> DataStream:
        """The table's changelog as a DataStream of :class:`Row` records carrying their
        ``RowKind`` (``+I``, ``-U``, ``+U``, ``-D``). Its job runs here, to completion."""
        return self._stream().from_collection(self._changelog(table))

    def _stream(self) -> StreamExecutionEnvironment:
        if self._stream_env is None:
            raise unsupported("DataStream conversions without a StreamExecutionEnvironment")
        return self._stream_env


# Values that are their own JSON scalar (floats aside: NaN is not).
_PLAIN = frozenset({str, int, bool, type(None)})


def _json_row(row: tuple[Any, ...]) -> list[Any]:
    """``row`` as the job spec's JSON values (most rows are plain strings and numbers)."""
    plain = _PLAIN
    for v in row:
        if type(v) not in plain:
            return [json_scalar(v) for v in row]
    return list(row)


def _as_tuple(e: Any) -> tuple[Any, ...]:
    if isinstance(e, Row):
        return tuple(e)
    if isinstance(e, (tuple, list)):
        return tuple(e)
    return (e,)


def _infer(rows: list[tuple[Any, ...]], i: int) -> DataType:
    for r in rows:
        if i < len(r) and r[i] is not None:
            return type_of(r[i])
    from weir.table.types import DataTypes

    return DataTypes.STRING()


def _last_input(nodes: list[dict[str, Any]]) -> str:
    for n in reversed(nodes):
        if n.get("kind") == "sink":
            return str(n["input"])
    return str(nodes[-1]["id"])


def _renamed(nodes: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    """Nodes with ``prefix`` in front of every id and input reference."""
    out = []
    for n in nodes:
        n = dict(n)
        n["id"] = prefix + n["id"]
        for key in ("input", "left", "right"):
            if key in n:
                n[key] = prefix + n[key]
        if "inputs" in n:
            n["inputs"] = [prefix + i for i in n["inputs"]]
        out.append(n)
    return out


declare_unsupported(
    TableEnvironment,
    {
        "add_python_archive": "Python archives",
        "set_python_requirements": "Python requirements",
        "compile_plan_sql": "compiled plans",
        "execute_plan": "compiled plans",
        "load_plan": "compiled plans",
        "create_catalog": "catalogs",
        "register_catalog": "catalogs",
        "get_catalog": "catalogs",
        "use_catalog": "catalogs",
        "use_database": "databases",
        "create_java_function": "Java functions (Weir has no JVM)",
        "create_java_temporary_function": "Java functions (Weir has no JVM)",
        "create_java_temporary_system_function": "Java functions (Weir has no JVM)",
        "create_model": "models",
        "create_temporary_model": "models",
        "drop_model": "models",
        "drop_temporary_model": "models",
        "list_models": "models",
        "list_temporary_models": "models",
        "create_view": "permanent views (use create_temporary_view)",
        "from_descriptor": "TableEnvironment.from_descriptor (use create_temporary_table, then from_path)",
        "list_materialized_tables": "materialized tables",
        "load_module": "modules",
        "unload_module": "modules",
        "use_modules": "modules",
        "list_modules": "modules",
        "list_full_modules": "modules",
    },
)
declare_unsupported(StreamTableEnvironment, {
    "from_changelog_stream": "from_changelog_stream", "to_append_stream": "to_append_stream (use to_data_stream)",
    "to_retract_stream": "to_retract_stream (use to_changelog_stream)",
})
declare_unsupported(StatementSet, {
    "add": "StatementSet.add (use add_insert)", "attach_as_datastream": "attach_as_datastream", "compile_plan": "compiled plans",
    "explain": "StatementSet.explain", "print_explain": "StatementSet.print_explain",
})
