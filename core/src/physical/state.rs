//! The state each physical operator keeps, and where.

use std::fmt;

use crate::plan::{PlanNode, PlanOp, StateBackendSetting, two_phase};

use super::operator::Operator;

/// Where an operator's state lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateStore {
    /// Differential arrangements, in memory.
    Arrangement,
    /// A buffer of the operator's own, in memory.
    Buffer,
    /// The job's keyed state backend: in memory (Flink's `hashmap`).
    KeyedMemory,
    /// The job's keyed state backend: RocksDB.
    KeyedRocksDb,
}

/// What an operator keeps between records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperatorState {
    /// What the state holds, in a few words.
    pub holds: &'static str,
    /// Where.
    pub store: StateStore,
    /// How long the state of each input lives without writes, in milliseconds (`None`: for
    /// ever), when the node sets a time-to-live of its own (a `STATE_TTL` hint) and the
    /// operator applies it; empty otherwise (the job's `table.exec.state.ttl`, if any, holds).
    pub own_ttl_ms: Vec<Option<u64>>,
}

impl OperatorState {
    /// The state with the node's own time-to-live per input, where `operator` applies one (the
    /// streaming group aggregate, DISTINCT and join on keyed state); inputs the node leaves
    /// unset get the job's `job_ttl_ms`.
    pub fn with_own_ttl(mut self, node: &PlanNode, operator: &Operator, job_ttl_ms: Option<u64>) -> OperatorState {
        if node.has_own_state_ttl() && matches!(operator, Operator::GroupAggregate | Operator::Distinct | Operator::Join) {
            self.own_ttl_ms = (0..node.inputs.len()).map(|input| node.state_ttl_ms(input, job_ttl_ms)).collect();
        }
        self
    }
}

impl OperatorState {
    /// The state of `node` run by `operator` when that is a batch GROUP BY in two phases, whose
    /// global phase merges the partials on a hash table (`ops::hash_aggregate`): its
    /// accumulators per group, in memory of its own; otherwise `self`.
    pub fn with_partials_merged(self, node: &PlanNode, operator: &Operator, inputs_insert_only: bool) -> OperatorState {
        match (operator, &node.op) {
            (Operator::BatchGroupAggregate, PlanOp::Aggregate { aggregates, .. }) if two_phase(aggregates, inputs_insert_only) => {
                OperatorState { holds: "accumulators per group", store: StateStore::Buffer, ..self }
            }
            _ => self,
        }
    }
}

impl fmt::Display for OperatorState {
    /// `holds @ store`, e.g. `accumulators per group @ arrangement`, then the node's own
    /// time-to-live: `, ttl=1 d`, or per input of a join `, ttl=[left=1 d, right=off]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let store = match self.store {
            StateStore::Arrangement => "arrangement",
            StateStore::Buffer => "memory",
            StateStore::KeyedMemory => "hashmap",
            StateStore::KeyedRocksDb => "rocksdb",
        };
        write!(f, "{} @ {store}", self.holds)?;
        match self.own_ttl_ms.as_slice() {
            [] => Ok(()),
            [one] => write!(f, ", ttl={}", ttl_text(*one)),
            [left, right] => write!(f, ", ttl=[left={}, right={}]", ttl_text(*left), ttl_text(*right)),
            many => write!(f, ", ttl=[{}]", many.iter().map(|t| ttl_text(*t)).collect::<Vec<_>>().join(", ")),
        }
    }
}

/// A time-to-live in milliseconds as Flink prints durations, in its largest whole unit (`1 d`,
/// `12 h`, `10 min`, `5 s`, `1500 ms`); `off` for none (state kept for ever).
pub fn ttl_text(ms: Option<u64>) -> String {
    let Some(ms) = ms else { return "off".into() };
    let units = [(86_400_000, "d"), (3_600_000, "h"), (60_000, "min"), (1_000, "s")];
    match units.iter().find(|(size, _)| ms % size == 0) {
        Some((size, unit)) => format!("{} {unit}", ms / size),
        None => format!("{ms} ms"),
    }
}

/// The state `operator` keeps under the job's `backend` setting (`None`: stateless).
pub fn state_of(operator: &Operator, backend: &StateBackendSetting) -> Option<OperatorState> {
    let holds = match operator {
        Operator::TableSourceScan
        | Operator::Calc
        | Operator::ChainedCalc { .. }
        | Operator::Correlate
        | Operator::WindowTableFunction
        | Operator::Fused { .. }
        | Operator::Reused { .. }
        | Operator::Union
        | Operator::WatermarkAssigner
        | Operator::DiscardSink => return None,
        Operator::SessionWindowTableFunction => "rows of open sessions per key",
        Operator::OverAggregate => "rows of the frame per partition",
        Operator::SortedOverAggregate => "rows per partition",
        Operator::GroupAggregate => "accumulators per group",
        Operator::BatchGroupAggregate => "input rows and accumulators per group",
        Operator::PythonGroupAggregate => "accumulators per group (user ones pickled)",
        Operator::ArrangedPythonGroupAggregate => "input rows and user accumulators per group",
        Operator::WindowAggregate | Operator::TumbleWindowAggregate { keyed: true, .. } => "accumulators per key and window",
        Operator::TumbleWindowAggregate { keyed: false, .. } => "accumulators per key and window",
        Operator::PythonGroupWindowAggregate => "accumulators per key and window (user ones pickled), user arguments until it fires",
        Operator::ArrangedPythonGroupWindowAggregate => "input rows and user accumulators per key and window",
        Operator::SessionWindowAggregate { .. } => "accumulators per key and session",
        Operator::SlicedWindowAggregate { .. } => "accumulators per key and slice",
        Operator::Join | Operator::ArrangedJoin | Operator::SymmetricHashJoin => "rows of both inputs per key",
        Operator::HashJoin => "rows of both inputs until they end",
        Operator::WindowJoin => "rows of both inputs per key and window",
        Operator::IntervalJoin => "rows of both inputs within the interval per key",
        Operator::Distinct | Operator::BatchDistinct => "distinct rows",
        Operator::Rank | Operator::ArrangedRank => "rows per partition",
        Operator::WindowRank => "rows per partition and window",
        Operator::Deduplicate => "rows per key",
        Operator::Sort => "all rows",
        Operator::KeyedProcess { .. } => "user state and timers per key",
        Operator::WindowOperator { .. } => "window contents (accumulators or elements) per key and window",
        Operator::Sink => "changes until their time is complete",
    };
    let store = match (operator.keyed(), backend) {
        (false, _)
            if matches!(operator, Operator::Sink | Operator::HashJoin | Operator::SymmetricHashJoin | Operator::TumbleWindowAggregate { keyed: false, .. }) =>
        {
            StateStore::Buffer
        }
        (false, _) => StateStore::Arrangement,
        (true, StateBackendSetting::Memory) => StateStore::KeyedMemory,
        (true, StateBackendSetting::RocksDb { .. }) => StateStore::KeyedRocksDb,
    };
    Some(OperatorState { holds, store, own_ttl_ms: Vec::new() })
}
