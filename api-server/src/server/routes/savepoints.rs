//! `/jobs/{jobid}/savepoints` and `/jobs/{jobid}/stop`: Flink's savepoint operations. Weir
//! takes no savepoints yet, so each answers Flink's error body naming that (after checking the
//! job id), which Flink's clients show as the cause rather than failing to decode a reply.

use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::server::error::{ApiError, ErrorBody};
use crate::server::extract::ApiPath;
use crate::server::routes::jobs::{JobPath, find};
use crate::server::state::AppState;

/// The path of a savepoint operation's status.
#[derive(Deserialize, IntoParams)]
pub struct TriggerPath {
    /// The job id: 32 hex characters.
    #[param(pattern = "^[0-9a-fA-F]{32}$")]
    pub jobid: String,
    /// The trigger id Flink's `POST /jobs/{jobid}/savepoints` would have answered.
    pub triggerid: String,
}

/// Why every savepoint operation is refused: `what` says what was asked of the job.
fn no_savepoints(state: &AppState, jobid: &str, what: fn(&str) -> String) -> ApiError {
    match find(state, jobid) {
        Err(e) => e,
        Ok(record) => ApiError::Unsupported(format!(
            "{}: Weir does not take savepoints (its jobs recover from checkpoints only); cancel the job instead",
            what(&record.jid)
        )),
    }
}

/// Flink's savepoint trigger: refused, as Weir takes no savepoints.
#[utoipa::path(post, path = "/jobs/{jobid}/savepoints", tag = "jobs", params(JobPath), request_body(content = Option<Object>, description = "Flink's `SavepointTriggerRequestBody` (ignored)"),
    responses((status = 400, description = "bad job id, or the job exists and Weir cannot take its savepoint (`unsupported`)", body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn trigger(State(state): State<AppState>, ApiPath(path): ApiPath<JobPath>) -> ApiError {
    no_savepoints(&state, &path.jobid, |jid| format!("cannot take a savepoint of job {jid}"))
}

/// Flink's stop-with-savepoint: refused, as Weir takes no savepoints.
#[utoipa::path(post, path = "/jobs/{jobid}/stop", tag = "jobs", params(JobPath), request_body(content = Option<Object>, description = "Flink's `StopWithSavepointRequestBody` (ignored)"),
    responses((status = 400, description = "bad job id, or the job exists and Weir cannot stop it with a savepoint (`unsupported`)", body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn stop(State(state): State<AppState>, ApiPath(path): ApiPath<JobPath>) -> ApiError {
    no_savepoints(&state, &path.jobid, |jid| format!("cannot stop job {jid} with a savepoint"))
}

/// The status of a savepoint operation: none exists.
#[utoipa::path(get, path = "/jobs/{jobid}/savepoints/{triggerid}", tag = "jobs", params(TriggerPath),
    responses((status = 400, body = ErrorBody), (status = 404, description = "no such operation: Weir takes no savepoints", body = ErrorBody)))]
pub async fn status(State(state): State<AppState>, ApiPath(path): ApiPath<TriggerPath>) -> ApiError {
    match find(&state, &path.jobid) {
        Err(e) => e,
        Ok(record) => ApiError::NotFound(format!("no savepoint operation {} for job {}: Weir takes no savepoints", path.triggerid, record.jid)),
    }
}
