//! Metrics: `GET /jobs/{jobid}/metrics` (Flink's `[{"id", "value"}]` list) and `GET /metrics`
//! (Prometheus text format: jobs by state, restarts and checkpoint figures per job, records in/out per operator).

use std::fmt::Write;

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::server::error::{ApiError, ErrorBody};
use crate::server::extract::{ApiPath, ApiQuery};
use crate::server::registry::{JobRecord, JobState, VertexCounts, now_ms};
use crate::server::state::AppState;

use super::jobs::{JobPath, find, vertex_counts};

/// One metric, as Flink lists them (values are strings).
#[derive(Serialize, ToSchema)]
pub struct MetricValue {
    /// Metric name (`numRecordsIn`, `<vertex>.numRecordsOut`, `uptime`, ...).
    pub id: String,
    /// Its value.
    pub value: String,
}

/// Query of `GET /jobs/{jobid}/metrics`.
#[derive(Deserialize, IntoParams)]
pub struct MetricsQuery {
    /// Comma-separated metric names to return (default: all).
    pub get: Option<String>,
}

/// A job's metrics: totals, uptime, restarts, checkpoint figures with Flink's names, and per-vertex record counts.
#[utoipa::path(get, path = "/jobs/{jobid}/metrics", tag = "jobs", params(JobPath, MetricsQuery),
    responses((status = 200, body = Vec<MetricValue>), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn job_metrics(
    State(state): State<AppState>,
    ApiPath(path): ApiPath<JobPath>,
    ApiQuery(query): ApiQuery<MetricsQuery>,
) -> Result<Json<Vec<MetricValue>>, ApiError> {
    let record = find(&state, &path.jobid)?;
    let counts = vertex_counts(&state, &record);
    // A node merged by sub-plan reuse shows the counters of the node computing its rows, a
    // fused window those of its aggregate: the job's totals count them once.
    let computed = record.vertices.iter().zip(&counts).filter(|(v, _)| v.reused_as.is_none() && v.fused_into.is_none()).map(|(_, c)| c);
    let mut metrics = vec![
        ("uptime".to_string(), if record.state == JobState::Running { record.duration(now_ms()) } else { 0 }.to_string()),
        ("numRecordsIn".into(), computed.clone().map(|c| c.records_in).sum::<u64>().to_string()),
        ("numRecordsOut".into(), computed.clone().map(|c| c.records_out).sum::<u64>().to_string()),
        ("numRecordsSkipped".into(), computed.map(|c| c.records_skipped).sum::<u64>().to_string()),
        ("numRestarts".into(), restarts(&state, &record).to_string()),
    ];
    for (name, value) in checkpoint_metrics(&state, &record) {
        metrics.push((name.to_string(), value.to_string()));
    }
    for (v, c) in record.vertices.iter().zip(&counts) {
        metrics.push((format!("{}.numRecordsIn", v.id), c.records_in.to_string()));
        metrics.push((format!("{}.numRecordsOut", v.id), c.records_out.to_string()));
        metrics.push((format!("{}.numRecordsSkipped", v.id), c.records_skipped.to_string()));
    }
    let wanted: Option<Vec<&str>> = query.get.as_deref().map(|g| g.split(',').map(str::trim).collect());
    Ok(Json(
        metrics.into_iter().filter(|(id, _)| wanted.as_ref().is_none_or(|w| w.contains(&id.as_str()))).map(|(id, value)| MetricValue { id, value }).collect(),
    ))
}

/// How many times a job restarted: live while it runs, as recorded once it ended.
fn restarts(state: &AppState, record: &JobRecord) -> u64 {
    match state.live(&record.jid) {
        Some(live) if !record.state.is_terminal() => record.restarts + live.attempts.restarts(),
        _ => record.restarts,
    }
}

/// The job's checkpoint metrics with Flink's names (`lastCheckpointDuration`, ...), when it has
/// checkpoint statistics ([`super::checkpoints::reported`]); none otherwise.
fn checkpoint_metrics(state: &AppState, record: &JobRecord) -> Vec<(&'static str, i64)> {
    super::checkpoints::reported(state, record).map(|c| c.stats().snapshot().flink_metrics()).unwrap_or_default()
}

/// Picks one counter of a vertex.
type CountOf = fn(&VertexCounts) -> u64;

/// A Prometheus label value, escaped.
fn label(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// Server metrics in Prometheus text format.
#[utoipa::path(get, path = "/metrics", tag = "cluster", responses((status = 200, description = "Prometheus text exposition format", body = String, content_type = "text/plain")))]
pub async fn prometheus(State(state): State<AppState>) -> impl IntoResponse {
    let mut out = String::new();
    let _ = writeln!(out, "# HELP weir_jobs Jobs known to the server, by state.\n# TYPE weir_jobs gauge");
    for (s, n) in state.job_counts() {
        let _ = writeln!(out, "weir_jobs{{state=\"{}\"}} {n}", s.name());
    }
    let _ = writeln!(out, "# HELP weir_uptime_seconds Seconds since the server started.\n# TYPE weir_uptime_seconds gauge");
    let _ = writeln!(out, "weir_uptime_seconds {}", (now_ms() - state.started_at) as f64 / 1000.0);
    let _ = writeln!(out, "# HELP weir_sql_gateway_sessions Open SQL gateway sessions.\n# TYPE weir_sql_gateway_sessions gauge");
    let _ = writeln!(out, "weir_sql_gateway_sessions {}", state.sessions.len());
    let mut jobs = state.registry.all();
    jobs.sort_by(|a, b| a.jid.cmp(&b.jid));
    let series: [(&str, &str, CountOf); 3] = [
        ("weir_operator_records_in_total", "Records an operator's inputs produced.", |c| c.records_in),
        ("weir_operator_records_out_total", "Records an operator produced.", |c| c.records_out),
        ("weir_operator_records_skipped_total", "Malformed records an operator skipped.", |c| c.records_skipped),
    ];
    let _ =
        writeln!(out, "# HELP weir_job_restarts_total Times a job restarted after a failure (Flink's numRestarts).\n# TYPE weir_job_restarts_total counter");
    for job in &jobs {
        let _ = writeln!(out, "weir_job_restarts_total{{job_id=\"{}\",job_name=\"{}\"}} {}", job.jid, label(&job.name), restarts(&state, job));
    }
    let checkpointed: Vec<(&JobRecord, Vec<(&'static str, i64)>)> =
        jobs.iter().map(|j| (j, checkpoint_metrics(&state, j))).filter(|(_, m)| !m.is_empty()).collect();
    if let Some((_, first)) = checkpointed.first() {
        for (i, (name, _)) in first.iter().enumerate() {
            let _ = writeln!(out, "# HELP weir_job_{name} Flink's job metric {name} (checkpoints; -1: none yet).\n# TYPE weir_job_{name} gauge");
            for (job, metrics) in &checkpointed {
                let _ = writeln!(out, "weir_job_{name}{{job_id=\"{}\",job_name=\"{}\"}} {}", job.jid, label(&job.name), metrics[i].1);
            }
        }
    }
    let counts: Vec<_> = jobs.iter().map(|j| vertex_counts(&state, j)).collect();
    for (name, help, get) in series {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
        for (job, counts) in jobs.iter().zip(&counts) {
            for (v, c) in job.vertices.iter().zip(counts) {
                let _ = writeln!(
                    out,
                    "{name}{{job_id=\"{}\",job_name=\"{}\",operator=\"{}\",kind=\"{}\"}} {}",
                    job.jid,
                    label(&job.name),
                    label(&v.id),
                    label(&v.kind),
                    get(c)
                );
            }
        }
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], out)
}
