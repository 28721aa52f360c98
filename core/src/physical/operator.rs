//! The physical operators: what runs for each node of a validated plan, named as Flink's
//! optimized physical plan names them where Flink has the operator.

use crate::ops::{TumbleKey, WindowKey};

/// The operator chosen for one plan node. Each variant maps to exactly one `ops` function
/// (see `compile`); the choice between implementations is made once, by the planner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Operator {
    /// Reads a connector (or rows written in the spec).
    TableSourceScan,
    /// A filter or a projection, row by row.
    Calc,
    /// A Calc chained into the source it reads, directly or through other chained Calcs: the
    /// source operator computes it on each record it reads and sends only the rows that pass
    /// (`ops::SourceCalc`; Flink chains the Calc into the source task). It runs nothing of its
    /// own; EXPLAIN prints it as a `Calc`.
    ChainedCalc {
        /// The index of the source node that computes it.
        source: usize,
    },
    /// A table function applied to each row (LATERAL TABLE).
    Correlate,
    /// Assigns each row to its TUMBLE, HOP or CUMULATE windows.
    WindowTableFunction,
    /// Assigns each row to its SESSION window, on keyed state closed by the watermark.
    SessionWindowTableFunction,
    /// A window computed inside the aggregate reading it (see
    /// [`Operator::SessionWindowAggregate`], [`Operator::SlicedWindowAggregate`],
    /// [`Operator::TumbleWindowAggregate`]); it runs nothing of its own.
    Fused {
        /// The index of the node that computes it.
        into: usize,
    },
    /// A node merged into an earlier equal node by sub-plan reuse
    /// ([`merge_equal_subplans`](crate::plan::merge_equal_subplans)): its readers read that
    /// node; it runs nothing of its own.
    Reused {
        /// The index of the node that computes its rows.
        of: usize,
    },
    /// Aggregates over a frame of preceding rows (OVER), on keyed state.
    OverAggregate,
    /// OVER aggregates and LAG/LEAD over sorted partitions (batch), on a differential
    /// arrangement.
    SortedOverAggregate,
    /// A streaming GROUP BY on keyed state: each group's result updated (retracted and emitted
    /// again) as its input changes.
    GroupAggregate,
    /// A batch GROUP BY on differential arrangements (the keyed operator, run with one final
    /// watermark, does the same work with more state traffic).
    BatchGroupAggregate,
    /// A streaming GROUP BY with user (Python) aggregate functions on keyed state, each group's
    /// user accumulators pickled there beside its built-in ones: updated with every change.
    PythonGroupAggregate,
    /// A GROUP BY with user (Python) aggregate functions on a differential arrangement, the
    /// accumulators live Python objects in memory (batch, and streaming jobs whose state is
    /// neither checkpointed nor expired nor in RocksDB).
    ArrangedPythonGroupAggregate,
    /// An event-time window aggregate on keyed state: each window's result once, when the
    /// watermark passes its end (again for late rows within the allowed lateness).
    WindowAggregate,
    /// An event-time window aggregate with user (Python) aggregate functions on keyed state:
    /// the built-in aggregates per group and window updated per row, the user aggregates'
    /// arguments buffered until the window fires, then fed to fresh accumulators (pickled
    /// while an allowed lateness keeps the window).
    PythonGroupWindowAggregate,
    /// An event-time window aggregate with user (Python) aggregate functions on a differential
    /// arrangement, the accumulators live Python objects in memory: rows of closed windows are
    /// dropped before the aggregate, and its retractions of emitted windows after it (streaming
    /// jobs whose state is neither checkpointed nor in RocksDB).
    ArrangedPythonGroupWindowAggregate,
    /// A SESSION window and the aggregate over its bounds and partition keys in one keyed
    /// operator, keeping an accumulator per session instead of its rows.
    SessionWindowAggregate {
        /// The window node it computes.
        window: usize,
        /// What each group key of the aggregate is among the session's columns.
        keys: Vec<WindowKey>,
    },
    /// A HOP or CUMULATE window and the aggregate over its bounds in one keyed operator (event
    /// time, batch and streaming): partial aggregates per key and slice, merged into a window's
    /// result when the watermark passes its end (Flink's slicing window aggregate).
    SlicedWindowAggregate {
        /// The window node it computes.
        window: usize,
        /// What each group key of the aggregate is: a window bound or a partition key.
        keys: Vec<WindowKey>,
    },
    /// A TUMBLE window and the two-phase aggregate over its bounds (no DISTINCT, append-only
    /// input), the window computed by the local combiner (Flink's
    /// `LocalWindowAggregate(window=[TUMBLE(..)])`): it reads the window's input rows and
    /// derives each row's window bounds from its time column, building no window row. The
    /// global phase is [`Operator::WindowAggregate`]'s when `keyed` (streaming, event time),
    /// else [`Operator::BatchGroupAggregate`]'s (batch).
    TumbleWindowAggregate {
        /// The window node it computes.
        window: usize,
        /// What each group key of the aggregate is.
        keys: Vec<TumbleKey>,
        /// The global phase runs on keyed state, closed by the watermark.
        keyed: bool,
    },
    /// A streaming equi-join of two changing inputs on keyed state (for jobs whose state is
    /// checkpointed or may outgrow memory).
    Join,
    /// An equi-join of two changing inputs on differential arrangements (batch, and streaming
    /// jobs whose state stays in memory and is not checkpointed).
    ArrangedJoin,
    /// An inner equi-join of two bounded inputs (batch): both buffered unsorted until they end,
    /// then the one with fewer updates hashed and the other streamed through it (Flink's batch
    /// `HashJoin`).
    HashJoin,
    /// An inner equi-join of two insert-only inputs (streaming jobs whose state stays in memory
    /// and is not checkpointed): each input's rows in a hash table by key, each arriving row
    /// joined at once with the other input's (Flink's streaming `Join`).
    SymmetricHashJoin,
    /// An inner join of two inputs' windows, once per window when the watermark passes it.
    WindowJoin,
    /// A join on keys and an event-time interval, on keyed state.
    IntervalJoin,
    /// SELECT DISTINCT in streaming mode: a group aggregate over all columns without
    /// aggregates, on keyed state.
    Distinct,
    /// SELECT DISTINCT in batch mode, on a differential arrangement.
    BatchDistinct,
    /// Concatenation of inputs.
    Union,
    /// Top-N rows per partition, updated with every change, on keyed state (streaming).
    Rank,
    /// Top-N rows per partition and window on differential arrangements (batch window Top-N).
    ArrangedRank,
    /// Top-N rows per partition and window, once per window when the watermark passes it.
    WindowRank,
    /// The first or last row per key, on keyed state (as [`Operator::Rank`]).
    Deduplicate,
    /// ORDER BY [LIMIT] over the whole input.
    Sort,
    /// Re-times rows by an event-time column (a mid-stream watermark).
    WatermarkAssigner,
    /// A user process function with keyed state and timers.
    KeyedProcess {
        /// Event-time timers fire as the watermark passes them (streaming with event time);
        /// otherwise at the end of the input.
        event_time: bool,
    },
    /// DataStream windows: keyed window assignment, default triggers and a user window
    /// function (Flink's `WindowOperator`).
    WindowOperator {
        /// Event-time windows fire as the watermark passes them (streaming with event time);
        /// otherwise at the end of the input.
        event_time: bool,
    },
    /// Writes to a connector.
    Sink,
    /// A sink that writes nothing: it only has to see all of its input.
    DiscardSink,
}

impl Operator {
    /// For a window computed inside the aggregate reading it ([`Operator::Fused`]), the index
    /// of that aggregate.
    pub fn fused_into(&self) -> Option<usize> {
        match *self {
            Operator::Fused { into } => Some(into),
            _ => None,
        }
    }

    /// The operator's name as EXPLAIN prints it (Flink's name where Flink has the operator).
    pub fn name(&self) -> &'static str {
        match self {
            Operator::TableSourceScan => "TableSourceScan",
            Operator::Calc | Operator::ChainedCalc { .. } => "Calc",
            Operator::Correlate => "Correlate",
            Operator::WindowTableFunction | Operator::SessionWindowTableFunction => "WindowTableFunction",
            Operator::Fused { .. } => "Fused",
            Operator::Reused { .. } => "Reused",
            Operator::OverAggregate | Operator::SortedOverAggregate => "OverAggregate",
            Operator::GroupAggregate | Operator::BatchGroupAggregate | Operator::Distinct | Operator::BatchDistinct => "GroupAggregate",
            Operator::PythonGroupAggregate | Operator::ArrangedPythonGroupAggregate => "PythonGroupAggregate",
            Operator::WindowAggregate
            | Operator::SessionWindowAggregate { .. }
            | Operator::SlicedWindowAggregate { .. }
            | Operator::TumbleWindowAggregate { .. } => "WindowAggregate",
            Operator::PythonGroupWindowAggregate | Operator::ArrangedPythonGroupWindowAggregate => "PythonGroupWindowAggregate",
            Operator::Join | Operator::ArrangedJoin | Operator::SymmetricHashJoin => "Join",
            Operator::HashJoin => "HashJoin",
            Operator::WindowJoin => "WindowJoin",
            Operator::IntervalJoin => "IntervalJoin",
            Operator::Union => "Union",
            Operator::Rank | Operator::ArrangedRank => "Rank",
            Operator::WindowRank => "WindowRank",
            Operator::Deduplicate => "Deduplicate",
            Operator::Sort => "Sort",
            Operator::WatermarkAssigner => "WatermarkAssigner",
            Operator::KeyedProcess { .. } => "KeyedProcess",
            Operator::WindowOperator { .. } => "WindowOperator",
            Operator::Sink | Operator::DiscardSink => "Sink",
        }
    }

    /// Whether the operator keeps its state in the job's keyed state backend (`weir-state`,
    /// in memory or RocksDB) rather than in differential arrangements (always in memory).
    pub fn keyed(&self) -> bool {
        matches!(
            self,
            Operator::SessionWindowTableFunction
                | Operator::GroupAggregate
                | Operator::PythonGroupAggregate
                | Operator::Distinct
                | Operator::Join
                | Operator::Rank
                | Operator::Deduplicate
                | Operator::OverAggregate
                | Operator::WindowAggregate
                | Operator::PythonGroupWindowAggregate
                | Operator::SessionWindowAggregate { .. }
                | Operator::SlicedWindowAggregate { .. }
                | Operator::TumbleWindowAggregate { keyed: true, .. }
                | Operator::WindowJoin
                | Operator::IntervalJoin
                | Operator::WindowRank
                | Operator::KeyedProcess { .. }
                | Operator::WindowOperator { .. }
        )
    }
}
