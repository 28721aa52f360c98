//! What the SQL gateway does with a statement and a result token: statements run in the
//! session's [`weir_core::sql::SqlSession`]; a SELECT or INSERT starts a job like
//! `POST /jobs`; a SELECT's rows are paged from its job's changelog.

use serde::Serialize;
use utoipa::ToSchema;
use weir_core::sql::{SqlOutcome, SqlSession};

use super::changelog::{kind_name, row_json};
use super::error::ApiError;
use super::registry::{ColumnInfo, JobSource, JobState};
use super::sessions::{Operation, OperationResult};
use super::state::AppState;
use super::submit::{Submission, launch};

/// Rows per result page.
pub const PAGE_ROWS: usize = 500;

fn string_columns(names: &[&str]) -> Vec<ColumnInfo> {
    names.iter().map(|n| ColumnInfo { name: n.to_string(), data_type: "STRING".into() }).collect()
}

fn text_table(column: &str, lines: Vec<String>) -> OperationResult {
    OperationResult::Table { columns: string_columns(&[column]), rows: lines.into_iter().map(|l| vec![serde_json::Value::String(l)]).collect(), jobid: None }
}

/// Runs one statement (or a script) in `session`. Blocking (a job may start): call it from a
/// blocking thread. Errors become an operation in state ERROR, as in Flink's gateway.
pub fn execute(state: &AppState, session: &mut SqlSession, statement: &str) -> OperationResult {
    let outcomes = match session.execute_script(statement) {
        Ok(outcomes) => outcomes,
        Err(e) => return OperationResult::Error(ApiError::Sql(e)),
    };
    let mut result = text_table("result", vec!["OK".into()]);
    for outcome in outcomes {
        result = match outcome {
            SqlOutcome::Done(_) => text_table("result", vec!["OK".into()]),
            SqlOutcome::Explain(text) => text_table("result", vec![text]),
            SqlOutcome::Table(table) => OperationResult::Table {
                columns: string_columns(&table.columns.iter().map(String::as_str).collect::<Vec<_>>()),
                rows: table.rows.into_iter().map(|r| r.into_iter().map(serde_json::Value::String).collect()).collect(),
                jobid: None,
            },
            SqlOutcome::Job(spec) | SqlOutcome::Query(spec) => {
                let is_query = spec.nodes.iter().any(|n| n.id() == weir_core::sql::RESULT_SINK);
                let name = spec.name.clone().unwrap_or_else(|| "sql-gateway".into());
                let submission = Submission { name, source: JobSource::Sql(statement.to_string().into()), spec, mode: None };
                match launch(state, submission) {
                    Err(e) => OperationResult::Error(e),
                    Ok(jobid) if is_query => {
                        let sink = weir_core::sql::RESULT_SINK.to_string();
                        let columns =
                            state.registry.with(&jobid, |r| r.vertices.iter().find(|v| v.id == sink).map(|v| v.columns.clone())).flatten().unwrap_or_default();
                        OperationResult::Query { jobid, sink, columns }
                    }
                    Ok(jobid) => OperationResult::Table {
                        columns: string_columns(&["job id"]),
                        rows: vec![vec![serde_json::Value::String(jobid.clone())]],
                        jobid: Some(jobid),
                    },
                }
            }
        };
        if matches!(result, OperationResult::Error(_)) {
            break;
        }
    }
    result
}

/// Flink's operation status of `operation`: RUNNING while its job runs, then FINISHED, ERROR
/// or CANCELED.
pub fn status(state: &AppState, operation: &Operation) -> &'static str {
    if operation.canceled {
        return "CANCELED";
    }
    match &operation.result {
        OperationResult::Error(_) => "ERROR",
        OperationResult::Table { .. } => "FINISHED",
        OperationResult::Query { jobid, .. } => match state.registry.with(jobid, |r| r.state) {
            Some(JobState::Created | JobState::Running | JobState::Restarting) => "RUNNING",
            Some(JobState::Finished) => "FINISHED",
            Some(JobState::Canceled) => "CANCELED",
            Some(JobState::Failed) | None => "ERROR",
        },
    }
}

/// A column in Flink's result shape.
#[derive(Serialize, ToSchema)]
pub struct ResultColumn {
    /// Column name.
    pub name: String,
    /// `{"type": "BIGINT", "nullable": true}`.
    #[serde(rename = "logicalType")]
    #[schema(value_type = Object)]
    pub logical_type: serde_json::Value,
    /// Always null.
    pub comment: Option<String>,
}

/// One row: its change kind and its fields.
#[derive(Serialize, ToSchema)]
pub struct ResultRow {
    /// `INSERT`, `UPDATE_BEFORE`, `UPDATE_AFTER` or `DELETE`.
    pub kind: String,
    /// Field values.
    #[schema(value_type = Vec<Object>)]
    pub fields: Vec<serde_json::Value>,
}

/// The rows of one page.
#[derive(Serialize, ToSchema)]
pub struct ResultSet {
    /// The columns.
    pub columns: Vec<ResultColumn>,
    /// Always `JSON`.
    #[serde(rename = "rowFormat")]
    pub row_format: String,
    /// The rows.
    pub data: Vec<ResultRow>,
}

/// Answer of `GET .../operations/{o}/result/{token}`.
#[derive(Serialize, ToSchema)]
pub struct FetchResultsResponse {
    /// `PAYLOAD` (rows), `NOT_READY` (ask again) or `EOS` (no more rows).
    #[serde(rename = "resultType")]
    pub result_type: String,
    /// Whether the rows come from a query.
    #[serde(rename = "isQueryResult")]
    pub is_query_result: bool,
    /// The job the statement started, if any.
    #[serde(rename = "jobID", skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
    /// `SUCCESS_WITH_CONTENT` or `SUCCESS`.
    #[serde(rename = "resultKind")]
    pub result_kind: String,
    /// The rows.
    pub results: ResultSet,
    /// Where the next page is; absent at `EOS`.
    #[serde(rename = "nextResultUri", skip_serializing_if = "Option::is_none")]
    pub next_result_uri: Option<String>,
}

fn result_columns(columns: &[ColumnInfo]) -> Vec<ResultColumn> {
    columns
        .iter()
        .map(|c| {
            let base = c.data_type.split('(').next().unwrap_or(&c.data_type).trim().to_string();
            ResultColumn { name: c.name.clone(), logical_type: serde_json::json!({"type": base, "nullable": true, "typeString": c.data_type}), comment: None }
        })
        .collect()
}

/// Page `token` of an operation's result; `base` is the result URI without the token.
pub fn fetch(state: &AppState, operation: &mut Operation, token: usize, base: &str) -> Result<FetchResultsResponse, ApiError> {
    let Some(&start) = operation.page_starts.get(token) else {
        return Err(ApiError::NotFound(format!("result token {token} does not exist yet (next token: {})", operation.page_starts.len() - 1)));
    };
    let next = |t: usize| Some(format!("{base}/{t}?rowFormat=JSON"));
    match &operation.result {
        OperationResult::Error(e) => Err(e.clone()),
        OperationResult::Table { columns, rows, jobid } => {
            let page: Vec<ResultRow> = rows.iter().skip(start).take(PAGE_ROWS).map(|r| ResultRow { kind: "INSERT".into(), fields: r.clone() }).collect();
            let eos = page.is_empty();
            if !eos && operation.page_starts.len() == token + 1 {
                operation.page_starts.push(start + page.len());
            }
            Ok(FetchResultsResponse {
                result_type: if eos { "EOS" } else { "PAYLOAD" }.into(),
                is_query_result: false,
                job_id: jobid.clone(),
                result_kind: "SUCCESS_WITH_CONTENT".into(),
                results: ResultSet { columns: result_columns(columns), row_format: "JSON".into(), data: page },
                next_result_uri: if eos { None } else { next(token + 1) },
            })
        }
        OperationResult::Query { jobid, sink, columns } => {
            let job_state = state.registry.with(jobid, |r| r.state).unwrap_or(JobState::Failed);
            if job_state == JobState::Failed {
                let why = state.registry.with(jobid, |r| r.failure.as_ref().map(|f| f.message.clone())).flatten().unwrap_or_default();
                return Err(ApiError::BadRequest(format!("the query's job {jobid} failed: {why}")));
            }
            let live = state.live(jobid).ok_or_else(|| ApiError::NotFound(format!("the rows of job {jobid} are no longer kept")))?;
            let end = operation.page_starts.get(token + 1).copied();
            // Changes older than the kept ring (`--max-result-rows`) are skipped.
            let read = live.results.sink(sink).read_log(start as u64, end.map_or(PAGE_ROWS, |e| e.saturating_sub(start)));
            let first = read.first as usize;
            let data: Vec<ResultRow> = read.changes.iter().map(|(k, r)| ResultRow { kind: kind_name(*k).into(), fields: row_json(r) }).collect();
            let (result_type, next_uri) = if !data.is_empty() {
                if end.is_none() {
                    operation.page_starts.push(first + data.len());
                }
                ("PAYLOAD", next(token + 1))
            } else if job_state.is_terminal() || operation.canceled {
                ("EOS", None)
            } else {
                ("NOT_READY", next(token))
            };
            Ok(FetchResultsResponse {
                result_type: result_type.into(),
                is_query_result: true,
                job_id: Some(jobid.clone()),
                result_kind: "SUCCESS_WITH_CONTENT".into(),
                results: ResultSet { columns: result_columns(columns), row_format: "JSON".into(), data },
                next_result_uri: next_uri,
            })
        }
    }
}

/// Cancels the job behind an operation, if it still runs.
pub fn cancel(state: &AppState, operation: &mut Operation) {
    operation.canceled = true;
    if let OperationResult::Query { jobid, .. } = &operation.result {
        state.registry.update(jobid, |r| {
            r.cancel_reason.get_or_insert_with(|| "cancelled through the SQL gateway".into());
        });
        if let Some(live) = state.live(jobid) {
            live.cancel.cancel();
        }
    }
}
