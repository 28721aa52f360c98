//! The logical plan as users write it: the JSON job spec. Serde is the encoding, so whatever
//! SQL or the Python SDK can express can also be posted as JSON.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::expr::Expr;
use crate::types::Field;

pub use super::join_spec::{IntervalJoinNode, JoinNode, JoinType};
pub use super::over_spec::{OffsetCall, RankCall, RankType, SortedOverNode};
use super::over_spec::{first_rank, is_default, is_first_rank};

/// A job: a DAG of named nodes (sources, transformations, sinks) plus settings.
///
/// Nodes refer to their inputs by `id`; an input must be declared before the node that reads
/// it. Every node's output schema is derived and checked when the spec is validated.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JobSpec {
    /// A human-readable name for the job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Flink-style settings, e.g. `execution.runtime-mode` (`batch`|`streaming`),
    /// `parallelism.default`, `table.local-time-zone`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub config: BTreeMap<String, String>,
    /// The nodes of the dataflow, inputs before the nodes that read them.
    pub nodes: Vec<Node>,
}

/// One node of the plan; `kind` selects which.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Node {
    /// Reads rows from a connector.
    Source(SourceNode),
    /// Rows written in the spec itself (SQL `VALUES`, the SDK's `from_elements`).
    Values(ValuesNode),
    /// Keeps the rows for which a predicate is TRUE.
    Filter(FilterNode),
    /// Computes new columns from each row.
    Project(ProjectNode),
    /// Calls a table function on each row and appends each row it returns (LATERAL TABLE).
    FlatMap(FlatMapNode),
    /// Assigns each row to its event-time windows (TUMBLE, HOP, CUMULATE, SESSION table
    /// functions).
    Window(WindowNode),
    /// Appends aggregates over a frame of preceding rows in event-time order (OVER).
    Over(OverNode),
    /// OVER aggregates and LAG/LEAD over partitions sorted by any keys (batch mode).
    SortedOver(SortedOverNode),
    /// Groups rows and computes aggregates per group (GROUP BY).
    Aggregate(AggregateNode),
    /// Joins two inputs on equal keys plus an optional residual condition.
    Join(JoinNode),
    /// Joins two append-only inputs on equal keys and event times within an interval.
    IntervalJoin(IntervalJoinNode),
    /// Removes duplicate rows (SELECT DISTINCT).
    Distinct(DistinctNode),
    /// Concatenates inputs with the same column types (UNION ALL).
    Union(UnionNode),
    /// Keeps the first N rows of each partition in a given order (ROW_NUMBER() <= N).
    TopN(TopNNode),
    /// Keeps the first or last row per key by a time column (ROW_NUMBER() = 1).
    Deduplicate(DeduplicateNode),
    /// Orders the result (and optionally keeps only the first rows): ORDER BY .. LIMIT.
    Sort(SortNode),
    /// Re-times rows by an event-time column mid-stream, with a bounded-out-of-orderness
    /// watermark (the DataStream API's `assign_timestamps_and_watermarks`).
    Watermark(WatermarkNode),
    /// Runs a user process function (the DataStream API's `process`) with keyed state and
    /// timers on one or two keyed inputs.
    Process(ProcessNode),
    /// DataStream windows of a keyed stream run by a user window function.
    StreamWindow(StreamWindowNode),
    /// Writes rows to a connector.
    Sink(SinkNode),
}

/// Rows from a connector (`datagen`, `filesystem`, ...) with a declared schema.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceNode {
    /// Unique node id.
    pub id: String,
    /// Connector name, as in Flink's `'connector' = '...'`.
    pub connector: String,
    /// Columns the connector produces.
    pub schema: Vec<Field>,
    /// Connector options with Flink's names (`path`, `format`, `number-of-rows`, ...).
    #[serde(default)]
    pub options: BTreeMap<String, String>,
    /// Computed columns (SQL's `ts AS TO_TIMESTAMP_LTZ(ts_ms, 3)`), output after the `schema`
    /// columns in this order: expressions over the `schema` columns (not over each other),
    /// evaluated as each row is read, so that the watermark may name one. A `PROCTIME()`
    /// column is the processing-time attribute of a source without a watermark.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub computed: Vec<NamedExpr>,
    /// Event time: the column rows are timed by and how late they may arrive (SQL's
    /// `WATERMARK FOR col AS col - INTERVAL ..`), a `schema` or a `computed` column. Without
    /// it, streaming jobs use processing time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watermark: Option<WatermarkDef>,
}

/// A bounded-out-of-orderness watermark: after a row with event time `t` the source promises
/// no rows earlier than `t - delay_ms`. Rows that arrive later anyway are late: an event-time
/// operator whose result for them has already gone out (a window that fired) drops and counts
/// them; others (filters, projections, regular aggregates) take them as any row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WatermarkDef {
    /// The event-time column, of type TIMESTAMP(3) or TIMESTAMP_LTZ(3).
    pub column: String,
    /// How far, in milliseconds, rows may arrive out of order.
    #[serde(default)]
    pub delay_ms: u64,
}

/// Constant rows with a declared schema.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ValuesNode {
    /// Unique node id.
    pub id: String,
    /// The columns.
    pub schema: Vec<Field>,
    /// The rows, one JSON array per row, one scalar per column (read as the column's type).
    pub rows: Vec<Vec<serde_json::Value>>,
}

/// `WHERE predicate`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FilterNode {
    /// Unique node id.
    pub id: String,
    /// Input node id.
    pub input: String,
    /// A BOOLEAN expression; rows where it is FALSE or NULL are dropped.
    pub predicate: Expr,
}

/// An output column computed by an expression.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NamedExpr {
    /// Output column name.
    pub name: String,
    /// Its value.
    pub expr: Expr,
}

/// `SELECT expr AS name, ...`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectNode {
    /// Unique node id.
    pub id: String,
    /// Input node id.
    pub input: String,
    /// Output columns, in order.
    pub columns: Vec<NamedExpr>,
}

/// `input, LATERAL TABLE(function(args))`: each input row followed by each row the table
/// function returns for it. An inner lateral join by default (rows for which it returns
/// nothing vanish); with `outer`, a left one (`LEFT JOIN LATERAL TABLE(..) ON TRUE`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlatMapNode {
    /// Unique node id.
    pub id: String,
    /// Input node id.
    pub input: String,
    /// Table function name (e.g. `SPLIT`, `GENERATE_SERIES`; later Python UDTFs).
    pub function: String,
    /// Arguments, evaluated on the input row.
    #[serde(default)]
    pub args: Vec<Expr>,
    /// Names for the function's output columns (defaults to the function's own names).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    /// Keep an input row for which the function returns no rows, once, with NULL in the
    /// function's columns (which become nullable).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub outer: bool,
}

/// The window table-valued functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WindowKind {
    /// `TUMBLE`: consecutive windows of `size_ms`; each row falls in one.
    Tumble,
    /// `HOP`: windows of `size_ms` starting every `slide_ms`; a row falls in the `size / slide`
    /// windows (rounded up or down when the slide does not divide the size) whose span holds it.
    Hop,
    /// `CUMULATE`: windows growing by `step_ms` from the start of each `size_ms` period.
    Cumulate,
    /// `SESSION`: per `partition_by` key, rows at most `gap_ms` apart share a window
    /// `[first row, last row + gap_ms)`.
    Session,
}

/// `TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), size))` and its HOP and CUMULATE siblings: the input
/// columns followed by `window_start`, `window_end` (TIMESTAMP(3)) and `window_time`
/// (`window_end - 1 ms`, of the time column's type), one output row per window a row falls in.
/// Rows whose time is NULL belong to no window and vanish.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WindowNode {
    /// Unique node id.
    pub id: String,
    /// Input node id.
    pub input: String,
    /// Which windows.
    pub window: WindowKind,
    /// The TIMESTAMP(3) or TIMESTAMP_LTZ(3) column rows are windowed by (in streaming mode,
    /// the event-time column of a source `watermark`, for windows that close).
    pub time_column: String,
    /// Window length in milliseconds (not for SESSION windows).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub size_ms: u64,
    /// HOP only: milliseconds between window starts (need not divide `size_ms`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slide_ms: Option<u64>,
    /// CUMULATE only: milliseconds each window grows by (`size_ms` must be a multiple of it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_ms: Option<u64>,
    /// TUMBLE, HOP, CUMULATE: milliseconds the window starts shift by from the epoch (may be
    /// negative; only its remainder modulo the slide, step or size matters), as Flink's
    /// `TimeWindow.getWindowStartWithOffset`.
    #[serde(default, skip_serializing_if = "is_zero_i64")]
    pub offset_ms: i64,
    /// SESSION only: the inactivity gap in milliseconds that closes a session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gap_ms: Option<u64>,
    /// SESSION only: the columns whose values each have their own sessions (PARTITION BY).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partition_by: Vec<String>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn is_zero_i64(n: &i64) -> bool {
    *n == 0
}

/// What an OVER frame counts back from the current row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FrameUnit {
    /// `ROWS`: a number of rows.
    Rows,
    /// `RANGE`: an event-time interval; rows with equal times are peers and share a result.
    Range,
}

/// `ROWS|RANGE BETWEEN <preceding> PRECEDING AND CURRENT ROW`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OverFrame {
    /// Rows or an event-time range.
    pub unit: FrameUnit,
    /// Rows (ROWS) or milliseconds (RANGE) before the current row; absent for `UNBOUNDED
    /// PRECEDING`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preceding: Option<u64>,
}

/// `agg(x) OVER (PARTITION BY .. ORDER BY time_column frame)`: the input columns followed by
/// one column per aggregate. Rows are processed in event-time order once the watermark passes
/// them; the input must be append-only and, in streaming mode, `order_by` its event-time
/// column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OverNode {
    /// Unique node id.
    pub id: String,
    /// Input node id.
    pub input: String,
    /// Each partition has its own frame.
    #[serde(default)]
    pub partition_by: Vec<Expr>,
    /// The TIMESTAMP(3)/TIMESTAMP_LTZ(3) column rows are ordered by (ascending).
    pub order_by: String,
    /// The frame ending at the current row.
    pub frame: OverFrame,
    /// The aggregates (COUNT, SUM, MIN, MAX, AVG; no DISTINCT or FILTER).
    #[serde(default)]
    pub aggregates: Vec<AggregateCall>,
    /// LAG calls (no LEAD: rows go out as the watermark passes them), output after the
    /// aggregates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub offsets: Vec<OffsetCall>,
}

/// An aggregate function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AggregateFunction {
    /// `COUNT(*)` without arguments; `COUNT(x)` counts non-NULL values.
    #[serde(alias = "COUNT")]
    Count,
    /// `SUM(x)`: NULL for a group with no non-NULL value.
    #[serde(alias = "SUM")]
    Sum,
    /// `MIN(x)`.
    #[serde(alias = "MIN")]
    Min,
    /// `MAX(x)`.
    #[serde(alias = "MAX")]
    Max,
    /// `AVG(x)`: integer for integer input, as in Flink.
    #[serde(alias = "AVG")]
    Avg,
    /// `FIRST_VALUE(x)`: the first non-NULL value in arrival order (Flink's order: the order
    /// rows reach the aggregate; unspecified across parallel inputs).
    #[serde(alias = "FIRST_VALUE")]
    FirstValue,
    /// `LAST_VALUE(x)`: the last non-NULL value in arrival order.
    #[serde(alias = "LAST_VALUE")]
    LastValue,
    /// `ARRAY_AGG(x)`: the values (NULLs included, as Flink's default `RESPECT NULLS`) as an
    /// ARRAY in arrival order; NULL for a group without rows. `IGNORE NULLS` is a FILTER.
    #[serde(alias = "ARRAY_AGG")]
    ArrayAgg,
    /// `COLLECT(x)`: the non-NULL values as a MULTISET (each distinct value with its count).
    #[serde(alias = "COLLECT")]
    Collect,
}

impl AggregateFunction {
    /// The SQL name: `COUNT`, `SUM`, `MIN`, `MAX`, `AVG`, `FIRST_VALUE`, ...
    pub fn sql_name(&self) -> &'static str {
        match self {
            AggregateFunction::Count => "COUNT",
            AggregateFunction::Sum => "SUM",
            AggregateFunction::Min => "MIN",
            AggregateFunction::Max => "MAX",
            AggregateFunction::Avg => "AVG",
            AggregateFunction::FirstValue => "FIRST_VALUE",
            AggregateFunction::LastValue => "LAST_VALUE",
            AggregateFunction::ArrayAgg => "ARRAY_AGG",
            AggregateFunction::Collect => "COLLECT",
        }
    }

    /// Whether the result depends on the order values arrive in (FIRST_VALUE, LAST_VALUE,
    /// ARRAY_AGG).
    pub fn depends_on_order(&self) -> bool {
        matches!(self, AggregateFunction::FirstValue | AggregateFunction::LastValue | AggregateFunction::ArrayAgg)
    }
}

/// One aggregate output column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AggregateCall {
    /// Output column name.
    pub name: String,
    /// The function.
    pub function: AggregateFunction,
    /// Arguments (none for `COUNT(*)`, one otherwise).
    #[serde(default)]
    pub args: Vec<Expr>,
    /// `DISTINCT`: aggregate each distinct argument value once.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub distinct: bool,
    /// `FILTER (WHERE ..)`: only rows where this is TRUE are aggregated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<Expr>,
}

/// A call of a user aggregate function (registered by the Python SDK, e.g. a `@udaf`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserAggregateCall {
    /// Output column name.
    pub name: String,
    /// The registered function's name.
    pub function: String,
    /// Arguments over the input.
    #[serde(default)]
    pub args: Vec<Expr>,
}

/// `SELECT group keys, aggregates FROM input GROUP BY keys`; output columns are the group
/// keys, then the aggregates, then the user aggregates. With no keys there is exactly one
/// output row (a global aggregate).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AggregateNode {
    /// Unique node id.
    pub id: String,
    /// Input node id.
    pub input: String,
    /// Grouping keys.
    #[serde(default)]
    pub group_by: Vec<NamedExpr>,
    /// Aggregates per group.
    pub aggregates: Vec<AggregateCall>,
    /// User aggregate functions per group (their accumulators are kept per group and updated
    /// with each change, retractions included).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub user_aggregates: Vec<UserAggregateCall>,
    /// How long a group not written is kept in streaming mode, in milliseconds, in place of
    /// `table.exec.state.ttl` (a `STATE_TTL` hint; `0`: for ever). Window aggregates ignore it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_ttl_ms: Option<u64>,
}

/// `SELECT DISTINCT *`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DistinctNode {
    /// Unique node id.
    pub id: String,
    /// Input node id.
    pub input: String,
    /// How long a row not written is kept in streaming mode, in milliseconds, in place of
    /// `table.exec.state.ttl` (a `STATE_TTL` hint; `0`: for ever).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_ttl_ms: Option<u64>,
}

/// `a UNION ALL b UNION ALL ...`; column names come from the first input.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnionNode {
    /// Unique node id.
    pub id: String,
    /// Input node ids (two or more).
    pub inputs: Vec<String>,
}

/// One ordering key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SortKey {
    /// The value to order by.
    pub expr: Expr,
    /// Descending instead of ascending.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub descending: bool,
    /// Where NULLs go; by default first when ascending and last when descending (Flink's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nulls_first: Option<bool>,
}

/// `ROW_NUMBER() OVER (PARTITION BY .. ORDER BY ..) AS rn ... WHERE rn <= limit` (or `RANK()`,
/// `DENSE_RANK()`, and `rn BETWEEN rank_start AND limit`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TopNNode {
    /// Unique node id.
    pub id: String,
    /// Input node id.
    pub input: String,
    /// Partition keys (empty: one global ranking).
    #[serde(default)]
    pub partition_by: Vec<Expr>,
    /// Ranking order; ties are broken by the whole row so results are deterministic.
    pub order_by: Vec<SortKey>,
    /// The last rank kept per partition (Flink's `rankEnd`; with `row_number` ranks, how many
    /// rows are kept).
    pub limit: u64,
    /// The first rank kept (Flink's `rankStart`, default 1): `rn > 2 AND rn <= 6` keeps ranks 3 to 6.
    #[serde(default = "first_rank", skip_serializing_if = "is_first_rank")]
    pub rank_start: u64,
    /// How rows are ranked (default `row_number`); `rank` and `dense_rank` run in batch mode
    /// only, as in Flink.
    #[serde(default, skip_serializing_if = "is_default")]
    pub rank_type: RankType,
    /// When set, a BIGINT column of this name with the rank (1-based) is appended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row_number: Option<String>,
}

/// Which row of each key deduplication keeps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Keep {
    /// The row with the smallest order value.
    #[default]
    First,
    /// The row with the largest order value.
    Last,
}

/// Deduplication: per key, keep only the first (or last) row by `order_by`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeduplicateNode {
    /// Unique node id.
    pub id: String,
    /// Input node id.
    pub input: String,
    /// The key whose duplicates are removed.
    pub key: Vec<Expr>,
    /// The time (or other) column deciding which row is first.
    pub order_by: Expr,
    /// Keep the first or the last row.
    #[serde(default)]
    pub keep: Keep,
}

/// `ORDER BY keys [LIMIT n [OFFSET m]]` on the whole result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SortNode {
    /// Unique node id.
    pub id: String,
    /// Input node id.
    pub input: String,
    /// Ordering keys.
    pub order_by: Vec<SortKey>,
    /// Keep only this many rows (after `offset`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// Skip this many rows first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
}

/// Event time assigned mid-stream: each row is re-timed at its `column` (epoch milliseconds,
/// BIGINT, or a TIMESTAMP(3)/TIMESTAMP_LTZ(3)), and the watermark trails the largest time seen
/// by `delay_ms` (Flink's bounded out-of-orderness: after a row at `t`, the watermark is
/// `t - delay_ms - 1`; `t - delay_ms` when `sql` is set). A row behind the watermark, or
/// without a time, is not dropped: it is sent at the watermark with its column unchanged, and
/// the operators downstream decide whether it is late. In batch mode rows pass unchanged.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WatermarkNode {
    /// Unique node id.
    pub id: String,
    /// Input node id.
    pub input: String,
    /// The event-time column.
    pub column: String,
    /// How far, in milliseconds, rows may arrive out of order.
    #[serde(default)]
    pub delay_ms: u64,
    /// The watermark is declared in SQL (`WATERMARK FOR column AS column - INTERVAL ..`, as a
    /// Python `Schema` given to `from_data_stream` declares it): it is the largest time minus
    /// `delay_ms`, as Flink SQL computes it, not one millisecond less as the DataStream API's
    /// bounded out-of-orderness.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sql: bool,
}

/// A user process function over one or two inputs, partitioned by key: each input row is
/// handed to the function with its key's state; the function may register event-time and
/// processing-time timers and emits rows of its own schema. Inputs must be append-only.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcessNode {
    /// Unique node id.
    pub id: String,
    /// Input node ids (one; two for co-process functions).
    pub inputs: Vec<String>,
    /// The registered process function.
    pub function: String,
    /// Per input, the key expressions (the same number and types for every input).
    pub keys: Vec<Vec<Expr>>,
    /// The BYTES column holding each input row's record (the same name in every input).
    pub value: String,
    /// The BIGINT column holding each input row's timestamp (epoch milliseconds; nullable),
    /// when the inputs have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
}

/// DataStream windows (`KeyedStream.window(...).reduce / aggregate / apply / process`): the
/// input's records, partitioned by key, are put into windows by `assigner`; the registered
/// window function folds each window's elements and emits rows of its own schema when the
/// window fires. The input must be append-only.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StreamWindowNode {
    /// Unique node id.
    pub id: String,
    /// Input node id.
    pub input: String,
    /// The registered window function.
    pub function: String,
    /// The key expressions.
    pub key: Vec<Expr>,
    /// The BYTES column holding each row's record.
    pub value: String,
    /// The BIGINT column holding each row's timestamp (epoch milliseconds; nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// How records are put into windows.
    pub assigner: crate::udf::window::WindowAssigner,
    /// When windows fire (absent: the assigner's default trigger).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger: Option<crate::udf::window::WindowTrigger>,
    /// What removes elements from a window as it fires (absent: nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evictor: Option<crate::udf::window::WindowEvictor>,
    /// How long an event-time window's state is kept past its end (milliseconds).
    #[serde(default)]
    pub allowed_lateness_ms: u64,
}

/// Rows written to a connector (`print`, `blackhole`, `collect`, `filesystem`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SinkNode {
    /// Unique node id.
    pub id: String,
    /// Input node id.
    pub input: String,
    /// Connector name.
    pub connector: String,
    /// Connector options.
    #[serde(default)]
    pub options: BTreeMap<String, String>,
}

impl Node {
    /// The node's id.
    pub fn id(&self) -> &str {
        match self {
            Node::Source(n) => &n.id,
            Node::Values(n) => &n.id,
            Node::Filter(n) => &n.id,
            Node::Project(n) => &n.id,
            Node::FlatMap(n) => &n.id,
            Node::Window(n) => &n.id,
            Node::Over(n) => &n.id,
            Node::SortedOver(n) => &n.id,
            Node::Aggregate(n) => &n.id,
            Node::Join(n) => &n.id,
            Node::IntervalJoin(n) => &n.id,
            Node::Distinct(n) => &n.id,
            Node::Union(n) => &n.id,
            Node::TopN(n) => &n.id,
            Node::Deduplicate(n) => &n.id,
            Node::Sort(n) => &n.id,
            Node::Watermark(n) => &n.id,
            Node::Process(n) => &n.id,
            Node::StreamWindow(n) => &n.id,
            Node::Sink(n) => &n.id,
        }
    }

    /// The node kind as written in the spec (`source`, `filter`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Node::Source(_) => "source",
            Node::Values(_) => "values",
            Node::Filter(_) => "filter",
            Node::Project(_) => "project",
            Node::FlatMap(_) => "flat_map",
            Node::Window(_) => "window",
            Node::Over(_) => "over",
            Node::SortedOver(_) => "sorted_over",
            Node::Aggregate(_) => "aggregate",
            Node::Join(_) => "join",
            Node::IntervalJoin(_) => "interval_join",
            Node::Distinct(_) => "distinct",
            Node::Union(_) => "union",
            Node::TopN(_) => "top_n",
            Node::Deduplicate(_) => "deduplicate",
            Node::Sort(_) => "sort",
            Node::Watermark(_) => "watermark",
            Node::Process(_) => "process",
            Node::StreamWindow(_) => "stream_window",
            Node::Sink(_) => "sink",
        }
    }

    /// The node's id, to rename it.
    pub fn id_mut(&mut self) -> &mut String {
        match self {
            Node::Source(n) => &mut n.id,
            Node::Values(n) => &mut n.id,
            Node::Filter(n) => &mut n.id,
            Node::Project(n) => &mut n.id,
            Node::FlatMap(n) => &mut n.id,
            Node::Window(n) => &mut n.id,
            Node::Over(n) => &mut n.id,
            Node::SortedOver(n) => &mut n.id,
            Node::Aggregate(n) => &mut n.id,
            Node::Join(n) => &mut n.id,
            Node::IntervalJoin(n) => &mut n.id,
            Node::Distinct(n) => &mut n.id,
            Node::Union(n) => &mut n.id,
            Node::TopN(n) => &mut n.id,
            Node::Deduplicate(n) => &mut n.id,
            Node::Sort(n) => &mut n.id,
            Node::Watermark(n) => &mut n.id,
            Node::Process(n) => &mut n.id,
            Node::StreamWindow(n) => &mut n.id,
            Node::Sink(n) => &mut n.id,
        }
    }

    /// The ids of the nodes this one reads, to rewire it (same order as [`Node::inputs`]).
    pub fn inputs_mut(&mut self) -> Vec<&mut String> {
        match self {
            Node::Source(_) | Node::Values(_) => vec![],
            Node::Filter(n) => vec![&mut n.input],
            Node::Project(n) => vec![&mut n.input],
            Node::FlatMap(n) => vec![&mut n.input],
            Node::Window(n) => vec![&mut n.input],
            Node::Over(n) => vec![&mut n.input],
            Node::SortedOver(n) => vec![&mut n.input],
            Node::Aggregate(n) => vec![&mut n.input],
            Node::Join(n) => vec![&mut n.left, &mut n.right],
            Node::IntervalJoin(n) => vec![&mut n.left, &mut n.right],
            Node::Distinct(n) => vec![&mut n.input],
            Node::Union(n) => n.inputs.iter_mut().collect(),
            Node::TopN(n) => vec![&mut n.input],
            Node::Deduplicate(n) => vec![&mut n.input],
            Node::Sort(n) => vec![&mut n.input],
            Node::Watermark(n) => vec![&mut n.input],
            Node::Process(n) => n.inputs.iter_mut().collect(),
            Node::StreamWindow(n) => vec![&mut n.input],
            Node::Sink(n) => vec![&mut n.input],
        }
    }

    /// The ids of the nodes this one reads, with the spec field that names each.
    pub fn inputs(&self) -> Vec<(&'static str, &str)> {
        match self {
            Node::Source(_) | Node::Values(_) => vec![],
            Node::Filter(n) => vec![("input", &n.input)],
            Node::Project(n) => vec![("input", &n.input)],
            Node::FlatMap(n) => vec![("input", &n.input)],
            Node::Window(n) => vec![("input", &n.input)],
            Node::Over(n) => vec![("input", &n.input)],
            Node::SortedOver(n) => vec![("input", &n.input)],
            Node::Aggregate(n) => vec![("input", &n.input)],
            Node::Join(n) => vec![("left", &n.left), ("right", &n.right)],
            Node::IntervalJoin(n) => vec![("left", &n.left), ("right", &n.right)],
            Node::Distinct(n) => vec![("input", &n.input)],
            Node::Union(n) => n.inputs.iter().map(|i| ("inputs", i.as_str())).collect(),
            Node::TopN(n) => vec![("input", &n.input)],
            Node::Deduplicate(n) => vec![("input", &n.input)],
            Node::Sort(n) => vec![("input", &n.input)],
            Node::Watermark(n) => vec![("input", &n.input)],
            Node::Process(n) => n.inputs.iter().map(|i| ("inputs", i.as_str())).collect(),
            Node::StreamWindow(n) => vec![("input", n.input.as_str())],
            Node::Sink(n) => vec![("input", &n.input)],
        }
    }
}
