//! `GET /jobs/{jobid}/exceptions`: why a job failed, in Flink's `root-exception` shape, with
//! every failure it restarted from in `exceptionHistory` (newest first).

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::server::error::{ApiError, ErrorBody};
use crate::server::error_text::bounded;
use crate::server::extract::ApiPath;
use crate::server::registry::JobFailure;
use crate::server::state::AppState;
use crate::server::submit::attempt_failure;

use super::jobs::{JobPath, find};

/// One entry of the exception history.
#[derive(Serialize, ToSchema)]
pub struct ExceptionEntry {
    /// Weir's stable error code (`bad_record`, `eval_error`, `server_restarted`, ...).
    #[serde(rename = "exceptionName")]
    pub exception_name: String,
    /// The full message (Weir has no Java stack trace to show).
    pub stacktrace: String,
    /// When, ms since the epoch.
    pub timestamp: i64,
    /// Flink's field: the failing task; Weir reports the job.
    #[serde(rename = "taskName")]
    pub task_name: Option<String>,
}

/// Flink's exception history.
#[derive(Serialize, ToSchema)]
pub struct ExceptionHistory {
    /// Every failure of the job, newest first.
    pub entries: Vec<ExceptionEntry>,
    /// Whether entries were left out.
    pub truncated: bool,
}

/// Answer of `GET /jobs/{jobid}/exceptions`.
#[derive(Serialize, ToSchema)]
pub struct JobExceptions {
    /// The failure message, or null for a job that did not fail.
    #[serde(rename = "root-exception")]
    pub root_exception: Option<String>,
    /// When it failed.
    pub timestamp: Option<i64>,
    /// Flink's legacy list; always empty.
    #[serde(rename = "all-exceptions")]
    pub all_exceptions: Vec<serde_json::Value>,
    /// Whether exceptions were left out.
    pub truncated: bool,
    /// The failure as a history entry.
    #[serde(rename = "exceptionHistory")]
    pub exception_history: ExceptionHistory,
}

/// The error a job failed with.
#[utoipa::path(get, path = "/jobs/{jobid}/exceptions", tag = "jobs", params(JobPath),
    responses((status = 200, body = JobExceptions), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn exceptions(State(state): State<AppState>, ApiPath(path): ApiPath<JobPath>) -> Result<Json<JobExceptions>, ApiError> {
    let record = find(&state, &path.jobid)?;
    // Every failure, the ones the job restarted from too: live while the server knows the
    // running job, else as the registry recorded them when it ended.
    let failures: Vec<JobFailure> = match state.live(&record.jid) {
        Some(live) if !record.state.is_terminal() => {
            record.restarted_from.iter().cloned().chain(live.attempts.failures().iter().map(attempt_failure)).collect()
        }
        _ => record.restarted_from.iter().chain(&record.failure).cloned().collect(),
    };
    let root = failures.last().cloned();
    let entries = failures
        .iter()
        .rev()
        .map(|f| ExceptionEntry {
            exception_name: f.code.clone(),
            stacktrace: bounded(&f.message).into_owned(),
            timestamp: f.timestamp,
            task_name: Some(record.name.clone()),
        })
        .collect();
    Ok(Json(JobExceptions {
        root_exception: root.as_ref().map(|f| bounded(&f.message).into_owned()),
        timestamp: root.as_ref().map(|f| f.timestamp),
        all_exceptions: Vec::new(),
        truncated: false,
        exception_history: ExceptionHistory { entries, truncated: false },
    }))
}
