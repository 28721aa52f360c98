//! The validated, typed plan the compiler consumes: inputs resolved to positions, expressions
//! bound, every node's output schema known.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::connectors::{Options, SinkFactory, SourceFactory};
use crate::expr::{BindContext, BoundExpr};
use crate::types::{DataType, Schema};

use super::spec::{AggregateFunction, JoinType, Keep, Node, OverFrame, RankType, WindowKind};

/// Whether a job computes final results of bounded input or a continuous changelog.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RuntimeMode {
    /// Bounded input; only final rows are emitted (`+I`).
    Batch,
    /// Results are a changelog, emitted as input arrives.
    #[default]
    Streaming,
}

impl std::str::FromStr for RuntimeMode {
    type Err = String;

    /// `batch` or `streaming`, in any case (Flink's `execution.runtime-mode` values); the error
    /// says what was expected.
    fn from_str(text: &str) -> Result<RuntimeMode, String> {
        match text.to_ascii_lowercase().as_str() {
            "batch" => Ok(RuntimeMode::Batch),
            "streaming" => Ok(RuntimeMode::Streaming),
            _ => Err(format!("expected 'batch' or 'streaming', found '{text}'")),
        }
    }
}

/// Job-wide settings read from the spec's `config`.
#[derive(Clone, Debug, Default)]
pub struct JobConfig {
    /// `execution.runtime-mode`.
    pub mode: Option<RuntimeMode>,
    /// `parallelism.default`: number of workers.
    pub parallelism: Option<usize>,
    /// `pipeline.max-parallelism`: the number of key groups keyed state is partitioned into,
    /// the most workers a checkpoint of the job can be restored into (`None`: that of the
    /// restored checkpoint, else 128).
    pub max_parallelism: Option<u32>,
    /// Expression settings (`table.local-time-zone`).
    pub bind: BindContext,
    /// `state.backend.type` (and `state.backend.rocksdb.localdir`): where keyed state lives.
    pub state_backend: StateBackendSetting,
    /// `table.exec.source.idle-timeout` in milliseconds (None: off), for event-time sources
    /// without their own `scan.watermark.idle-timeout`.
    pub source_idle_timeout_ms: Option<u64>,
    /// `table.exec.state.ttl` in milliseconds (`None`: state is kept for ever, Flink's `0 ms`):
    /// the streaming group aggregate, join, Top-N and deduplication forget the state of a key
    /// not written for that long.
    pub state_ttl_ms: Option<u64>,
    /// `table.exec.emit.allow-lateness` in milliseconds: how long event-time window
    /// aggregates keep a window after its end to re-fire it for late rows (0: not at all).
    pub allowed_lateness_ms: u64,
    /// Size and depth limits (`table.exec.sql.max-expression-depth`, `table.exec.plan.max-nodes`, ...).
    pub limits: super::Limits,
    /// `execution.checkpointing.*`: how streaming runs take checkpoints (`None`: they do not).
    pub checkpointing: Option<super::checkpointing::CheckpointSettings>,
    /// `execution.state-recovery.path` (`weir run -s`): the checkpoint the job starts from.
    pub restore_from: Option<std::path::PathBuf>,
    /// `restart-strategy.*`: what the job does when it fails while running.
    pub restart: super::restart::RestartStrategy,
    /// `table.optimizer.reuse-sub-plan-enabled` and `table.optimizer.reuse-source-enabled`:
    /// which equal nodes are merged into one ([`merge_equal_subplans`](super::merge_equal_subplans)).
    pub reuse: super::ReuseSettings,
    /// All settings as given.
    pub raw: BTreeMap<String, String>,
}

/// Where the keyed state of stateful operators (windows, OVER, interval joins) lives.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum StateBackendSetting {
    /// In memory (`hashmap`, Flink's heap backend). The default.
    #[default]
    Memory,
    /// In RocksDB, for state larger than memory; one database per operator and worker under
    /// `dir` (a fresh temporary directory, removed at the end of the job, when not given).
    RocksDb {
        /// `state.backend.rocksdb.localdir`.
        dir: Option<std::path::PathBuf>,
    },
}

/// One ordering key, bound.
#[derive(Clone, Debug)]
pub struct BoundSortKey {
    /// The value ordered by.
    pub expr: BoundExpr,
    /// Descending order.
    pub descending: bool,
    /// NULLs before non-NULLs.
    pub nulls_first: bool,
}

/// One LAG/LEAD call, bound.
#[derive(Clone, Debug)]
pub struct BoundOffset {
    /// LEAD rather than LAG.
    pub lead: bool,
    /// The value taken from the other row.
    pub arg: BoundExpr,
    /// How many rows away.
    pub offset: u64,
    /// The value when there is no such row (of `output_type`).
    pub default: Option<BoundExpr>,
    /// The result type: the argument's.
    pub output_type: DataType,
}

/// One aggregate, bound: its function, argument and result type.
#[derive(Clone, Debug)]
pub struct BoundAggregate {
    /// The function.
    pub function: AggregateFunction,
    /// The argument (`None` for `COUNT(*)`).
    pub arg: Option<BoundExpr>,
    /// Aggregate distinct argument values only.
    pub distinct: bool,
    /// Only rows where this is TRUE count.
    pub filter: Option<BoundExpr>,
    /// The result type.
    pub output_type: DataType,
}

/// Whether a GROUP BY of `aggregates` over an input that is insert-only or not
/// (`inputs_insert_only`) runs in two phases, a local combiner per worker then a global merge of
/// its partials: only over an append-only input, and with no DISTINCT aggregate, whose values
/// must meet in one place.
pub fn two_phase(aggregates: &[BoundAggregate], inputs_insert_only: bool) -> bool {
    inputs_insert_only && !aggregates.iter().any(|a| a.distinct)
}

/// One user aggregate, bound: the function, its arguments and result type.
#[derive(Clone)]
pub struct BoundUserAggregate {
    /// The function.
    pub function: Arc<dyn crate::udf::UserAggregateFunction>,
    /// The arguments, converted to the function's parameter types.
    pub args: Vec<BoundExpr>,
    /// The result type.
    pub output_type: DataType,
}

impl std::fmt::Debug for BoundUserAggregate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoundUserAggregate").field("function", &self.function.name()).field("args", &self.args).field("output_type", &self.output_type).finish()
    }
}

/// What a validated node computes.
#[derive(Clone)]
pub enum PlanOp {
    /// Rows from a connector.
    Source {
        /// Connector name.
        connector: String,
        /// The configured connector.
        factory: Arc<dyn SourceFactory>,
        /// Event time and its watermark, when declared.
        watermark: Option<SourceWatermark>,
        /// The computed columns the factory appends after the physical ones, bound against
        /// those (the factory evaluates them; kept here to be shown and to find `PROCTIME()`).
        computed: Vec<BoundExpr>,
        /// The columns the source builds, ascending, when the plan's readers use fewer than
        /// all (the rest are NULL, neither parsed nor generated; `factory` builds only these):
        /// set by [`push_projections`](super::push_projections), `None` before it or when
        /// every column is used or the connector cannot leave columns out.
        projection: Option<Vec<usize>>,
        /// The connector options the scan was configured with: two scans with the same
        /// connector, options, schema and watermark read the same rows, and sub-plan reuse
        /// merges them. `None` for rows written in the spec (`values`), never merged.
        options: Option<crate::connectors::Options>,
    },
    /// Keep rows where the predicate is TRUE.
    Filter {
        /// A BOOLEAN expression over the input.
        predicate: BoundExpr,
    },
    /// Compute the output columns.
    Project {
        /// One expression per output column.
        exprs: Vec<BoundExpr>,
    },
    /// Append the rows of a table function (LATERAL TABLE).
    FlatMap {
        /// The table function, bound to its arguments.
        function: crate::expr::BoundTableFunction,
        /// Keep rows it returns nothing for, padded with NULLs (a left lateral join).
        outer: bool,
    },
    /// Assign rows to windows (TUMBLE, HOP, CUMULATE, SESSION).
    Window {
        /// Which windows (for SESSION, `size_ms` is the gap).
        window: WindowSpec,
        /// The input column windowed by.
        time_column: usize,
        /// SESSION: the input columns partitioning the sessions.
        partition_by: Vec<usize>,
    },
    /// Aggregates over a frame of preceding rows, appended to each row (OVER).
    Over {
        /// Partition keys.
        partition_by: Vec<BoundExpr>,
        /// The event-time column ordered by.
        time_column: usize,
        /// The frame.
        frame: OverFrame,
        /// The aggregates.
        aggregates: Vec<BoundAggregate>,
        /// The LAG calls, output after the aggregates.
        offsets: Vec<BoundOffset>,
        /// `time_column` is the input's event-time column (needed in streaming mode).
        event_time: bool,
    },
    /// OVER aggregates, LAG/LEAD and row numbers over sorted (or whole) partitions: batch mode only.
    SortedOver {
        /// Partition keys.
        partition_by: Vec<BoundExpr>,
        /// Order within a partition (empty: none).
        order_by: Vec<BoundSortKey>,
        /// The aggregates' frame (`None`: the whole partition).
        frame: Option<OverFrame>,
        /// The aggregates.
        aggregates: Vec<BoundAggregate>,
        /// The LAG/LEAD calls, output after the aggregates.
        offsets: Vec<BoundOffset>,
        /// The row-numbering calls, output after the offsets.
        ranks: Vec<RankType>,
    },
    /// GROUP BY.
    Aggregate {
        /// Grouping keys over the input.
        group_by: Vec<BoundExpr>,
        /// Aggregates.
        aggregates: Vec<BoundAggregate>,
        /// User aggregates (output after `aggregates`).
        user_aggregates: Vec<BoundUserAggregate>,
        /// Set when grouping by a window's start and end: a window aggregate.
        window: Option<WindowAggregate>,
    },
    /// Equi-join with residual condition.
    Join {
        /// Which rows to keep.
        join_type: JoinType,
        /// Keys over the left input, cast to the common key types.
        left_keys: Vec<BoundExpr>,
        /// Keys over the right input, cast to the common key types.
        right_keys: Vec<BoundExpr>,
        /// Condition over left columns followed by right columns.
        condition: Option<BoundExpr>,
        /// Number of left columns.
        left_width: usize,
        /// Number of right columns.
        right_width: usize,
        /// Set when both inputs are event-time windows joined on equal `window_start` and
        /// `window_end`: a window join, whose rows are joined once per window when the
        /// watermark passes its end, and then forgotten.
        window: Option<WindowJoin>,
    },
    /// Inner join of append-only inputs on keys and an event-time interval.
    IntervalJoin {
        /// Keys over the left input, cast to the common key types.
        left_keys: Vec<BoundExpr>,
        /// Keys over the right input, cast to the common key types.
        right_keys: Vec<BoundExpr>,
        /// The left event-time column.
        left_time: usize,
        /// The right event-time column (index into the right input).
        right_time: usize,
        /// Smallest `right time - left time` that joins (ms).
        lower_ms: i64,
        /// Largest `right time - left time` that joins (ms).
        upper_ms: i64,
        /// Condition over left columns followed by right columns.
        condition: Option<BoundExpr>,
        /// Inner, or which sides' unmatched rows go out padded with NULLs.
        join_type: JoinType,
        /// The left and right inputs' column counts (the padding of an unmatched row).
        widths: (usize, usize),
        /// Both time columns are their inputs' event-time columns (needed in streaming mode).
        event_time: bool,
    },
    /// Remove duplicates.
    Distinct,
    /// Concatenate; `casts[i]` converts input `i` to the output types when needed.
    Union {
        /// Per input, a projection to the output types, or `None` when types already match.
        casts: Vec<Option<Vec<BoundExpr>>>,
    },
    /// First `limit` rows per partition.
    TopN {
        /// Partition keys.
        partition_by: Vec<BoundExpr>,
        /// Order within a partition.
        order_by: Vec<BoundSortKey>,
        /// The last rank kept per partition (rankEnd).
        limit: u64,
        /// The first rank kept (rankStart, at least 1).
        rank_start: u64,
        /// How rows are ranked.
        rank_type: RankType,
        /// Whether a row-number column is appended.
        row_number: bool,
        /// Set when the partitions include an event-time window's start and end: a window
        /// Top-N, ranked once per window when the watermark passes its end; the `window_end`
        /// input column.
        window_end: Option<usize>,
    },
    /// First/last row per key.
    Deduplicate {
        /// The key.
        key: Vec<BoundExpr>,
        /// The ordering column.
        order_by: BoundExpr,
        /// Which row to keep.
        keep: Keep,
        /// The first row by a processing-time attribute of an append-only input: the first
        /// row of a key to arrive, which stays (insert-only output, as Flink's).
        first_arrival: bool,
    },
    /// ORDER BY [LIMIT/OFFSET] over the whole input.
    Sort {
        /// Ordering keys.
        order_by: Vec<BoundSortKey>,
        /// Rows kept after the offset.
        limit: Option<u64>,
        /// Rows skipped.
        offset: u64,
    },
    /// Re-time rows by an event-time column (a mid-stream watermark).
    Watermark {
        /// The BIGINT / TIMESTAMP(3) / TIMESTAMP_LTZ(3) event-time column.
        column: usize,
        /// Bounded out-of-orderness in milliseconds.
        delay_ms: u64,
        /// Flink SQL's watermark (the largest time minus `delay_ms`), not the DataStream
        /// API's (one millisecond less).
        sql: bool,
    },
    /// A user process function with keyed state and timers.
    Process {
        /// The function.
        function: Arc<dyn crate::udf::process::UserProcessFunction>,
        /// Per input, its key expressions (cast to common types).
        keys: Vec<Vec<BoundExpr>>,
        /// Per input, its BYTES record column.
        values: Vec<usize>,
        /// Per input, its BIGINT timestamp column, if any.
        timestamps: Vec<Option<usize>>,
        /// Every input is timed by event time (a watermark upstream), so the frontier is the
        /// watermark; otherwise event-time timers fire at the end of the input.
        event_time: bool,
    },
    /// DataStream windows run by a user window function.
    StreamWindow {
        /// The function.
        function: Arc<dyn crate::udf::window::UserWindowFunction>,
        /// The key expressions.
        key: Vec<BoundExpr>,
        /// The BYTES record column.
        value: usize,
        /// The BIGINT timestamp column, if any.
        timestamp: Option<usize>,
        /// How records are put into windows.
        assigner: crate::udf::window::WindowAssigner,
        /// When windows fire (`None`: the assigner's default trigger).
        trigger: Option<crate::udf::window::WindowTrigger>,
        /// What removes elements from a window as it fires.
        evictor: Option<crate::udf::window::WindowEvictor>,
        /// How long an event-time window's state is kept past its end (milliseconds).
        allowed_lateness_ms: u64,
        /// The input is timed by event time (a watermark upstream).
        event_time: bool,
    },
    /// Write to a connector.
    Sink {
        /// Connector name.
        connector: String,
        /// Connector options.
        options: Options,
        /// The configured connector.
        sink: Arc<dyn SinkFactory>,
    },
}

/// A source's event time: rows are timed by a column, and lag at most `delay_ms` behind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SourceWatermark {
    /// The TIMESTAMP(3)/TIMESTAMP_LTZ(3) column.
    pub column: usize,
    /// Bounded out-of-orderness in milliseconds.
    pub delay_ms: u64,
    /// After this many milliseconds without rows a split is idle: it stops holding back the
    /// watermark (`scan.watermark.idle-timeout`, `table.exec.source.idle-timeout`).
    pub idle_timeout_ms: Option<u64>,
}

/// Which windows a row falls in: `TUMBLE(size)`, `HOP(slide, size)`, `CUMULATE(step, size)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowSpec {
    /// The kind of window.
    pub kind: WindowKind,
    /// Window length in milliseconds (> 0).
    pub size_ms: u64,
    /// HOP: the slide; CUMULATE: the step (divides `size_ms`); TUMBLE: the size.
    pub slide_ms: u64,
    /// How far window starts shift from the epoch, in milliseconds (0: aligned to it).
    pub offset_ms: i64,
}

/// Event-time columns a node's rows carry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimeColumns {
    /// The column holding each row's event time, when the rows descend from a watermarked
    /// source and the column was passed through unchanged (a time attribute, in Flink's words).
    pub rowtime: Option<usize>,
    /// The `window_start` and `window_end` columns of a window node, passed through unchanged.
    pub window: Option<WindowColumns>,
}

/// Where a window node's bounds are among a node's columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowColumns {
    /// `window_start`.
    pub start: usize,
    /// `window_end`.
    pub end: usize,
    /// The windows were assigned on event time (the rowtime column): they close as the
    /// watermark passes their end.
    pub event_time: bool,
}

/// The `window_end` columns of a window join's inputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowJoin {
    /// `window_end` among the left columns.
    pub left_end: usize,
    /// `window_end` among the right columns.
    pub right_end: usize,
}

/// A GROUP BY over a window's start and end, which emits each window's rows once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowAggregate {
    /// The input column holding `window_end`.
    pub end_column: usize,
    /// The position of `window_end` among the group keys.
    pub end_key: usize,
    /// Windows close with the watermark (event time): in streaming mode each window's result
    /// is emitted once, when the watermark passes its end, and its state is dropped after.
    pub event_time: bool,
    /// `table.exec.emit.allow-lateness` in ms: how long after its end a window's state is
    /// kept so that late rows update (re-fire) its result; 0: the result is final at the end.
    pub lateness_ms: u64,
}

/// A validated node.
#[derive(Clone)]
pub struct PlanNode {
    /// The node's id in the spec.
    pub id: String,
    /// Its position in the spec's `nodes`.
    pub index: usize,
    /// Positions of its input nodes.
    pub inputs: Vec<usize>,
    /// Its output columns.
    pub schema: Schema,
    /// What it computes.
    pub op: PlanOp,
    /// Output columns that identify a row among the current results (a group key), used to
    /// pair a retraction with an insertion into `-U`/`+U`.
    pub unique_key: Option<Vec<usize>>,
    /// The node only ever inserts rows (sources, and filters/projections/unions/inner joins of
    /// such nodes): its consumers may use plans that cannot undo an insertion.
    pub append_only: bool,
    /// The order its rows must be presented in (a `sort` node), if any.
    pub ordering: Option<Vec<BoundSortKey>>,
    /// Its event-time and window columns.
    pub time: TimeColumns,
    /// Its own state time-to-live per input (a join's left and right rows; an aggregate's
    /// groups), in milliseconds, `Some(0)` keeping state for ever: a `STATE_TTL` hint, in place
    /// of `table.exec.state.ttl`. Empty (or `None`) where the job's setting holds.
    pub own_state_ttl_ms: Vec<Option<u64>>,
    /// Set by sub-plan reuse ([`merge_equal_subplans`](super::merge_equal_subplans)): the
    /// earlier node that computes the same rows, which this node's readers read instead. The
    /// node then has no inputs and no readers and runs nothing; it keeps its place so that
    /// the positions of the nodes after it stay as they were.
    pub reused_as: Option<usize>,
}

impl PlanNode {
    /// How long the state of input `input` lives without writes, in milliseconds (`None`:
    /// for ever): the node's own time-to-live, else the job's `job_ttl_ms`.
    pub fn state_ttl_ms(&self, input: usize, job_ttl_ms: Option<u64>) -> Option<u64> {
        match self.own_state_ttl_ms.get(input).copied().flatten() {
            Some(0) => None,
            Some(ms) => Some(ms),
            None => job_ttl_ms,
        }
    }

    /// Whether the node sets a state time-to-live of its own for some input.
    pub fn has_own_state_ttl(&self) -> bool {
        self.own_state_ttl_ms.iter().any(Option::is_some)
    }
}

/// The state time-to-live a spec node sets for its inputs (see [`PlanNode::own_state_ttl_ms`]).
pub(super) fn own_state_ttl_ms(node: &Node) -> Vec<Option<u64>> {
    match node {
        Node::Join(j) => vec![j.left_state_ttl_ms, j.right_state_ttl_ms],
        Node::Aggregate(a) => vec![a.state_ttl_ms],
        Node::Distinct(d) => vec![d.state_ttl_ms],
        _ => Vec::new(),
    }
}

/// A job ready to compile: nodes in dependency order, all checked.
#[derive(Clone)]
pub struct ValidatedPlan {
    /// The job's name.
    pub name: Option<String>,
    /// Settings.
    pub config: JobConfig,
    /// Nodes in spec order (every input before its readers).
    pub nodes: Vec<PlanNode>,
}

impl ValidatedPlan {
    /// The node with this id.
    pub fn node(&self, id: &str) -> Option<&PlanNode> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// The sink nodes.
    pub fn sinks(&self) -> impl Iterator<Item = &PlanNode> {
        self.nodes.iter().filter(|n| matches!(n.op, PlanOp::Sink { .. }))
    }
}
