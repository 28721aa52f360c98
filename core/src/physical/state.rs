//! The state each physical operator keeps, and where.

use std::fmt;

use crate::plan::StateBackendSetting;

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
}

impl fmt::Display for OperatorState {
    /// `holds @ store`, e.g. `accumulators per group @ arrangement`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let store = match self.store {
            StateStore::Arrangement => "arrangement",
            StateStore::Buffer => "memory",
            StateStore::KeyedMemory => "hashmap",
            StateStore::KeyedRocksDb => "rocksdb",
        };
        write!(f, "{} @ {store}", self.holds)
    }
}

/// The state `operator` keeps under the job's `backend` setting (`None`: stateless).
pub fn state_of(operator: &Operator, backend: &StateBackendSetting) -> Option<OperatorState> {
    let holds = match operator {
        Operator::TableSourceScan
        | Operator::Calc
        | Operator::Correlate
        | Operator::WindowTableFunction
        | Operator::Fused { .. }
        | Operator::Union
        | Operator::WatermarkAssigner
        | Operator::DiscardSink => return None,
        Operator::SessionWindowTableFunction => "rows of open sessions per key",
        Operator::OverAggregate => "rows of the frame per partition",
        Operator::SortedOverAggregate => "rows per partition",
        Operator::GroupAggregate => "accumulators per group",
        Operator::BatchGroupAggregate => "input rows and accumulators per group",
        Operator::PythonGroupAggregate => "input rows and user accumulators per group",
        Operator::WindowAggregate => "accumulators per key and window",
        Operator::PythonGroupWindowAggregate => "input rows and user accumulators per key and window",
        Operator::SessionWindowAggregate { .. } => "accumulators per key and session",
        Operator::Join | Operator::ArrangedJoin => "rows of both inputs per key",
        Operator::WindowJoin => "rows of both inputs per key and window",
        Operator::IntervalJoin => "rows of both inputs within the interval per key",
        Operator::Distinct | Operator::BatchDistinct => "distinct rows",
        Operator::Rank | Operator::ArrangedRank => "rows per partition",
        Operator::WindowRank => "rows per partition and window",
        Operator::Deduplicate | Operator::ArrangedDeduplicate => "rows per key",
        Operator::Sort => "all rows",
        Operator::KeyedProcess { .. } => "user state and timers per key",
        Operator::WindowOperator { .. } => "window contents (accumulators or elements) per key and window",
        Operator::Sink => "changes until their time is complete",
    };
    let store = match (operator.keyed(), backend) {
        (false, _) if *operator == Operator::Sink => StateStore::Buffer,
        (false, _) => StateStore::Arrangement,
        (true, StateBackendSetting::Memory) => StateStore::KeyedMemory,
        (true, StateBackendSetting::RocksDb { .. }) => StateStore::KeyedRocksDb,
    };
    Some(OperatorState { holds, store })
}
