"""``Table``: a relational plan built operation by operation, as in ``pyflink.table.Table``.

A Table is a fragment of Weir's JSON job spec: its nodes (inputs first) and the id of the node
whose output it is. Each operation appends one or two nodes — ``select`` a ``project``,
``where`` a ``filter``, ``group_by().select()`` an ``aggregate`` then a ``project``, ``join`` a
``join``, ``flat_map`` a ``flat_map`` calling a Python table function — so the Table API lowers to
exactly the plan the SQL front end produces, and every node is validated as it is added."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from weir import _weir
from weir.common.types import Row
from weir.errors import PlanError, declare_unsupported, unsupported
from weir.table.expressions import AggregateExpr, AliasExpr, CallExpr, CastExpr, ColumnExpr, Expression, JsonAggregateExpr, LiteralExpr, SortExpr, col
from weir.table.statistics import STATISTICS, reduce_statistic
from weir.table.table_result import TableResult, changelog_rows
from weir.table.types import DataType, from_sql
from weir.table.udf import TableFunctionCall, UserAggregateExpr, UserDefinedTableFunctionWrapper
from weir.table.window import GroupWindow

if TYPE_CHECKING:
    import pandas

    from weir.table.explain_detail import ExplainDetail
    from weir.table.table_environment import TableEnvironment
    from weir.table.udf import UserDefinedScalarFunctionWrapper


def _expr(e: Expression | str) -> Expression:
    return col(e.strip()) if isinstance(e, str) else e


def _split_names(exprs: Sequence[Expression | str]) -> list[Expression | str]:
    """``"a, b"`` (PyFlink's old string expressions, plain column names only) as two items."""
    out: list[Expression | str] = []
    for e in exprs:
        if isinstance(e, str):
            out.extend(n for n in e.split(",") if n.strip())
        else:
            out.append(e)
    return out


class TableSchema:
    """A table's column names and types."""

    def __init__(self, fields: list[tuple[str, str, bool]]) -> None:
        self._fields = fields

    def get_field_names(self) -> list[str]:
        """Column names."""
        return [f[0] for f in self._fields]

    def get_field_data_types(self) -> list[DataType]:
        """Column types."""
        return [from_sql(f[1], f[2]) for f in self._fields]

    def __repr__(self) -> str:
        return "root\n" + "\n".join(f" |-- {n}: {t}{'' if null else ' NOT NULL'}" for n, t, null in self._fields)


class Table:
    """A relational plan over an environment; build it with the methods below, run it with
    :meth:`execute`, :meth:`execute_insert` or :meth:`to_pandas`."""

    def __init__(self, env: "TableEnvironment", nodes: list[dict[str, Any]], head: str, schema: list[tuple[str, str, bool]], sql: str | None = None) -> None:
        self._env = env
        self._nodes = nodes
        self._head = head
        self._fields = schema
        self._sql = sql

    @staticmethod
    def _from_nodes(env: "TableEnvironment", nodes: list[dict[str, Any]], head: str, sql: str | None = None) -> "Table":
        return Table(env, nodes, head, env._schema(nodes), sql)

    def _then(self, node: dict[str, Any], *others: "Table") -> "Table":
        nodes = _merge(self._nodes, *[o._nodes for o in others]) + [node]
        return Table._from_nodes(self._env, nodes, node["id"])

    def _names(self) -> list[str]:
        return [f[0] for f in self._fields]

    def _expand(self, exprs: Sequence[Expression | str]) -> list[Expression]:
        out: list[Expression] = []
        for e in _split_names(exprs):
            e = _expr(e)
            if isinstance(e, ColumnExpr) and e.name == "*":
                out.extend(col(n) for n in self._names())
            else:
                out.append(e)
        return out

    def _project(self, exprs: Sequence[Expression | str]) -> "Table":
        expanded = self._expand(exprs)
        names = [e.default_name() or f"EXPR${i}" for i, e in enumerate(expanded)]
        t, lowered = self._vectorized(expanded)
        columns = [{"name": n, "expr": e.lower(self._env)} for n, e in zip(names, lowered)]
        return t._then({"kind": "project", "id": self._env._fresh_id("project"), "input": t._head, "columns": columns})

    def _vectorized(self, exprs: list[Expression]) -> tuple["Table", list[Expression]]:
        """Computes the vectorized (pandas) UDF calls inside ``exprs`` a batch at a time: each
        call becomes a ``flat_map`` node adding its result as a hidden column, which the
        returned expressions read instead."""
        calls: list[CallExpr] = []

        def find(e: Expression) -> None:
            for c in e.children():
                find(c)
            if isinstance(e, CallExpr) and getattr(e.function, "pandas", False) and all(c is not e for c in calls):
                calls.append(e)

        for e in exprs:
            find(e)
        if not calls:
            return self, exprs
        hidden: dict[int, Expression] = {}

        def swap(e: Expression) -> Expression | None:
            return hidden.get(id(e))

        t = self
        for call in calls:
            column = f"__{self._env._fresh_id('pandas')}"
            node = {"kind": "flat_map", "id": self._env._fresh_id("vectorized"), "input": t._head,
                    "function": self._env.vectorized_name(call.function),  # type: ignore[arg-type]
                    "args": [a.replace(swap).lower(self._env) for a in call.args], "columns": [column]}
            t = t._then(node)
            hidden[id(call)] = ColumnExpr(column)
        return t, [e.replace(swap) for e in exprs]

    # ----- schema -----
    def get_schema(self) -> TableSchema:
        """The columns."""
        return TableSchema(list(self._fields))

    def get_resolved_schema(self) -> TableSchema:
        """The columns."""
        return self.get_schema()

    def print_schema(self) -> None:
        """Prints the columns."""
        print(self.get_schema())

    # ----- relational operations -----
    def select(self, *fields: Expression | str) -> "Table":
        """``SELECT fields``; aggregates without ``group_by`` aggregate the whole table."""
        exprs = self._expand(fields)
        if any(e.aggregates() for e in exprs):
            return GroupedTable(self, []).select(*exprs)
        return self._project(exprs)

    def where(self, predicate: Expression) -> "Table":
        """Keeps rows where ``predicate`` is TRUE."""
        t, (lowered,) = self._vectorized([predicate])
        filtered = t._then({"kind": "filter", "id": self._env._fresh_id("filter"), "input": t._head, "predicate": lowered.lower(self._env)})
        return filtered if t is self else filtered._project([col(n) for n in self._names()])

    def filter(self, predicate: Expression) -> "Table":
        """Same as :meth:`where`."""
        return self.where(predicate)

    def group_by(self, *fields: Expression | str) -> "GroupedTable":
        """Groups rows by ``fields``; follow with ``select`` of keys and aggregates."""
        return GroupedTable(self, [_expr(f) for f in _split_names(fields)])

    def distinct(self) -> "Table":
        """Removes duplicate rows."""
        return self._then({"kind": "distinct", "id": self._env._fresh_id("distinct"), "input": self._head})

    def alias(self, field: str, *fields: str) -> "Table":
        """Renames the columns, in order."""
        names = [field, *fields]
        if len(names) != len(self._fields):
            raise PlanError(f"alias names {len(names)} columns but the table has {len(self._fields)}")
        return self._project([col(old).alias(new) for old, new in zip(self._names(), names)])

    def rename_columns(self, *fields: Expression) -> "Table":
        """Renames some columns (``col('a').alias('b')``)."""
        renames = {e.expr.name: e.name for e in fields if isinstance(e, AliasExpr) and isinstance(e.expr, ColumnExpr)}
        return self._project([col(n).alias(renames.get(n, n)) for n in self._names()])

    def add_columns(self, *fields: Expression | str) -> "Table":
        """Appends computed columns."""
        return self._project([*(col(n) for n in self._names()), *self._expand(fields)])

    def add_or_replace_columns(self, *fields: Expression) -> "Table":
        """Appends computed columns, replacing existing ones of the same name."""
        new = {e.default_name(): e for e in fields}
        kept = [new.pop(n).alias(n) if n in new else col(n) for n in self._names()]  # type: ignore[union-attr]
        return self._project([*kept, *new.values()])

    def drop_columns(self, *fields: Expression | str) -> "Table":
        """Removes columns."""
        drop = {_expr(f).default_name() for f in fields}
        return self._project([col(n) for n in self._names() if n not in drop])

    def union_all(self, right: "Table") -> "Table":
        """``UNION ALL``."""
        return self._then({"kind": "union", "id": self._env._fresh_id("union"), "inputs": [self._head, right._head]}, right)

    def union(self, right: "Table") -> "Table":
        """``UNION`` (distinct)."""
        return self.union_all(right).distinct()

    def _set_operation(self, operator: str, right: "Table") -> "Table":
        """``self <operator> right`` run by the SQL front end, which plans set operations as
        Flink rewrites them (tag by side, group by every column, count each side)."""
        if right._env is not self._env:
            raise PlanError(f"{operator}: both tables must come from the same TableEnvironment")
        return self._env.sql_query(f"SELECT * FROM {self} {operator} SELECT * FROM {right}")

    def intersect(self, right: "Table") -> "Table":
        """``INTERSECT``: distinct rows present in both tables (NULLs compare equal)."""
        return self._set_operation("INTERSECT", right)

    def intersect_all(self, right: "Table") -> "Table":
        """``INTERSECT ALL``: a row ``m`` times here and ``n`` times in ``right`` comes
        ``min(m, n)`` times."""
        return self._set_operation("INTERSECT ALL", right)

    def minus(self, right: "Table") -> "Table":
        """``EXCEPT``: distinct rows of this table absent from ``right``."""
        return self._set_operation("EXCEPT", right)

    def minus_all(self, right: "Table") -> "Table":
        """``EXCEPT ALL``: a row ``m`` times here and ``n`` times in ``right`` comes
        ``max(m - n, 0)`` times."""
        return self._set_operation("EXCEPT ALL", right)

    def order_by(self, *fields: Expression | str) -> "Table":
        """Orders the result."""
        keys = []
        for f in fields:
            e = _expr(f)
            desc = isinstance(e, SortExpr) and e.descending
            keys.append({"expr": e.lower(self._env), **({"descending": True} if desc else {})})
        return self._then({"kind": "sort", "id": self._env._fresh_id("sort"), "input": self._head, "order_by": keys})

    def _sorted(self) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        last = self._nodes[-1]
        if last.get("kind") == "sort" and last["id"] == self._head:
            return dict(last), self._nodes[:-1]
        keys = [{"expr": {"column": i}} for i in range(len(self._fields))]
        return {"kind": "sort", "id": self._env._fresh_id("sort"), "input": self._head, "order_by": keys}, self._nodes

    def fetch(self, fetch: int) -> "Table":
        """Keeps the first ``fetch`` rows (of ``order_by``'s order; all columns otherwise)."""
        node, nodes = self._sorted()
        node["limit"] = fetch
        return Table._from_nodes(self._env, nodes + [node], node["id"])

    def offset(self, offset: int) -> "Table":
        """Skips the first ``offset`` rows."""
        node, nodes = self._sorted()
        node["offset"] = offset
        return Table._from_nodes(self._env, nodes + [node], node["id"])

    def limit(self, fetch: int, offset: int = 0) -> "Table":
        """Keeps ``fetch`` rows after skipping ``offset``."""
        t = self.offset(offset) if offset else self
        return t.fetch(fetch)

    # ----- joins -----
    def _join(self, right: "Table", predicate: Expression | None, join_type: str) -> "Table":
        left_names, right_names = set(self._names()), set(right._names())
        left_keys, right_keys, residual = [], [], []
        for term in _conjuncts(predicate):
            sides = _equi_sides(term, left_names, right_names)
            if sides is None:
                residual.append(term)
            else:
                left_keys.append(sides[0].lower(self._env))
                right_keys.append(sides[1].lower(self._env))
        node: dict[str, Any] = {"kind": "join", "id": self._env._fresh_id("join"), "left": self._head, "right": right._head, "join_type": join_type,
                                "left_keys": left_keys, "right_keys": right_keys}
        if residual:
            cond = residual[0]
            for r in residual[1:]:
                cond = cond & r
            node["condition"] = cond.lower(self._env)
        return self._then(node, right)

    def join(self, right: "Table", join_predicate: Expression | None = None) -> "Table":
        """Inner join; equalities between a left and a right column become join keys."""
        return self._join(right, join_predicate, "inner")

    def left_outer_join(self, right: "Table", join_predicate: Expression | None = None) -> "Table":
        """Left outer join."""
        return self._join(right, join_predicate, "left")

    def right_outer_join(self, right: "Table", join_predicate: Expression) -> "Table":
        """Right outer join."""
        return self._join(right, join_predicate, "right")

    def full_outer_join(self, right: "Table", join_predicate: Expression) -> "Table":
        """Full outer join."""
        return self._join(right, join_predicate, "full")

    # ----- table functions -----
    def _lateral(self, call: TableFunctionCall | UserDefinedTableFunctionWrapper, keep_input: bool, outer: bool = False) -> "Table":
        if isinstance(call, UserDefinedTableFunctionWrapper):
            call = _row_adapter(call, self._names())(*[col(n) for n in self._names()])
        if not isinstance(call, TableFunctionCall):
            raise TypeError("expected a Python table function (@udtf) or a call of one")
        outputs = call.function.output_columns()
        names = call.names or [n for n, _ in outputs]
        if len(names) != len(outputs):
            raise PlanError(f"{call.function.name} produces {len(outputs)} columns, {len(names)} names given")
        hidden = [f"__{self._env._fresh_id('out')}_{i}" for i in range(len(outputs))]
        node = {"kind": "flat_map", "id": self._env._fresh_id("flat_map"), "input": self._head, "function": self._env.function_name(call.function),
                "args": [a.lower(self._env) for a in call.args], "columns": hidden}
        if outer:
            node["outer"] = True
        flat = self._then(node)
        kept = [col(n) for n in self._names()] if keep_input else []
        return flat._project([*kept, *[col(h).alias(n) for h, n in zip(hidden, names)]])

    def flat_map(self, func: TableFunctionCall | UserDefinedTableFunctionWrapper) -> "Table":
        """Each row replaced by the rows a Python table function returns for it. Given the
        function itself, it is called with the row (a :class:`Row`), as PyFlink does."""
        return self._lateral(func, keep_input=False)

    def join_lateral(self, table_function_call: TableFunctionCall, join_predicate: Expression | None = None) -> "Table":
        """Each row joined with the rows a table function returns for it."""
        if join_predicate is not None:
            return self._lateral(table_function_call, keep_input=True).where(join_predicate)
        return self._lateral(table_function_call, keep_input=True)

    def left_outer_join_lateral(self, table_function_call: TableFunctionCall, join_predicate: Expression | None = None) -> "Table":
        """Each row joined with the rows a table function returns for it; a row for which it
        returns none is kept once, with NULL in the function's columns. As in Flink, the
        predicate can only be absent or the literal TRUE (``LEFT JOIN LATERAL ... ON TRUE``)."""
        if join_predicate is not None and not (isinstance(join_predicate, LiteralExpr) and join_predicate.value is True):
            raise PlanError("left_outer_join_lateral: the join predicate can only be empty or the literal TRUE")
        return self._lateral(table_function_call, keep_input=True, outer=True)

    def map(self, func: Expression | UserDefinedScalarFunctionWrapper) -> "Table":
        """Not supported yet: use ``select`` with a ``@udf``."""
        raise unsupported("Table.map (use select with a @udf)")

    def aggregate(self, func: Expression) -> "AggregatedTable":
        """One aggregate over the whole table (``t.aggregate(f(col('x')).alias('r')).select('r')``)."""
        return GroupedTable(self, []).aggregate(func)

    def __getattr__(self, name: str) -> Expression:
        """``t.price``: the column ``price`` (PyFlink's attribute access)."""
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self._names():
            return col(name)
        raise AttributeError(f"Table has no column or attribute {name!r} (columns: {', '.join(self._names())})")

    def __getitem__(self, name: str) -> Expression:
        """``t['price']``: the column ``price``."""
        if name not in self._names():
            raise KeyError(f"no column {name!r} (columns: {', '.join(self._names())})")
        return col(name)

    # ----- windows -----
    def window(self, window: GroupWindow) -> "GroupWindowedTable":
        """Assigns rows to group windows (``Tumble``, ``Slide``); follow with ``group_by``
        naming the window's alias, then ``select``."""
        if not isinstance(window, GroupWindow):
            raise TypeError("expected Tumble.over(..).on(..).alias(..) or Slide.over(..).every(..).on(..).alias(..)")
        return GroupWindowedTable(self, window)

    def over_window(self, *over_windows: Any) -> Any:
        """Defines over windows (``Over.partition_by(..).order_by(..).preceding(..).alias('w')``);
        follow with ``select`` of columns and ``agg.over(col('w'))``."""
        from weir.table.over_window import OverWindowedTable

        return OverWindowedTable(self, list(over_windows))

    # ----- running -----
    def _as_view(self) -> str:
        name = f"__table_{self._env._fresh_id('view')}"
        self._env._session.register_plan_view(name, self._env._spec(self._nodes), self._head)
        return name

    def _collect(self) -> list[Row]:
        sink = {"kind": "sink", "id": "__result", "input": self._head, "connector": _weir.CALLER_SINK}
        changes = self._env._run(self._nodes + [sink]).get("__result", [])
        return changelog_rows(changes, self._names())

    def execute(self) -> TableResult:
        """Runs the table's job; ``collect()``/``print()`` the result."""
        sink = {"kind": "sink", "id": "__result", "input": self._head, "connector": _weir.CALLER_SINK}
        spec = self._env._spec(self._nodes + [sink])
        return TableResult(
            self._names(),
            fetch=self._collect,
            streaming=not self._env.is_batch(),
            follow=lambda: self._env._follow(spec, "__result", self._names()),
        )

    def execute_insert(self, table_path: str, overwrite: bool = False) -> TableResult:
        """Writes the rows into the table ``table_path`` (declared with DDL or a descriptor)."""
        return self._env.execute_sql(f"INSERT INTO `{table_path}` SELECT * FROM `{self._as_view()}`")

    def to_pandas(self) -> "pandas.DataFrame":
        """The result as a pandas DataFrame (the final rows: the changelog applied); FLOAT
        columns are ``float32``, as in PyFlink."""
        import pandas

        rows = _final_rows(self._collect())
        frame = pandas.DataFrame([list(r) for r in rows], columns=self._names())
        floats = {n: "float32" for n, t, _ in self._fields if t == "FLOAT"}
        return frame.astype(floats) if floats else frame

    def explain(self, *extra_details: ExplainDetail) -> str:
        """The plan of this table's query, as PyFlink's ``Table.explain()`` prints it and as
        ``EXPLAIN`` does: ``== Abstract Syntax Tree ==`` (the nodes as written),
        ``== Optimized Physical Plan ==`` (the operators that will run, as a tree, in the
        environment's runtime mode), then the JSON job spec. ``ExplainDetail.CHANGELOG_MODE``
        adds each operator's changelog mode."""
        view = self._as_view()
        try:
            return self._env.explain_sql(f"SELECT * FROM `{view}`", *extra_details)
        finally:
            self._env._session.drop_plan_view(view)

    def print_explain(self, *extra_details: ExplainDetail) -> None:
        """Prints :meth:`explain`."""
        print(self.explain(*extra_details))

    def __str__(self) -> str:
        """The name this table is registered under for SQL, as in PyFlink: the first call
        registers it as the temporary view ``UnnamedTable$N`` (N unique per environment), so
        ``"SELECT * FROM %s" % table`` works."""
        name: str | None = getattr(self, "_registered_name", None)
        if name is None:
            name = self._env._unnamed_table_name()
            self._env.create_temporary_view(name, self)
            self._registered_name = name
        return name

    def __repr__(self) -> str:
        return f"Table({', '.join(self._names())})"


class GroupWindowedTable:
    """A table assigned to group windows; ``group_by`` must name the window's alias."""

    def __init__(self, table: Table, window: GroupWindow) -> None:
        self._table = table
        self._window = window

    def group_by(self, *fields: Expression | str) -> "GroupedTable":
        """Groups by the window (its alias) and further keys."""
        keys = [_expr(f) for f in _split_names(fields)]
        alias = self._window.alias_name
        if not any(isinstance(k, ColumnExpr) and k.name == alias for k in keys):
            raise PlanError(f"group_by of a windowed table must include the window alias {alias!r}")
        t = self._table
        others = [k for k in keys if not (isinstance(k, ColumnExpr) and k.name == alias)]
        partition = [k.name for k in others if isinstance(k, ColumnExpr)]
        if self._window.kind == "session" and len(partition) != len(others):
            raise PlanError("group_by of a session window takes columns besides the window alias (sessions are kept per value of them)")
        windowed = t._then(self._window.node(t._env._fresh_id("window"), t._head, partition))
        return GroupedTable(windowed, [col("window_start"), col("window_end"), *others])


class GroupedTable:
    """A table grouped by keys; ``select`` computes keys and aggregates per group."""

    def __init__(self, table: Table, keys: list[Expression]) -> None:
        self._table = table
        self._keys = keys

    def aggregate(self, func: Expression) -> "AggregatedTable":
        """One aggregate (a ``@udaf`` call or a built-in, aliased to name its column) per
        group; follow with ``select`` over the keys and that column."""
        if not func.aggregates():
            raise PlanError("aggregate() takes an aggregate call, such as my_udaf(col('x')).alias('r')")
        return AggregatedTable(self, func if func.default_name() else func.alias("f0"))

    def select(self, *fields: Expression | str) -> Table:
        """Keys and aggregates (``col('x').sum``, ``col('x').count``, expressions of them)."""
        t, env = self._table, self._table._env
        group_by, key_json = [], []
        for i, k in enumerate(self._keys):
            lowered = k.lower(env)
            name = k.default_name() or f"$k{i}"
            group_by.append({"name": name, "expr": lowered})
            key_json.append((json.dumps(lowered, sort_keys=True), name))
        aggregates: list[dict[str, Any]] = []
        user_aggregates: list[dict[str, Any]] = []

        def swap(e: Expression) -> Expression | None:
            if isinstance(e, UserAggregateExpr):
                name = f"$u{len(user_aggregates)}"
                user_aggregates.append({"name": name, "function": env.function_name(e.user_function), "args": [a.lower(env) for a in e.args]})
                return ColumnExpr(name)
            if isinstance(e, JsonAggregateExpr):
                return e.reduce().replace(swap)
            if isinstance(e, AggregateExpr) and e.function == "sum0" and e.arg is not None:
                arg_type = t._project([e.arg.alias("x")])._fields[0][1]
                total = AggregateExpr("sum", e.arg, e.is_distinct, e.filter)
                return CallExpr("COALESCE", [total, CastExpr(LiteralExpr(0), DataType(arg_type, True))]).replace(swap)
            if isinstance(e, AggregateExpr) and e.function in STATISTICS:
                arg_type = t._project([e.arg.alias("x")])._fields[0][1] if e.arg is not None else ""
                return reduce_statistic(e, arg_type).replace(swap)
            if isinstance(e, AggregateExpr):
                name = f"$a{len(aggregates)}"
                agg: dict[str, Any] = {"name": name, "function": e.function}
                if e.arg is not None and not (e.function == "count" and _is_star(e.arg)):
                    agg["args"] = [e.arg.lower(env)]
                if e.is_distinct:
                    agg["distinct"] = True
                if e.filter is not None:
                    agg["filter"] = e.filter.lower(env)
                aggregates.append(agg)
                return ColumnExpr(name)
            if not e.aggregates() and not isinstance(e, AliasExpr):
                try:
                    lowered = json.dumps(e.lower(env), sort_keys=True)
                except TypeError:
                    return None
                for kj, name in key_json:
                    if kj == lowered:
                        return ColumnExpr(name)
            return None

        key_names = {n for _, n in key_json}
        outputs: list[Expression] = []
        for i, f in enumerate(t._expand(fields)):
            name = f.default_name() or f"EXPR${i}"
            if isinstance(f, ColumnExpr) and f.name in key_names:
                outputs.append(f)
            else:
                outputs.append(f.replace(swap).alias(name))
        agg_node = {"kind": "aggregate", "id": env._fresh_id("aggregate"), "input": t._head, "group_by": group_by, "aggregates": aggregates}
        if user_aggregates:
            agg_node["user_aggregates"] = user_aggregates
        return t._then(agg_node)._project(outputs)


class AggregatedTable:
    """A grouped table with one aggregate column (``group_by(..).aggregate(..)``)."""

    def __init__(self, grouped: GroupedTable, call: Expression) -> None:
        self._grouped = grouped
        self._call = call

    def select(self, *fields: Expression | str) -> Table:
        """Columns of the keys and the aggregate (``'*'``: all of them)."""
        return self._grouped.select(*self._grouped._keys, self._call).select(*fields)


def _is_star(e: Expression) -> bool:
    return isinstance(e, ColumnExpr) and e.name == "*"


def _conjuncts(e: Expression | None) -> list[Expression]:
    if e is None:
        return []
    if isinstance(e, CallExpr) and e.function == "AND":
        return [t for a in e.args for t in _conjuncts(a)]
    return [e]


def _columns(e: Expression) -> set[str]:
    if isinstance(e, ColumnExpr):
        return {e.name}
    return set().union(*[_columns(c) for c in e.children()]) if e.children() else set()


def _equi_sides(term: Expression, left: set[str], right: set[str]) -> tuple[Expression, Expression] | None:
    if not (isinstance(term, CallExpr) and term.function == "=" and len(term.args) == 2):
        return None
    a, b = term.args
    ca, cb = _columns(a), _columns(b)
    if ca and cb and ca <= left and cb <= right and not (ca & right) and not (cb & left):
        return a, b
    if ca and cb and cb <= left and ca <= right and not (cb & right) and not (ca & left):
        return b, a
    return None


def _merge(*node_lists: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    out = []
    for nodes in node_lists:
        for n in nodes:
            if n["id"] not in seen:
                seen.add(n["id"])
                out.append(n)
    return out


def _row_adapter(function: UserDefinedTableFunctionWrapper, names: list[str]) -> UserDefinedTableFunctionWrapper:
    """``function`` taking the whole row as one :class:`Row`, as ``Table.flat_map`` calls it."""
    inner = function.func

    fields = list(names)
    make = Row._make

    def call_with_row(*values: Any) -> Any:
        return inner(make(list(values), fields))

    call_with_row.__name__ = function.name
    return UserDefinedTableFunctionWrapper(call_with_row, None, function.result_types, function.name, function.deterministic)


def _final_rows(changes: list[Row]) -> list[Row]:
    """The rows left after applying a changelog in order (insertion order kept)."""
    from weir.common.types import RowKind

    counts: dict[tuple[Any, ...], int] = {}
    fields: list[str] | None = changes[0]._fields if changes else None
    for r in changes:
        key = tuple(r)
        add = r.get_row_kind() in (RowKind.INSERT, RowKind.UPDATE_AFTER)
        counts[key] = counts.get(key, 0) + (1 if add else -1)
    return [Row._make(list(k), fields) for k, n in counts.items() for _ in range(max(n, 0))]


declare_unsupported(
    Table,
    {
        "flat_aggregate": "table aggregate functions",
        "insert_into": "Table.insert_into (use execute_insert)",
        "to_changelog": "Table.to_changelog (use StreamTableEnvironment.to_changelog_stream)",
        "from_changelog": "Table.from_changelog",
    },
)
declare_unsupported(GroupedTable, {"flat_aggregate": "table aggregate functions"})
