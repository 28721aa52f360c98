//! `GET /jobs/{jobid}/checkpoints`: a job's checkpoint statistics in Flink's shape (counts,
//! the latest completed and the restored checkpoint), kept after it ends until the server
//! restarts.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::server::error::{ApiError, ErrorBody};
use crate::server::extract::ApiPath;
use crate::server::state::AppState;

use super::jobs::{JobPath, find};

/// How many checkpoints a job has taken, by outcome.
#[derive(Serialize, ToSchema)]
pub struct CheckpointCounts {
    /// 1 when the job started from a checkpoint, else 0.
    pub restored: u64,
    /// Checkpoints started.
    pub total: u64,
    /// Checkpoints under way (0 or 1).
    pub in_progress: u64,
    /// Checkpoints completed.
    pub completed: u64,
    /// Checkpoints failed or abandoned.
    pub failed: u64,
}

/// One completed checkpoint.
#[derive(Serialize, ToSchema)]
pub struct CompletedCheckpoint {
    /// Its id.
    pub id: u64,
    /// Always `COMPLETED`.
    pub status: &'static str,
    /// Always false: Weir takes no savepoints yet.
    pub is_savepoint: bool,
    /// Bytes of state it holds.
    pub state_size: u64,
    /// From trigger to commit, in milliseconds.
    pub end_to_end_duration: u64,
    /// Where it is (`file:` URI).
    pub external_path: String,
}

/// The checkpoint the job restored from.
#[derive(Serialize, ToSchema)]
pub struct RestoredCheckpoint {
    /// Its id.
    pub id: u64,
    /// Always false.
    pub is_savepoint: bool,
}

/// The latest checkpoints of each kind.
#[derive(Serialize, ToSchema)]
pub struct LatestCheckpoints {
    /// The newest completed checkpoint.
    pub completed: Option<CompletedCheckpoint>,
    /// Always null: Weir takes no savepoints yet.
    #[schema(value_type = Option<Object>)]
    pub savepoint: Option<serde_json::Value>,
    /// Always null: failed checkpoints are counted, not kept.
    #[schema(value_type = Option<Object>)]
    pub failed: Option<serde_json::Value>,
    /// The checkpoint the job started from.
    pub restored: Option<RestoredCheckpoint>,
}

/// Answer of `GET /jobs/{jobid}/checkpoints`.
#[derive(Serialize, ToSchema)]
pub struct JobCheckpoints {
    /// Counts by outcome.
    pub counts: CheckpointCounts,
    /// The latest checkpoints.
    pub latest: LatestCheckpoints,
    /// Flink's per-checkpoint history; empty (Weir keeps the latest only).
    #[schema(value_type = Vec<Object>)]
    pub history: Vec<serde_json::Value>,
}

/// The checkpoint statistics of a job that takes checkpoints (started by this server process).
#[utoipa::path(get, path = "/jobs/{jobid}/checkpoints", tag = "jobs", params(JobPath),
    responses((status = 200, body = JobCheckpoints), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn checkpoints(State(state): State<AppState>, ApiPath(path): ApiPath<JobPath>) -> Result<Json<JobCheckpoints>, ApiError> {
    let record = find(&state, &path.jobid)?;
    // A job without periodic checkpoints has statistics once it took (a savepoint's) or
    // restored one.
    let checkpoints = state.live(&record.jid).and_then(|live| live.attempts.checkpoints());
    let checkpoints = checkpoints.filter(|c| c.periodic() || c.first_epoch() > 0 || c.counts().triggered > 0).ok_or_else(|| {
        ApiError::NotFound(format!(
            "job {} has no checkpoint statistics: checkpointing is not enabled for it (SET 'execution.checkpointing.interval'), or it ran before the server restarted",
            record.jid
        ))
    })?;
    let counts = checkpoints.counts();
    let restored = checkpoints.first_epoch();
    Ok(Json(JobCheckpoints {
        counts: CheckpointCounts {
            restored: u64::from(restored > 0),
            total: counts.triggered,
            in_progress: u64::from(checkpoints.pending().is_some()),
            completed: counts.completed,
            failed: counts.failed,
        },
        latest: LatestCheckpoints {
            completed: counts.latest.map(|c| CompletedCheckpoint {
                id: c.id,
                status: "COMPLETED",
                is_savepoint: false,
                state_size: c.state_bytes,
                end_to_end_duration: c.duration_ms,
                external_path: format!("file:{}", c.path.display()),
            }),
            savepoint: None,
            failed: None,
            restored: (restored > 0).then_some(RestoredCheckpoint { id: restored, is_savepoint: false }),
        },
        history: Vec::new(),
    }))
}
