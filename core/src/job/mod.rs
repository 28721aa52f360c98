//! What the workers of one running job share, below the operators that use it: the job
//! context (mode, cancellation, the first error, where sinks write, the state backend), the
//! per-operator metrics, the watermarks of event-time source splits, and the checkpoints.
//!
//! Operators (`ops`) and the compiler (`compile`) read this module; the runtime (`runtime`)
//! creates it for each job and drives the workers.

mod checkpoint;
mod checkpoint_stats;
mod context;
mod key_groups;
mod metrics;
mod splits;

mod rescale;
mod reused_nodes;
mod savepoint;
pub use checkpoint::{CheckpointConfig, CheckpointCounts, Checkpoints, CompletedCheckpoint, Contribution, find_checkpoint};
pub use checkpoint_stats::{
    CheckpointRecord, CheckpointStats, CheckpointStatsSnapshot, CheckpointStatus, CheckpointSummary, DEFAULT_HISTORY, FigureSummary, RestoredCheckpoint,
    TaskCheckpoint, task_of,
};
pub use context::{CancelToken, JobContext};
pub use key_groups::{DEFAULT_KEY_GROUPS, KeyGroups, MAX_KEY_GROUPS};
pub use metrics::{JobMetrics, OperatorMetrics, OperatorMetricsSnapshot};
pub use rescale::{restored_key_groups, sink_participant, source_participant, state_participant};
pub use savepoint::{SavepointRequest, SavepointState};
pub use splits::{SplitMark, SplitWatermarks};
