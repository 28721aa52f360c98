//! `/jobs`: submit, list, inspect and cancel jobs, with Flink's paths and JSON shapes.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::server::error::{ApiError, ErrorBody};
use crate::server::extract::{ApiJson, ApiPath, ApiQuery};
use crate::server::registry::{ColumnInfo, JobRecord, JobState, VertexCounts, now_ms};
use crate::server::state::AppState;
use crate::server::submit::{SubmitJobRequest, launch, parse_job_id, plan_request};

/// Answer of `POST /jobs`.
#[derive(Serialize, ToSchema)]
pub struct SubmitJobResponse {
    /// The new job's id: 32 hex characters.
    pub jobid: String,
}

/// Submits a job: a SQL script or a JSON job spec. Answers once it is validated and started.
#[utoipa::path(post, path = "/jobs", tag = "jobs", request_body = SubmitJobRequest,
    responses((status = 200, body = SubmitJobResponse), (status = 400, description = "SQL error (with line/column) or invalid spec (with JSON path)", body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn submit(State(state): State<AppState>, ApiJson(request): ApiJson<SubmitJobRequest>) -> Result<Json<SubmitJobResponse>, ApiError> {
    let jobid = tokio::task::spawn_blocking(move || launch(&state, plan_request(&state, request)?))
        .await
        .map_err(|e| ApiError::Internal(format!("job submission panicked: {e}")))??;
    Ok(Json(SubmitJobResponse { jobid }))
}

/// One entry of `GET /jobs`.
#[derive(Serialize, ToSchema)]
pub struct JobIdStatus {
    /// Job id.
    pub id: String,
    /// State.
    pub status: JobState,
}

/// Answer of `GET /jobs`.
#[derive(Serialize, ToSchema)]
pub struct JobList {
    /// Every job, newest first.
    pub jobs: Vec<JobIdStatus>,
}

fn newest_first(state: &AppState) -> Vec<JobRecord> {
    let mut jobs: Vec<JobRecord> = state.registry.all().into_iter().map(|r| state.shown(r)).collect();
    jobs.sort_by(|a, b| b.start_time().cmp(&a.start_time()).then_with(|| a.jid.cmp(&b.jid)));
    jobs
}

/// Lists job ids and states.
#[utoipa::path(get, path = "/jobs", tag = "jobs", responses((status = 200, body = JobList)))]
pub async fn list(State(state): State<AppState>) -> Json<JobList> {
    Json(JobList { jobs: newest_first(&state).into_iter().map(|j| JobIdStatus { id: j.jid, status: j.state }).collect() })
}

/// Flink's task states (`ExecutionState`): its clients read a count for every one of them.
pub const EXECUTION_STATES: [&str; 10] =
    ["CREATED", "SCHEDULED", "DEPLOYING", "RUNNING", "FINISHED", "CANCELING", "CANCELED", "FAILED", "RECONCILING", "INITIALIZING"];

/// Flink's job states (`JobStatus`), the keys of a job's `timestamps`.
pub const JOB_STATUSES: [&str; 11] =
    ["INITIALIZING", "CREATED", "RUNNING", "FAILING", "FAILED", "CANCELLING", "CANCELED", "FINISHED", "RESTARTING", "SUSPENDED", "RECONCILING"];

/// `tasks` tasks in the state of `state`, and none in every other task state (upper-case
/// names, as Flink's `status-counts` and a vertex's `tasks`).
fn state_counts(state: JobState, tasks: usize) -> BTreeMap<String, usize> {
    let mut counts: BTreeMap<String, usize> = EXECUTION_STATES.iter().map(|s| (s.to_string(), 0)).collect();
    // Weir's job states are task states too, but for RESTARTING: its tasks wait to be
    // deployed again.
    let task_state = if state == JobState::Restarting { "CREATED" } else { state.name() };
    counts.insert(task_state.to_string(), tasks);
    counts
}

/// Task counts per state of a job's vertices (Flink's `tasks` of `/jobs/overview`: every
/// task state in lower case, plus `total`).
fn task_counts(record: &JobRecord) -> BTreeMap<String, usize> {
    let mut tasks: BTreeMap<String, usize> = state_counts(record.state, record.vertices.len()).into_iter().map(|(k, v)| (k.to_lowercase(), v)).collect();
    tasks.insert("total".into(), record.vertices.len());
    tasks
}

/// One entry of `GET /jobs/overview`.
#[derive(Serialize, ToSchema)]
pub struct JobOverview {
    /// Job id.
    pub jid: String,
    /// Name.
    pub name: String,
    /// State.
    pub state: JobState,
    /// Accepted at, ms since the epoch.
    #[serde(rename = "start-time")]
    pub start_time: i64,
    /// Ended at, or -1.
    #[serde(rename = "end-time")]
    pub end_time: i64,
    /// Milliseconds run so far.
    pub duration: i64,
    /// Last state change.
    #[serde(rename = "last-modification")]
    pub last_modification: i64,
    /// Vertices per task state (every one of Flink's, lower case), plus `total`.
    pub tasks: BTreeMap<String, usize>,
    /// `BATCH` or `STREAMING` (Flink's `jobType`).
    #[serde(rename = "jobType")]
    pub job_type: String,
    /// Flink's scheduler name; always `Default`.
    #[serde(rename = "schedulerType")]
    pub scheduler_type: String,
    /// Operators waiting for resources (Flink's field); always 0.
    #[serde(rename = "pending-operators")]
    pub pending_operators: usize,
}

/// Answer of `GET /jobs/overview`.
#[derive(Serialize, ToSchema)]
pub struct JobsOverview {
    /// Every job, newest first.
    pub jobs: Vec<JobOverview>,
}

/// Lists jobs with name, state and times.
#[utoipa::path(get, path = "/jobs/overview", tag = "jobs", responses((status = 200, body = JobsOverview)))]
pub async fn overview(State(state): State<AppState>) -> Json<JobsOverview> {
    let now = now_ms();
    let jobs = newest_first(&state)
        .into_iter()
        .map(|j| JobOverview {
            start_time: j.start_time(),
            end_time: j.end_time().unwrap_or(-1),
            duration: j.duration(now),
            last_modification: j.timestamps.values().copied().max().unwrap_or(0),
            tasks: task_counts(&j),
            job_type: j.job_type.clone(),
            scheduler_type: "Default".into(),
            pending_operators: 0,
            jid: j.jid,
            name: j.name,
            state: j.state,
        })
        .collect();
    Json(JobsOverview { jobs })
}

/// The record of a job, or 400 (bad id) / 404 (unknown).
pub fn find(state: &AppState, jobid: &str) -> Result<JobRecord, ApiError> {
    let jid = parse_job_id(jobid)?;
    state.registry.get(&jid).map(|r| state.shown(r)).ok_or_else(|| ApiError::no_job(&jid))
}

/// Per-vertex counters: live while the job runs here, the final ones otherwise.
pub fn vertex_counts(state: &AppState, record: &JobRecord) -> Vec<VertexCounts> {
    let counts = match state.live(&record.jid) {
        Some(live) if !record.state.is_terminal() => live.counts(),
        _ => record.final_counts.clone(),
    };
    (0..record.vertices.len()).map(|i| counts.get(i).copied().unwrap_or_default()).collect()
}

/// Flink's per-vertex metrics (`IOMetricsInfo`). Weir counts records, not bytes: the byte
/// counters and the busy/idle/back-pressured times are 0.
#[derive(Serialize, ToSchema)]
pub struct VertexMetrics {
    /// Always 0 (Weir counts records).
    #[serde(rename = "read-bytes")]
    pub read_bytes: u64,
    /// Whether `read-bytes` is final.
    #[serde(rename = "read-bytes-complete")]
    pub read_bytes_complete: bool,
    /// Always 0 (Weir counts records).
    #[serde(rename = "write-bytes")]
    pub write_bytes: u64,
    /// Whether `write-bytes` is final.
    #[serde(rename = "write-bytes-complete")]
    pub write_bytes_complete: bool,
    /// Always 0 (not measured).
    #[serde(rename = "accumulated-backpressured-time")]
    pub accumulated_backpressured_time: u64,
    /// Always 0 (not measured).
    #[serde(rename = "accumulated-idle-time")]
    pub accumulated_idle_time: u64,
    /// Always 0 (not measured).
    #[serde(rename = "accumulated-busy-time")]
    pub accumulated_busy_time: f64,
    /// Records the vertex read.
    #[serde(rename = "read-records")]
    pub read_records: u64,
    /// Whether `read-records` is final.
    #[serde(rename = "read-records-complete")]
    pub read_records_complete: bool,
    /// Records the vertex wrote.
    #[serde(rename = "write-records")]
    pub write_records: u64,
    /// Whether `write-records` is final.
    #[serde(rename = "write-records-complete")]
    pub write_records_complete: bool,
    /// Malformed records skipped (sources with `ignore-parse-errors`).
    #[serde(rename = "records-skipped")]
    pub records_skipped: u64,
    /// The vertex's current event-time watermark (epoch ms), absent without event time
    /// (Flink shows "No Watermark").
    #[serde(rename = "current-watermark", skip_serializing_if = "Option::is_none")]
    pub current_watermark: Option<u64>,
}

/// One vertex of `GET /jobs/{jobid}`.
#[derive(Serialize, ToSchema)]
pub struct VertexDetails {
    /// Plan node id.
    pub id: String,
    /// Flink's field; always `default`.
    #[serde(rename = "slotSharingGroupId")]
    pub slot_sharing_group_id: String,
    /// Node kind and id (`aggregate per_auction`).
    pub name: String,
    /// Worker threads.
    pub parallelism: usize,
    /// Flink's field; always -1.
    #[serde(rename = "maxParallelism")]
    pub max_parallelism: i64,
    /// The vertex's state (the job's).
    pub status: JobState,
    /// ms since the epoch.
    #[serde(rename = "start-time")]
    pub start_time: i64,
    /// ms since the epoch, or -1.
    #[serde(rename = "end-time")]
    pub end_time: i64,
    /// ms.
    pub duration: i64,
    /// Subtasks per task state (all of them in the vertex's state).
    pub tasks: BTreeMap<String, usize>,
    /// Record counters.
    pub metrics: VertexMetrics,
}

/// Answer of `GET /jobs/{jobid}`.
#[derive(Serialize, ToSchema)]
pub struct JobDetails {
    /// Job id.
    pub jid: String,
    /// Name.
    pub name: String,
    /// Flink's field; always false.
    #[serde(rename = "isStoppable")]
    pub is_stoppable: bool,
    /// State.
    pub state: JobState,
    /// `BATCH` or `STREAMING`.
    #[serde(rename = "job-type")]
    pub job_type: String,
    /// Accepted at, ms since the epoch.
    #[serde(rename = "start-time")]
    pub start_time: i64,
    /// Ended at, or -1.
    #[serde(rename = "end-time")]
    pub end_time: i64,
    /// Milliseconds run.
    pub duration: i64,
    /// Flink's field; always -1.
    #[serde(rename = "maxParallelism")]
    pub max_parallelism: i64,
    /// Server time of this answer.
    pub now: i64,
    /// When the job entered each of Flink's job states (0: never).
    pub timestamps: BTreeMap<String, i64>,
    /// Plan nodes with their counters.
    pub vertices: Vec<VertexDetails>,
    /// Vertices per task state.
    #[serde(rename = "status-counts")]
    pub status_counts: BTreeMap<String, usize>,
    /// The dataflow plan, as `/jobs/{jobid}/plan` has it.
    pub plan: JobPlan,
    /// Sinks whose results `/jobs/{jobid}/results/{sink}` serves.
    #[serde(rename = "result-sinks")]
    pub result_sinks: Vec<String>,
    /// Why the job failed, if it did.
    #[serde(rename = "failure-cause", skip_serializing_if = "Option::is_none")]
    pub failure_cause: Option<String>,
    /// Why it was cancelled, if it was.
    #[serde(rename = "cancel-reason", skip_serializing_if = "Option::is_none")]
    pub cancel_reason: Option<String>,
}

/// The path parameter of job endpoints.
#[derive(Deserialize, IntoParams)]
pub struct JobPath {
    /// The job id: 32 hex characters.
    #[param(pattern = "^[0-9a-fA-F]{32}$")]
    pub jobid: String,
}

/// A job's state, times and per-vertex record counts.
#[utoipa::path(get, path = "/jobs/{jobid}", tag = "jobs", params(JobPath),
    responses((status = 200, body = JobDetails), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn details(State(state): State<AppState>, ApiPath(path): ApiPath<JobPath>) -> Result<Json<JobDetails>, ApiError> {
    let record = find(&state, &path.jobid)?;
    let now = now_ms();
    let complete = record.state.is_terminal();
    let counts = vertex_counts(&state, &record);
    let vertices = record
        .vertices
        .iter()
        .zip(counts)
        .map(|(v, c)| VertexDetails {
            id: v.id.clone(),
            slot_sharing_group_id: "default".into(),
            name: format!("{} {}", v.kind, v.id),
            parallelism: record.parallelism,
            max_parallelism: -1,
            status: record.state,
            start_time: record.start_time(),
            end_time: record.end_time().unwrap_or(-1),
            duration: record.duration(now),
            tasks: state_counts(record.state, record.parallelism),
            metrics: VertexMetrics {
                read_bytes: 0,
                read_bytes_complete: complete,
                write_bytes: 0,
                write_bytes_complete: complete,
                accumulated_backpressured_time: 0,
                accumulated_idle_time: 0,
                accumulated_busy_time: 0.0,
                read_records: c.records_in,
                read_records_complete: complete,
                write_records: c.records_out,
                write_records_complete: complete,
                records_skipped: c.records_skipped,
                current_watermark: c.watermark,
            },
        })
        .collect();
    Ok(Json(JobDetails {
        start_time: record.start_time(),
        end_time: record.end_time().unwrap_or(-1),
        duration: record.duration(now),
        timestamps: JOB_STATUSES
            .iter()
            .map(|name| (name.to_string(), record.timestamps.iter().find(|(s, _)| s.name() == *name).map_or(0, |(_, t)| *t)))
            .collect(),
        status_counts: state_counts(record.state, record.vertices.len()),
        plan: job_plan(&record),
        failure_cause: record.failure.as_ref().map(|f| crate::server::error_text::bounded(&f.message).into_owned()),
        cancel_reason: record.cancel_reason.clone(),
        is_stoppable: false,
        max_parallelism: -1,
        now,
        vertices,
        jid: record.jid,
        name: record.name,
        state: record.state,
        job_type: record.job_type,
        result_sinks: record.result_sinks,
    }))
}

/// Answer of `GET /jobs/{jobid}/status` (Flink's `JobStatusInfo`).
#[derive(Serialize, ToSchema)]
pub struct JobStatusInfo {
    /// State.
    pub status: JobState,
}

/// A job's state alone (what Flink's job clients poll).
#[utoipa::path(get, path = "/jobs/{jobid}/status", tag = "jobs", params(JobPath),
    responses((status = 200, body = JobStatusInfo), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn status(State(state): State<AppState>, ApiPath(path): ApiPath<JobPath>) -> Result<Json<JobStatusInfo>, ApiError> {
    Ok(Json(JobStatusInfo { status: find(&state, &path.jobid)?.state }))
}

/// Query of `PATCH /jobs/{jobid}`.
#[derive(Deserialize, IntoParams)]
pub struct PatchQuery {
    /// `cancel` (the only mode).
    pub mode: Option<String>,
}

/// Cancels a job (`?mode=cancel`): 202, and the job reaches CANCELED once its workers stop.
#[utoipa::path(patch, path = "/jobs/{jobid}", tag = "jobs", params(JobPath, PatchQuery),
    responses((status = 202, description = "cancellation requested", body = Object), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "the job already finished or failed", body = ErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    ApiPath(path): ApiPath<JobPath>,
    ApiQuery(query): ApiQuery<PatchQuery>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    match query.mode.as_deref() {
        Some("cancel") | None => {}
        Some(other) => return Err(ApiError::BadRequest(format!("unsupported mode \"{other}\": only ?mode=cancel"))),
    }
    let record = find(&state, &path.jobid)?;
    match record.state {
        JobState::Finished | JobState::Failed => {
            return Err(ApiError::Conflict(format!("job {} is already {}", record.jid, record.state.name())));
        }
        JobState::Canceled => {}
        JobState::Created | JobState::Running | JobState::Restarting => {
            state.registry.update(&record.jid, |r| {
                r.cancel_reason.get_or_insert_with(|| "cancelled by a client (PATCH /jobs/{jobid}?mode=cancel)".into());
            });
            if let Some(live) = state.live(&record.jid) {
                live.cancel.cancel();
            }
            tracing::info!(jobid = %record.jid, "cancel requested");
        }
    }
    Ok((StatusCode::ACCEPTED, Json(serde_json::json!({}))))
}

/// One input of a plan node.
#[derive(Serialize, ToSchema)]
pub struct PlanInput {
    /// Position among the node's inputs.
    pub num: usize,
    /// The input node's id.
    pub id: String,
    /// How rows move (Flink's field): `HASH` for keyed nodes, else `FORWARD`.
    pub ship_strategy: String,
    /// Flink's field: `pipelined_bounded`.
    pub exchange: String,
}

/// One node of `GET /jobs/{jobid}/plan`.
#[derive(Serialize, ToSchema)]
pub struct PlanNode {
    /// Node id.
    pub id: String,
    /// Worker threads.
    pub parallelism: usize,
    /// Node kind.
    pub operator: String,
    /// Connector of sources and sinks.
    pub operator_strategy: String,
    /// Kind, id and output columns.
    pub description: String,
    /// Its inputs.
    pub inputs: Vec<PlanInput>,
    /// Output columns.
    pub columns: Vec<ColumnInfo>,
}

/// The plan of a job.
#[derive(Serialize, ToSchema)]
pub struct JobPlan {
    /// Job id.
    pub jid: String,
    /// Name.
    pub name: String,
    /// `BATCH` or `STREAMING`.
    #[serde(rename = "type")]
    pub job_type: String,
    /// Nodes, inputs first.
    pub nodes: Vec<PlanNode>,
}

/// Answer of `GET /jobs/{jobid}/plan`.
#[derive(Serialize, ToSchema)]
pub struct PlanResponse {
    /// The plan.
    pub plan: JobPlan,
}

/// A job's dataflow plan: nodes, inputs and output columns.
#[utoipa::path(get, path = "/jobs/{jobid}/plan", tag = "jobs", params(JobPath),
    responses((status = 200, body = PlanResponse), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn plan(State(state): State<AppState>, ApiPath(path): ApiPath<JobPath>) -> Result<Json<PlanResponse>, ApiError> {
    Ok(Json(PlanResponse { plan: job_plan(&find(&state, &path.jobid)?) }))
}

/// The dataflow plan of a job, in Flink's shape.
fn job_plan(record: &JobRecord) -> JobPlan {
    let nodes = record
        .vertices
        .iter()
        .map(|v| {
            let keyed = matches!(v.kind.as_str(), "aggregate" | "join" | "distinct" | "top_n" | "deduplicate");
            let columns: Vec<String> = v.columns.iter().map(|c| format!("{} {}", c.name, c.data_type)).collect();
            PlanNode {
                id: v.id.clone(),
                parallelism: record.parallelism,
                operator: v.kind.clone(),
                operator_strategy: v.connector.clone().unwrap_or_default(),
                description: format!("{} {}: ({})", v.kind, v.id, columns.join(", ")),
                inputs: v
                    .inputs
                    .iter()
                    .enumerate()
                    .map(|(num, id)| PlanInput {
                        num,
                        id: id.clone(),
                        ship_strategy: if keyed { "HASH" } else { "FORWARD" }.into(),
                        exchange: "pipelined_bounded".into(),
                    })
                    .collect(),
                columns: v.columns.clone(),
            }
        })
        .collect();
    JobPlan { jid: record.jid.clone(), name: record.name.clone(), job_type: record.job_type.clone(), nodes }
}
