//! `/jobs/{jobid}/results`: a job's collected output, as the current materialized table
//! (paginated) or as its changelog streamed live over Server-Sent Events.
//!
//! Rows are kept in memory by the server process that ran the job, bounded per sink by
//! `--max-result-rows` and `--max-result-bytes` (see [`crate::server::result_store`]): a page
//! says how many rows were `dropped` to stay within them. After a restart the registry still
//! knows the job but its rows are gone (404 says so).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, KeepAliveStream, Sse};
use futures_util::stream::{self, BoxStream, StreamExt};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::server::changelog::row_json;
use crate::server::error::{ApiError, ErrorBody};
use crate::server::extract::{ApiPath, ApiQuery};
use crate::server::registry::{ColumnInfo, JobRecord, JobState};
use crate::server::state::{AppState, LiveJob};

use super::jobs::find;

/// Default and largest page of `GET /jobs/{jobid}/results`.
const DEFAULT_LIMIT: usize = 1000;
const MAX_LIMIT: usize = 100_000;

/// Path of the default sink's results.
#[derive(Deserialize, IntoParams)]
pub struct ResultsPath {
    /// The job id: 32 hex characters.
    #[param(pattern = "^[0-9a-fA-F]{32}$")]
    pub jobid: String,
}

/// Path of a named sink's results.
#[derive(Deserialize, IntoParams)]
pub struct SinkResultsPath {
    /// The job id: 32 hex characters.
    #[param(pattern = "^[0-9a-fA-F]{32}$")]
    pub jobid: String,
    /// A sink id of the job (`result` for a SQL SELECT).
    pub sink: String,
}

/// Pagination of results.
#[derive(Deserialize, IntoParams)]
pub struct Page {
    /// First row to return (default 0).
    pub offset: Option<usize>,
    /// Most rows to return (default 1000, at most 100000).
    pub limit: Option<usize>,
}

/// Answer of `GET /jobs/{jobid}/results`.
#[derive(Serialize, ToSchema)]
pub struct ResultsPage {
    /// The sink the rows come from.
    pub sink: String,
    /// Column names.
    pub columns: Vec<String>,
    /// Column names with types.
    #[serde(rename = "column-types")]
    pub column_types: Vec<ColumnInfo>,
    /// The page of rows, in the order they were (last) added.
    pub rows: Vec<Vec<serde_json::Value>>,
    /// Offset of the first row.
    pub offset: usize,
    /// The limit asked for.
    pub limit: usize,
    /// Rows in the whole materialized result now.
    pub total: usize,
    /// The job's state when the rows were read.
    #[serde(rename = "job-state")]
    pub job_state: JobState,
    /// True once the job ended, so the result will not change.
    pub complete: bool,
    /// Rows evicted from the result to keep it within `--max-result-rows`/`--max-result-bytes`
    /// (the oldest first): for an append-only result, the table holds the newest rows.
    pub dropped: u64,
}

/// The sink to read: the named one, else the SQL result sink, else the only collected sink.
fn pick_sink(record: &JobRecord, sink: Option<&str>) -> Result<String, ApiError> {
    let sinks = &record.result_sinks;
    let listed = || if sinks.is_empty() { "none".to_string() } else { sinks.join(", ") };
    match sink {
        Some(s) if sinks.iter().any(|k| k == s) => Ok(s.to_string()),
        Some(s) => Err(ApiError::NotFound(format!("job {} has no collected sink \"{s}\" (collected sinks: {})", record.jid, listed()))),
        None if sinks.iter().any(|k| k == weir_core::sql::RESULT_SINK) => Ok(weir_core::sql::RESULT_SINK.to_string()),
        None if sinks.len() == 1 => Ok(sinks[0].clone()),
        None if sinks.is_empty() => Err(ApiError::NotFound(format!("job {} has no collect or print sink, so no results", record.jid))),
        None => Err(ApiError::BadRequest(format!("job {} has several sinks ({}); read /jobs/{}/results/{{sink}}", record.jid, listed(), record.jid))),
    }
}

fn columns_of(record: &JobRecord, sink: &str) -> Vec<ColumnInfo> {
    record.vertices.iter().find(|v| v.id == sink).map(|v| v.columns.clone()).unwrap_or_default()
}

fn live_of(state: &AppState, record: &JobRecord) -> Result<Arc<LiveJob>, ApiError> {
    state.live(&record.jid).ok_or_else(|| {
        ApiError::NotFound(format!(
            "the results of job {} are no longer kept: results live in memory, for the last {} ended jobs, until the server restarts or the job is evicted",
            record.jid,
            crate::server::state::KEPT_RESULTS
        ))
    })
}

async fn results_page(state: AppState, jobid: String, sink: Option<String>, page: Page) -> Result<Json<ResultsPage>, ApiError> {
    let record = find(&state, &jobid)?;
    let sink = pick_sink(&record, sink.as_deref())?;
    let live = live_of(&state, &record)?;
    // Read the state before the rows: if it says ended, the rows read after are all of them.
    let job_state = state.registry.with(&record.jid, |r| r.state).unwrap_or(record.state);
    let offset = page.offset.unwrap_or(0);
    let limit = page.limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT);
    let column_types = columns_of(&record, &sink);
    // O(log n + page) under the sink's lock, then JSON for the page: off the async threads.
    let store = live.results.sink(&sink);
    let (table, rows) = tokio::task::spawn_blocking(move || {
        let table = store.page(offset, limit);
        let rows: Vec<Vec<serde_json::Value>> = table.rows.iter().map(row_json).collect();
        (table, rows)
    })
    .await
    .map_err(|e| ApiError::Internal(format!("reading results panicked: {e}")))?;
    Ok(Json(ResultsPage {
        columns: column_types.iter().map(|c| c.name.clone()).collect(),
        column_types,
        total: table.total,
        rows,
        offset,
        limit,
        job_state,
        complete: job_state.is_terminal(),
        dropped: table.dropped,
        sink,
    }))
}

/// The current materialized result of the job's SELECT (or its only collected sink).
#[utoipa::path(get, path = "/jobs/{jobid}/results", tag = "results", params(ResultsPath, Page),
    responses((status = 200, body = ResultsPage), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn results(
    State(state): State<AppState>,
    ApiPath(path): ApiPath<ResultsPath>,
    ApiQuery(page): ApiQuery<Page>,
) -> Result<Json<ResultsPage>, ApiError> {
    results_page(state, path.jobid, None, page).await
}

/// The current materialized result of one sink.
#[utoipa::path(get, path = "/jobs/{jobid}/results/{sink}", tag = "results", params(SinkResultsPath, Page),
    responses((status = 200, body = ResultsPage), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn sink_results(
    State(state): State<AppState>,
    ApiPath(path): ApiPath<SinkResultsPath>,
    ApiQuery(page): ApiQuery<Page>,
) -> Result<Json<ResultsPage>, ApiError> {
    results_page(state, path.jobid, Some(path.sink), page).await
}

/// Where a changelog stream resumes.
#[derive(Deserialize, IntoParams)]
pub struct ChangesQuery {
    /// Changelog position to start from (default 0: the whole changelog).
    pub offset: Option<usize>,
}

/// How often a changelog stream looks for new rows.
const POLL: Duration = Duration::from_millis(100);

/// Most changes one SSE read takes from the log.
const SSE_BATCH: usize = 1024;

/// Follows a sink's changelog: events `change` (`{"op": "+I", "row": [...]}`, id = position)
/// until the job ends, then one `end` event (`{"state": "FINISHED"}`). When the follower fell
/// behind the kept part of the log, one `dropped` event (`{"from": a, "to": b}`) says which
/// positions it missed before the changes go on from `b`.
fn changes_stream(state: AppState, jid: String, live: Arc<LiveJob>, sink: String, offset: usize) -> ChangeStream {
    let ended = live.state.subscribe();
    let store = live.results.sink(&sink);
    stream::unfold(Some((offset as u64, ended)), move |cursor| {
        let (state, jid, store) = (state.clone(), jid.clone(), Arc::clone(&store));
        async move {
            let (mut offset, mut ended) = cursor?;
            loop {
                let done = ended.borrow().is_terminal();
                let read = store.read_log(offset, SSE_BATCH);
                let mut events: Vec<Result<Event, Infallible>> = Vec::new();
                if read.first > offset {
                    let data = serde_json::json!({"from": offset, "to": read.first});
                    events.push(Ok(Event::default().event("dropped").data(data.to_string())));
                    offset = read.first;
                }
                for (i, (kind, row)) in read.changes.iter().enumerate() {
                    let data = serde_json::json!({"op": kind.short(), "row": row_json(row)});
                    events.push(Ok(Event::default().event("change").id((offset + i as u64).to_string()).data(data.to_string())));
                }
                offset += read.changes.len() as u64;
                if !events.is_empty() {
                    return Some((stream::iter(events), Some((offset, ended))));
                }
                if done {
                    let final_state = state.registry.with(&jid, |r| r.state).unwrap_or(JobState::Failed);
                    let data = serde_json::json!({"state": final_state.name(), "changes": offset});
                    return Some((stream::iter(vec![Ok(Event::default().event("end").data(data.to_string()))]), None));
                }
                let _ = tokio::time::timeout(POLL, ended.changed()).await;
            }
        }
    })
    .flatten()
    .boxed()
}

/// A changelog as SSE events.
pub type ChangeStream = BoxStream<'static, Result<Event, Infallible>>;

fn changes_for(state: AppState, jobid: &str, sink: Option<&str>, offset: usize) -> Result<Sse<KeepAliveStream<ChangeStream>>, ApiError> {
    let record = find(&state, jobid)?;
    let sink = pick_sink(&record, sink)?;
    let live = live_of(&state, &record)?;
    Ok(Sse::new(changes_stream(state, record.jid, live, sink, offset)).keep_alive(KeepAlive::default()))
}

/// The changelog of the job's SELECT (or only collected sink) as Server-Sent Events, live.
#[utoipa::path(get, path = "/jobs/{jobid}/results/changes", tag = "results", params(ResultsPath, ChangesQuery),
    responses((status = 200, description = "`text/event-stream`: `change` events, then one `end` event", content_type = "text/event-stream", body = String),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn changes(
    State(state): State<AppState>,
    ApiPath(path): ApiPath<ResultsPath>,
    ApiQuery(query): ApiQuery<ChangesQuery>,
) -> Result<Sse<KeepAliveStream<ChangeStream>>, ApiError> {
    changes_for(state, &path.jobid, None, query.offset.unwrap_or(0))
}

/// The changelog of one sink as Server-Sent Events, live.
#[utoipa::path(get, path = "/jobs/{jobid}/results/{sink}/changes", tag = "results", params(SinkResultsPath, ChangesQuery),
    responses((status = 200, description = "`text/event-stream`: `change` events, then one `end` event", content_type = "text/event-stream", body = String),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn sink_changes(
    State(state): State<AppState>,
    ApiPath(path): ApiPath<SinkResultsPath>,
    ApiQuery(query): ApiQuery<ChangesQuery>,
) -> Result<Sse<KeepAliveStream<ChangeStream>>, ApiError> {
    changes_for(state, &path.jobid, Some(&path.sink), query.offset.unwrap_or(0))
}
