//! A job's checkpoints in Flink's shapes: `GET /jobs/{jobid}/checkpoints` (counts, summary,
//! latest, history), `GET /jobs/{jobid}/checkpoints/config` and
//! `GET /jobs/{jobid}/checkpoints/details/{checkpointid}`. The statistics cover every attempt of
//! a job started by this server process and are kept after it ends until the server restarts.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;
use weir_core::job::Checkpoints;

use crate::server::error::{ApiError, ErrorBody};
use crate::server::extract::ApiPath;
use crate::server::registry::{JobRecord, now_ms};
use crate::server::state::AppState;

use super::checkpoint_schema::{
    CheckpointConfigInfo, CheckpointStatistics, ExternalizedCheckpointInfo, JobCheckpoints, checkpoint_statistics, job_checkpoints,
};
use super::jobs::{JobPath, find};

/// The path parameters of `/jobs/{jobid}/checkpoints/details/{checkpointid}`.
#[derive(Deserialize, IntoParams)]
pub struct CheckpointPath {
    /// The job id: 32 hex characters.
    #[param(pattern = "^[0-9a-fA-F]{32}$")]
    pub jobid: String,
    /// The checkpoint's id.
    pub checkpointid: u64,
}

/// The checkpoints of a job started by this server process that has checkpoint statistics: one
/// with periodic checkpoints, or one that took (a savepoint's) or restored one.
pub fn reported(state: &AppState, record: &JobRecord) -> Option<Arc<Checkpoints>> {
    let checkpoints = state.live(&record.jid).and_then(|live| live.attempts.checkpoints());
    checkpoints.filter(|c| c.periodic() || c.first_epoch() > 0 || c.stats().snapshot().triggered > 0)
}

/// The job's checkpoints (of its current attempt), or 404 when it has no statistics.
fn job_checkpoints_of(state: &AppState, record: &JobRecord) -> Result<Arc<Checkpoints>, ApiError> {
    reported(state, record).ok_or_else(|| {
        ApiError::NotFound(format!(
            "job {} has no checkpoint statistics: checkpointing is not enabled for it (SET 'execution.checkpointing.interval'), or it ran before the server restarted",
            record.jid
        ))
    })
}

/// The checkpoint statistics of a job that takes checkpoints (started by this server process):
/// counts, a summary of completed checkpoints' durations and sizes, the latest completed,
/// savepoint, failed and restored checkpoint, and the newest ten.
#[utoipa::path(get, path = "/jobs/{jobid}/checkpoints", tag = "jobs", params(JobPath),
    responses((status = 200, body = JobCheckpoints), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn checkpoints(State(state): State<AppState>, ApiPath(path): ApiPath<JobPath>) -> Result<Json<JobCheckpoints>, ApiError> {
    let record = find(&state, &path.jobid)?;
    let checkpoints = job_checkpoints_of(&state, &record)?;
    Ok(Json(job_checkpoints(&checkpoints.stats().snapshot(), &record, now_ms())))
}

/// One checkpoint of a job's history, with its per-vertex acknowledgements and sizes; 404 once
/// it has left the history (the newest ten are kept).
#[utoipa::path(get, path = "/jobs/{jobid}/checkpoints/details/{checkpointid}", tag = "jobs", params(CheckpointPath),
    responses((status = 200, body = CheckpointStatistics), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn details(State(state): State<AppState>, ApiPath(path): ApiPath<CheckpointPath>) -> Result<Json<CheckpointStatistics>, ApiError> {
    let record = find(&state, &path.jobid)?;
    let checkpoints = job_checkpoints_of(&state, &record)?;
    let checkpoint = checkpoints
        .stats()
        .checkpoint(path.checkpointid)
        .ok_or_else(|| ApiError::NotFound(format!("job {} has no checkpoint {} in its history (the newest 10 are kept)", record.jid, path.checkpointid)))?;
    Ok(Json(checkpoint_statistics(&checkpoint, &record, now_ms())))
}

/// The job's state backend in Flink's class names, from its spec's configuration.
fn state_backend(record: &JobRecord) -> String {
    let spec: serde_json::Value = serde_json::from_str(&record.spec).unwrap_or_default();
    let config = spec.get("config");
    let kind = ["state.backend.type", "state.backend"].iter().find_map(|k| config.and_then(|c| c.get(*k)).and_then(|v| v.as_str()));
    match kind.map(str::to_ascii_lowercase).as_deref() {
        Some("rocksdb") => "EmbeddedRocksDBStateBackend".into(),
        _ => "HashMapStateBackend".into(),
    }
}

/// How a job takes checkpoints: interval, timeout, tolerated failures, retention, state
/// backend and where checkpoints go.
#[utoipa::path(get, path = "/jobs/{jobid}/checkpoints/config", tag = "jobs", params(JobPath),
    responses((status = 200, body = CheckpointConfigInfo), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn config(State(state): State<AppState>, ApiPath(path): ApiPath<JobPath>) -> Result<Json<CheckpointConfigInfo>, ApiError> {
    let record = find(&state, &path.jobid)?;
    let checkpoints = job_checkpoints_of(&state, &record)?;
    let config = checkpoints.config();
    Ok(Json(CheckpointConfigInfo {
        mode: "exactly_once",
        interval: config.interval.map_or(i64::MAX, |i| i64::try_from(i.as_millis()).unwrap_or(i64::MAX)),
        timeout: u64::try_from(config.timeout.as_millis()).unwrap_or(u64::MAX),
        min_pause: 0,
        max_concurrent: 1,
        externalization: ExternalizedCheckpointInfo { enabled: true, delete_on_cancellation: false },
        state_backend: state_backend(&record),
        checkpoint_storage: "FileSystemCheckpointStorage",
        unaligned_checkpoints: false,
        tolerable_failed_checkpoints: config.tolerable_failures,
        aligned_checkpoint_timeout: 0,
        checkpoints_after_tasks_finish: true,
        state_changelog_enabled: false,
        changelog_periodic_materialization_interval: 600_000,
        changelog_storage: "memory",
        num_retained: config.retained,
        checkpoint_dir: format!("file:{}", config.storage.root().display()),
    }))
}
