//! `/jobs/{jobid}/savepoints` and `/jobs/{jobid}/stop`: Flink's savepoint operations. A
//! savepoint is a checkpoint taken on request and copied to
//! `<target-directory>/savepoint-<jobid prefix>-<random>`, where no retention deletes it;
//! restore it with `savepointPath` on submit, `execution.savepoint.path`, or `weir run -s`.
//! The target directory is checked against the allowed directories like every other path.

use std::path::PathBuf;
use std::time::Duration;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use weir_core::job::{SavepointRequest, SavepointState};

use crate::server::error::{ApiError, ErrorBody};
use crate::server::extract::ApiPath;
use crate::server::registry::JobState;
use crate::server::routes::jobs::{JobPath, find};
use crate::server::state::AppState;
use crate::server::submit::{new_job_id, parse_job_id};

/// The path of a savepoint operation's status.
#[derive(Deserialize, IntoParams)]
pub struct TriggerPath {
    /// The job id: 32 hex characters.
    #[param(pattern = "^[0-9a-fA-F]{32}$")]
    pub jobid: String,
    /// The trigger id `POST /jobs/{jobid}/savepoints` or `/stop` answered.
    pub triggerid: String,
}

/// Flink's `SavepointTriggerRequestBody` (unknown fields, such as `formatType`, are ignored:
/// Weir has one format).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct SavepointTrigger {
    /// Where the savepoint goes (default: the job's `state.savepoints.dir`, else
    /// `<data dir>/savepoints`).
    #[serde(default, rename = "target-directory")]
    pub target_directory: Option<String>,
    /// Cancel the job once the savepoint is complete.
    #[serde(default, rename = "cancel-job")]
    pub cancel_job: bool,
}

/// Flink's `StopWithSavepointRequestBody` (`drain` and `formatType` are accepted and ignored).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct StopRequest {
    /// Where the savepoint goes (defaults as for a savepoint).
    #[serde(default, rename = "targetDirectory")]
    pub target_directory: Option<String>,
}

/// Answer of a savepoint trigger: the id to ask its status with.
#[derive(Serialize, ToSchema)]
pub struct TriggerResponse {
    /// The trigger id.
    #[serde(rename = "request-id")]
    pub request_id: String,
}

/// `IN_PROGRESS` or `COMPLETED`.
#[derive(Serialize, ToSchema)]
pub struct OperationStatus {
    /// The status's name.
    pub id: &'static str,
}

/// The status of a savepoint operation, in Flink's `AsynchronousOperationResult` shape.
#[derive(Serialize, ToSchema)]
pub struct SavepointStatus {
    /// Whether it is done.
    pub status: OperationStatus,
    /// When done: `{"location"}`, or `{"failure-cause": {"class", "stack-trace"}}`.
    #[schema(value_type = Option<Object>)]
    pub operation: Option<serde_json::Value>,
}

/// Parses an optional JSON body (Flink's clients may send none).
fn body<T: serde::de::DeserializeOwned + Default>(bytes: &Bytes) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(bytes).map_err(|e| ApiError::BadRequest(format!("invalid request body: {e}")))
}

/// Asks job `jobid` for a savepoint into `target`; cancels the job once it completes when
/// `then_cancel`. Returns the trigger id.
fn take(state: &AppState, jobid: &str, target: Option<String>, then_cancel: bool) -> Result<String, ApiError> {
    let record = find(state, jobid)?;
    let live = state
        .live(&record.jid)
        .filter(|_| record.state == JobState::Running)
        .ok_or_else(|| ApiError::Conflict(format!("cannot take a savepoint of job {}: it is {}, not RUNNING", record.jid, record.state.name())))?;
    let target = match target {
        Some(dir) => dir,
        None => default_target(&record.spec),
    };
    let dir: PathBuf = state.config.paths.resolve(&target).map_err(|e| ApiError::PathNotAllowed(format!("target-directory: {e}")))?;
    let trigger = new_job_id();
    let location = dir.join(format!("savepoint-{}-{}", &record.jid[..6], &trigger[..12]));
    let request = SavepointRequest::new(location);
    live.attempts.savepoint(request.clone()).map_err(|reason| ApiError::Conflict(format!("cannot take a savepoint of job {}: {reason}", record.jid)))?;
    if let Ok(mut savepoints) = live.savepoints.lock() {
        savepoints.insert(trigger.clone(), request.clone());
    }
    if then_cancel {
        let (state, jid) = (state.clone(), record.jid.clone());
        let spawned = std::thread::Builder::new().name("weir-stop".into()).spawn(move || cancel_when_saved(&state, &jid, &request));
        if let Err(e) = spawned {
            return Err(ApiError::Internal(format!("cannot wait for the savepoint: {e}")));
        }
    }
    Ok(trigger)
}

/// The savepoint directory a job names (`state.savepoints.dir`, Flink 2's
/// `execution.checkpointing.savepoint-dir`), else `savepoints` in the data directory.
fn default_target(spec: &str) -> String {
    let config = weir_core::plan::parse_job_spec(spec).map(|s| s.config).unwrap_or_default();
    ["execution.checkpointing.savepoint-dir", "state.savepoints.dir"].iter().find_map(|k| config.get(*k).cloned()).unwrap_or_else(|| "savepoints".into())
}

/// Cancels job `jid` once `request` completes (not when it fails: the job goes on).
fn cancel_when_saved(state: &AppState, jid: &str, request: &SavepointRequest) {
    loop {
        match request.state() {
            SavepointState::InProgress => std::thread::sleep(Duration::from_millis(20)),
            SavepointState::Failed(_) => return,
            SavepointState::Completed(location) => {
                state.registry.update(jid, |r| {
                    r.cancel_reason.get_or_insert_with(|| format!("stopped with a savepoint at {}", location.display()));
                });
                if let Some(live) = state.live(jid) {
                    live.cancel.cancel();
                }
                return;
            }
        }
    }
}

/// Flink's savepoint trigger.
#[utoipa::path(post, path = "/jobs/{jobid}/savepoints", tag = "jobs", params(JobPath), request_body(content = Option<SavepointTrigger>),
    responses((status = 202, body = TriggerResponse), (status = 400, body = ErrorBody), (status = 403, description = "target directory not allowed", body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "the job is not running, or cannot take checkpoints", body = ErrorBody)))]
pub async fn trigger(State(state): State<AppState>, ApiPath(path): ApiPath<JobPath>, bytes: Bytes) -> Result<(StatusCode, Json<TriggerResponse>), ApiError> {
    let request: SavepointTrigger = body(&bytes)?;
    let request_id = take(&state, &path.jobid, request.target_directory, request.cancel_job)?;
    Ok((StatusCode::ACCEPTED, Json(TriggerResponse { request_id })))
}

/// Flink's stop-with-savepoint: a savepoint, then the job is cancelled.
#[utoipa::path(post, path = "/jobs/{jobid}/stop", tag = "jobs", params(JobPath), request_body(content = Option<StopRequest>),
    responses((status = 202, body = TriggerResponse), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn stop(State(state): State<AppState>, ApiPath(path): ApiPath<JobPath>, bytes: Bytes) -> Result<(StatusCode, Json<TriggerResponse>), ApiError> {
    let request: StopRequest = body(&bytes)?;
    let request_id = take(&state, &path.jobid, request.target_directory, true)?;
    Ok((StatusCode::ACCEPTED, Json(TriggerResponse { request_id })))
}

/// The status of a savepoint operation.
#[utoipa::path(get, path = "/jobs/{jobid}/savepoints/{triggerid}", tag = "jobs", params(TriggerPath),
    responses((status = 200, body = SavepointStatus), (status = 400, body = ErrorBody), (status = 404, description = "no such job or operation", body = ErrorBody)))]
pub async fn status(State(state): State<AppState>, ApiPath(path): ApiPath<TriggerPath>) -> Result<Json<SavepointStatus>, ApiError> {
    let jid = parse_job_id(&path.jobid)?;
    let record = find(&state, &jid)?;
    let request = state.live(&record.jid).and_then(|live| live.savepoints.lock().ok().and_then(|s| s.get(&path.triggerid).cloned()));
    let request = request.ok_or_else(|| ApiError::NotFound(format!("no savepoint operation {} for job {}", path.triggerid, record.jid)))?;
    Ok(Json(match request.state() {
        SavepointState::InProgress => SavepointStatus { status: OperationStatus { id: "IN_PROGRESS" }, operation: None },
        SavepointState::Completed(location) => {
            SavepointStatus { status: OperationStatus { id: "COMPLETED" }, operation: Some(serde_json::json!({ "location": location.display().to_string() })) }
        }
        SavepointState::Failed(reason) => SavepointStatus {
            status: OperationStatus { id: "COMPLETED" },
            operation: Some(serde_json::json!({ "failure-cause": { "class": "weir.SavepointFailed", "stack-trace": reason } })),
        },
    }))
}
