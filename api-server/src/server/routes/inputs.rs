//! `/jobs/{jobid}/inputs/{table}`: pushing JSON records into a running job's table declared
//! `WITH ('connector' = 'push')`, and closing that input.
//!
//! A batch is all-or-nothing: every record is read against the table's schema before any is
//! pushed, and a 400 names the first bad record (0-based) and its field.
//!
//! A 2xx means the batch is in the table's input log on disk (see
//! [`crate::server::push_log`]). When the job has not yet read `--max-push-queue-rows` rows
//! pushed before, the push is refused with 429 and `Retry-After: 1`: wait and push again.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

use crate::server::error::{ApiError, ErrorBody};
use crate::server::extract::{ApiJson, ApiPath};
use crate::server::push_log::LoggedInput;
use crate::server::registry::JobState;
use crate::server::state::AppState;

use super::jobs::find;

/// Path of a job's push input.
#[derive(Deserialize, IntoParams)]
pub struct InputPath {
    /// The job id: 32 hex characters.
    #[param(pattern = "^[0-9a-fA-F]{32}$")]
    pub jobid: String,
    /// A table of the job declared with the `push` connector (its source node id).
    pub table: String,
}

/// Answer of `POST /jobs/{jobid}/inputs/{table}`.
#[derive(Serialize, ToSchema)]
pub struct PushAccepted {
    /// Records accepted by this request.
    pub accepted: usize,
    /// Records pushed into this input since the job started.
    pub pushed: u64,
}

/// Answer of `POST /jobs/{jobid}/inputs/{table}/close`.
#[derive(Serialize, ToSchema)]
pub struct InputClosed {
    /// Always true: the input is closed (closing twice is not an error).
    pub closed: bool,
    /// Records pushed into this input in all.
    pub pushed: u64,
}

/// The push input `table` of the running job `jobid`: 404 for an unknown job or table (naming
/// the job's push tables), 409 when the job is not RUNNING in this server.
fn push_input(state: &AppState, jobid: &str, table: &str) -> Result<Arc<LoggedInput>, ApiError> {
    let record = find(state, jobid)?;
    let job_state = state.registry.with(&record.jid, |r| r.state).unwrap_or(record.state);
    let live = state
        .live(&record.jid)
        .filter(|_| job_state == JobState::Running)
        .ok_or_else(|| ApiError::Conflict(format!("job {} is {}: records can only be pushed into a RUNNING job", record.jid, job_state.name())))?;
    let inputs = live.push_inputs.lock().unwrap_or_else(|p| p.into_inner());
    let found = inputs.get(table).or_else(|| inputs.iter().find(|(k, _)| k.eq_ignore_ascii_case(table)).map(|(_, v)| v));
    found.cloned().ok_or_else(|| {
        let known = if inputs.is_empty() {
            "it has none; declare one WITH ('connector' = 'push')".to_string()
        } else {
            format!("push tables: {}", inputs.keys().cloned().collect::<Vec<_>>().join(", "))
        };
        ApiError::NotFound(format!("job {} has no push table \"{table}\" ({known})", record.jid))
    })
}

/// Pushes a JSON array of records into a `push` table of a running job. Each record is an
/// object `{"column": value}` (missing columns are NULL) or an array of values in column order.
#[utoipa::path(post, path = "/jobs/{jobid}/inputs/{table}", tag = "jobs", params(InputPath),
    request_body(content = Vec<Object>, description = "Records: objects by column name, or arrays in column order"),
    responses((status = 200, body = PushAccepted),
        (status = 400, description = "Not an array, or a record does not match the schema (names record and field); nothing was pushed", body = ErrorBody),
        (status = 404, description = "Unknown job or push table", body = ErrorBody),
        (status = 409, description = "The job is not RUNNING, or the input was closed", body = ErrorBody),
        (status = 413, body = ErrorBody),
        (status = 429, description = "The input's queue is full (--max-push-queue-rows): retry after `Retry-After` seconds; nothing was pushed", body = ErrorBody)))]
pub async fn push(
    State(state): State<AppState>,
    ApiPath(path): ApiPath<InputPath>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> Result<Json<PushAccepted>, ApiError> {
    let input = push_input(&state, &path.jobid, &path.table)?;
    let serde_json::Value::Array(records) = body else {
        return Err(ApiError::BadRequest("the body must be a JSON array of records, e.g. [{\"col\": 1}] or [[1, \"a\"]]".into()));
    };
    let rows = input.input.rows_from_json(&records).map_err(ApiError::BadRequest)?;
    let accepted = rows.len();
    // Logged and fsynced before the 2xx: on a blocking thread.
    let pushed = tokio::task::spawn_blocking(move || input.push(&path.table, rows).map(|()| input.input.pushed()))
        .await
        .map_err(|e| ApiError::Internal(format!("push panicked: {e}")))??;
    Ok(Json(PushAccepted { accepted, pushed }))
}

/// Ends a `push` table's input: the job reads what was pushed, then that source finishes
/// (a job whose every source finished ends FINISHED).
#[utoipa::path(post, path = "/jobs/{jobid}/inputs/{table}/close", tag = "jobs", params(InputPath),
    responses((status = 200, body = InputClosed), (status = 400, body = ErrorBody),
        (status = 404, description = "Unknown job or push table", body = ErrorBody),
        (status = 409, description = "The job is not RUNNING", body = ErrorBody)))]
pub async fn close(State(state): State<AppState>, ApiPath(path): ApiPath<InputPath>) -> Result<Json<InputClosed>, ApiError> {
    let input = push_input(&state, &path.jobid, &path.table)?;
    let pushed = tokio::task::spawn_blocking(move || {
        input.close();
        input.input.pushed()
    })
    .await
    .map_err(|e| ApiError::Internal(format!("closing the input panicked: {e}")))?;
    Ok(Json(InputClosed { closed: true, pushed }))
}
