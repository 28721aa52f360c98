//! The JSON shapes of Flink's checkpoint statistics (`CheckpointingStatistics`,
//! `CheckpointStatistics`, `TaskCheckpointStatistics`, `CheckpointConfigInfo`), built from the
//! core's [`CheckpointStatsSnapshot`]. Weir has no network buffers and no unaligned
//! checkpoints: the alignment and in-flight data figures are 0, as Flink reports them for
//! aligned checkpoints of a job without back pressure.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;
use weir_core::job::{CheckpointRecord, CheckpointStatsSnapshot, CheckpointStatus, FigureSummary, RestoredCheckpoint, TaskCheckpoint};

use crate::server::registry::JobRecord;

/// How many checkpoints a job has taken, by outcome.
#[derive(Serialize, ToSchema)]
pub struct CheckpointCounts {
    /// Times the job started from a checkpoint or savepoint (its submission from one included).
    pub restored: u64,
    /// Checkpoints triggered.
    pub total: u64,
    /// Checkpoints under way (0 or 1).
    pub in_progress: u64,
    /// Checkpoints completed.
    pub completed: u64,
    /// Checkpoints failed or abandoned.
    pub failed: u64,
}

/// Min, max, average and percentiles of one figure (Flink's `StatsSummaryDto`).
#[derive(Serialize, ToSchema)]
pub struct StatsSummary {
    /// Smallest.
    pub min: u64,
    /// Largest.
    pub max: u64,
    /// Average.
    pub avg: u64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
}

impl From<FigureSummary> for StatsSummary {
    fn from(f: FigureSummary) -> Self {
        StatsSummary { min: f.min, max: f.max, avg: f.avg, p50: f.p50, p90: f.p90, p95: f.p95, p99: f.p99, p999: f.p999 }
    }
}

impl StatsSummary {
    fn zero() -> Self {
        FigureSummary::default().into()
    }
}

/// The summary of completed checkpoints.
#[derive(Serialize, ToSchema)]
pub struct CheckpointSummary {
    /// Bytes each checkpoint wrote that its predecessor did not have (incremental size).
    pub checkpointed_size: StatsSummary,
    /// Bytes of state each checkpoint holds (full size).
    pub state_size: StatsSummary,
    /// From trigger to completion, ms.
    pub end_to_end_duration: StatsSummary,
    /// Always 0: checkpoints are aligned without buffering.
    pub alignment_buffered: StatsSummary,
    /// Always 0 (unaligned checkpoints' in-flight data).
    pub processed_data: StatsSummary,
    /// Always 0 (unaligned checkpoints' in-flight data).
    pub persisted_data: StatsSummary,
}

/// The figures Flink reports alike for a checkpoint and for each of its tasks.
#[derive(Default, Serialize, ToSchema)]
pub struct CheckpointFigures {
    /// When the last subtask acknowledged, ms since the epoch (0: none yet).
    pub latest_ack_timestamp: i64,
    /// Bytes written that the previous completed checkpoint did not have.
    pub checkpointed_size: u64,
    /// Bytes of state held.
    pub state_size: u64,
    /// From trigger to completion or the last acknowledgement (failure; for one in progress,
    /// to now), ms.
    pub end_to_end_duration: u64,
    /// Always 0 (aligned checkpoints buffer nothing).
    pub alignment_buffered: u64,
    /// Always 0 (unaligned checkpoints' in-flight data).
    pub processed_data: u64,
    /// Always 0 (unaligned checkpoints' in-flight data).
    pub persisted_data: u64,
    /// Subtasks (workers) taking part.
    pub num_subtasks: usize,
    /// Those that acknowledged.
    pub num_acknowledged_subtasks: usize,
}

impl CheckpointFigures {
    /// Adds `other`'s sizes and subtasks; keeps the later acknowledgement.
    fn absorb(&mut self, other: CheckpointFigures) {
        self.state_size += other.state_size;
        self.checkpointed_size += other.checkpointed_size;
        self.num_subtasks += other.num_subtasks;
        self.num_acknowledged_subtasks += other.num_acknowledged_subtasks;
        self.latest_ack_timestamp = self.latest_ack_timestamp.max(other.latest_ack_timestamp);
        self.end_to_end_duration = self.end_to_end_duration.max(other.end_to_end_duration);
    }
}

/// What one task (every subtask of a vertex) handed in for a checkpoint.
#[derive(Serialize, ToSchema)]
pub struct TaskCheckpointStatistics {
    /// The checkpoint's id.
    pub id: u64,
    /// The checkpoint's status.
    pub status: &'static str,
    /// The task's acknowledgement, sizes and subtasks.
    #[serde(flatten)]
    pub figures: CheckpointFigures,
}

/// One checkpoint (Flink's `CheckpointStatistics`: `completed`, `failed` or `in_progress`).
#[derive(Serialize, ToSchema)]
pub struct CheckpointStatistics {
    /// `completed`, `failed` or `in_progress`.
    #[serde(rename = "className")]
    pub class_name: &'static str,
    /// Its id.
    pub id: u64,
    /// `COMPLETED`, `FAILED` or `IN_PROGRESS`.
    pub status: &'static str,
    /// Whether it was taken for a savepoint.
    pub is_savepoint: bool,
    /// `CANONICAL` for a savepoint, else null.
    #[serde(rename = "savepointFormat")]
    pub savepoint_format: Option<&'static str>,
    /// When it was triggered, ms since the epoch.
    pub trigger_timestamp: i64,
    /// Its acknowledgement, sizes and subtasks, all tasks together.
    #[serde(flatten)]
    pub figures: CheckpointFigures,
    /// `CHECKPOINT` or `SAVEPOINT`.
    pub checkpoint_type: &'static str,
    /// Per vertex id.
    pub tasks: BTreeMap<String, TaskCheckpointStatistics>,
    /// Where a completed checkpoint is (`file:` URI).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_path: Option<String>,
    /// Whether a completed checkpoint has been deleted since (beyond the retained number).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discarded: Option<bool>,
    /// When a failed checkpoint failed, ms since the epoch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_timestamp: Option<i64>,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_message: Option<String>,
}

/// The checkpoint the job last started from.
#[derive(Serialize, ToSchema)]
pub struct RestoredCheckpointStatistics {
    /// Its id.
    pub id: u64,
    /// When the job restored it, ms since the epoch.
    pub restore_timestamp: i64,
    /// Whether it is a savepoint.
    pub is_savepoint: bool,
    /// Where it is (`file:` URI).
    pub external_path: String,
}

/// The latest checkpoints of each kind.
#[derive(Serialize, ToSchema)]
pub struct LatestCheckpoints {
    /// The newest completed checkpoint.
    pub completed: Option<CheckpointStatistics>,
    /// The newest completed savepoint.
    pub savepoint: Option<CheckpointStatistics>,
    /// The newest failed checkpoint.
    pub failed: Option<CheckpointStatistics>,
    /// The checkpoint the job last started from.
    pub restored: Option<RestoredCheckpointStatistics>,
}

/// Answer of `GET /jobs/{jobid}/checkpoints` (Flink's `CheckpointingStatistics`).
#[derive(Serialize, ToSchema)]
pub struct JobCheckpoints {
    /// Counts by outcome.
    pub counts: CheckpointCounts,
    /// Durations and sizes of completed checkpoints.
    pub summary: CheckpointSummary,
    /// The latest checkpoints.
    pub latest: LatestCheckpoints,
    /// The newest checkpoints, newest first (at most 10, Flink's `web.checkpoints.history`).
    pub history: Vec<CheckpointStatistics>,
}

/// Whether externalized checkpoints are kept (Flink's `ExternalizedCheckpointInfo`).
#[derive(Serialize, ToSchema)]
pub struct ExternalizedCheckpointInfo {
    /// Always true: checkpoints are files in the checkpoint directory.
    pub enabled: bool,
    /// Always false: a cancelled job's checkpoints stay (restore with `-s`).
    pub delete_on_cancellation: bool,
}

/// Answer of `GET /jobs/{jobid}/checkpoints/config` (Flink's `CheckpointConfigInfo`).
#[derive(Serialize, ToSchema)]
pub struct CheckpointConfigInfo {
    /// Always `exactly_once`.
    pub mode: &'static str,
    /// `execution.checkpointing.interval` in ms; `9223372036854775807` (Flink's "never")
    /// for a job that checkpoints only for savepoints.
    pub interval: i64,
    /// `execution.checkpointing.timeout` in ms.
    pub timeout: u64,
    /// Always 0: the interval runs from the end of one checkpoint to the start of the next.
    pub min_pause: u64,
    /// Always 1.
    pub max_concurrent: u64,
    /// Retention of checkpoints.
    pub externalization: ExternalizedCheckpointInfo,
    /// `HashMapStateBackend` or `EmbeddedRocksDBStateBackend`.
    pub state_backend: String,
    /// Always `FileSystemCheckpointStorage`.
    pub checkpoint_storage: &'static str,
    /// Always false.
    pub unaligned_checkpoints: bool,
    /// `execution.checkpointing.tolerable-failed-checkpoints`.
    pub tolerable_failed_checkpoints: u32,
    /// Always 0.
    pub aligned_checkpoint_timeout: u64,
    /// Always true: finished sources stand in every later checkpoint.
    pub checkpoints_after_tasks_finish: bool,
    /// Always false.
    pub state_changelog_enabled: bool,
    /// Flink's default (10 min); unused.
    pub changelog_periodic_materialization_interval: u64,
    /// Flink's default (`memory`); unused.
    pub changelog_storage: &'static str,
    /// `state.checkpoints.num-retained` (Weir's addition).
    pub num_retained: usize,
    /// Where checkpoints go (`file:` URI; Weir's addition).
    pub checkpoint_dir: String,
}

/// The vertex id of a checkpoint task (`source.<node>`, `state.<node>`, `sink.<id>`).
fn vertex_of(task: &str, record: &JobRecord) -> String {
    match task.split_once('.') {
        Some(("source" | "state", node)) => node.parse::<usize>().ok().and_then(|n| record.vertices.get(n)).map_or_else(|| task.to_string(), |v| v.id.clone()),
        Some(("sink", id)) => id.to_string(),
        _ => task.to_string(),
    }
}

fn status_name(status: CheckpointStatus) -> (&'static str, &'static str) {
    match status {
        CheckpointStatus::InProgress => ("in_progress", "IN_PROGRESS"),
        CheckpointStatus::Completed => ("completed", "COMPLETED"),
        CheckpointStatus::Failed => ("failed", "FAILED"),
    }
}

fn task_statistics(c: &CheckpointRecord, t: &TaskCheckpoint) -> TaskCheckpointStatistics {
    TaskCheckpointStatistics {
        id: c.id,
        status: status_name(c.status).1,
        figures: CheckpointFigures {
            latest_ack_timestamp: t.latest_ack_ms.unwrap_or(0),
            checkpointed_size: t.checkpointed_bytes,
            state_size: t.state_bytes,
            end_to_end_duration: t.latest_ack_ms.map_or(0, |ack| u64::try_from(ack - c.trigger_ms).unwrap_or(0)),
            num_subtasks: t.subtasks,
            num_acknowledged_subtasks: t.acknowledged,
            ..CheckpointFigures::default()
        },
    }
}

/// `c` in Flink's shape; its tasks keyed by `record`'s vertex ids; durations of one in progress
/// up to `now_ms`.
pub fn checkpoint_statistics(c: &CheckpointRecord, record: &JobRecord, now_ms: i64) -> CheckpointStatistics {
    let (class_name, status) = status_name(c.status);
    let mut tasks: BTreeMap<String, TaskCheckpointStatistics> = BTreeMap::new();
    for (task, t) in &c.tasks {
        let vertex = vertex_of(task, record);
        let stats = task_statistics(c, t);
        // A vertex with several kinds of participant (none today) sums them.
        match tasks.get_mut(&vertex) {
            Some(s) => s.figures.absorb(stats.figures),
            None => {
                tasks.insert(vertex, stats);
            }
        }
    }
    let completed = c.status == CheckpointStatus::Completed;
    let failed = c.status == CheckpointStatus::Failed;
    CheckpointStatistics {
        class_name,
        id: c.id,
        status,
        is_savepoint: c.savepoint,
        savepoint_format: c.savepoint.then_some("CANONICAL"),
        trigger_timestamp: c.trigger_ms,
        figures: CheckpointFigures {
            latest_ack_timestamp: c.latest_ack_ms.unwrap_or(0),
            checkpointed_size: c.checkpointed_bytes,
            state_size: c.state_bytes,
            end_to_end_duration: c.duration_ms(now_ms),
            num_subtasks: c.subtasks(),
            num_acknowledged_subtasks: c.acknowledged(),
            ..CheckpointFigures::default()
        },
        checkpoint_type: if c.savepoint { "SAVEPOINT" } else { "CHECKPOINT" },
        tasks,
        external_path: completed.then(|| c.path.as_ref().map_or_else(String::new, |p| format!("file:{}", p.display()))),
        discarded: completed.then_some(c.discarded),
        failure_timestamp: failed.then(|| c.end_ms.unwrap_or(0)),
        failure_message: failed.then(|| c.failure.clone().unwrap_or_default()),
    }
}

fn restored_statistics(r: &RestoredCheckpoint) -> RestoredCheckpointStatistics {
    RestoredCheckpointStatistics { id: r.id, restore_timestamp: r.restore_ms, is_savepoint: r.savepoint, external_path: format!("file:{}", r.path.display()) }
}

/// The whole statistics of a job in Flink's shape.
pub fn job_checkpoints(s: &CheckpointStatsSnapshot, record: &JobRecord, now_ms: i64) -> JobCheckpoints {
    let one = |c: &Option<CheckpointRecord>| c.as_ref().map(|c| checkpoint_statistics(c, record, now_ms));
    JobCheckpoints {
        counts: CheckpointCounts { restored: s.restored, total: s.triggered, in_progress: s.in_progress, completed: s.completed, failed: s.failed },
        summary: CheckpointSummary {
            checkpointed_size: s.summary.checkpointed_bytes.into(),
            state_size: s.summary.state_bytes.into(),
            end_to_end_duration: s.summary.duration_ms.into(),
            alignment_buffered: StatsSummary::zero(),
            processed_data: StatsSummary::zero(),
            persisted_data: StatsSummary::zero(),
        },
        latest: LatestCheckpoints {
            completed: one(&s.latest_completed),
            savepoint: one(&s.latest_savepoint),
            failed: one(&s.latest_failed),
            restored: s.latest_restored.as_ref().map(restored_statistics),
        },
        history: s.history.iter().map(|c| checkpoint_statistics(c, record, now_ms)).collect(),
    }
}
