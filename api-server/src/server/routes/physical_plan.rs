//! The physical plan of a job, as `EXPLAIN` prints it: `GET /jobs/{jobid}/plan/physical` for a
//! submitted job, and `POST /jobs/explain` for a posted SQL script or job spec that is planned
//! but not run (Flink's `EXPLAIN PLAN FOR`).

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use weir_core::plan::{RuntimeMode, parse_job_spec};
use weir_core::prepare::{PrepareOptions, PreparedJob, ResultSinks};

use crate::server::error::{ApiError, ErrorBody};
use crate::server::extract::{ApiJson, ApiPath};
use crate::server::state::AppState;
use crate::server::submit::{SubmitJobRequest, check_paths, plan_request};

use super::jobs::{JobPath, find};

/// One operator of a physical plan.
#[derive(Serialize, ToSchema)]
pub struct PhysicalOperator {
    /// The plan node it runs.
    pub id: String,
    /// The operator, in Flink's vocabulary (`GroupAggregate`, `WindowAggregate`, ...).
    pub operator: String,
    /// Per input: the input node and how its rows are distributed (`forward`, `single`,
    /// `hash[keys]`).
    pub inputs: Vec<PhysicalInput>,
    /// The changes its output carries: `[I]`, `[I,UB,UA]`, `[I,UB,UA,D]`, `[I,D]`.
    #[serde(rename = "changelogMode")]
    pub changelog_mode: String,
    /// What it keeps between records and where, if anything.
    pub state: Option<String>,
    /// For a node merged into an equal one by sub-plan reuse (operator `Reused`): the node
    /// that computes its rows, which its readers read instead.
    #[serde(rename = "reusedAs", skip_serializing_if = "Option::is_none")]
    pub reused_as: Option<String>,
    /// For a window computed inside the aggregate reading it (operator `Fused`): that
    /// aggregate.
    #[serde(rename = "fusedInto", skip_serializing_if = "Option::is_none")]
    pub fused_into: Option<String>,
}

/// One input of a physical operator.
#[derive(Serialize, ToSchema)]
pub struct PhysicalInput {
    /// The input node.
    pub id: String,
    /// How its rows reach the operator's workers.
    pub exchange: String,
}

/// Answer of the physical plan endpoints.
#[derive(Serialize, ToSchema)]
pub struct PhysicalPlanResponse {
    /// `BATCH` or `STREAMING`: the mode the operators were chosen for.
    #[serde(rename = "type")]
    pub job_type: String,
    /// The plan as `EXPLAIN CHANGELOG_MODE` prints it.
    pub plan: String,
    /// The operators, inputs first (fused ones included, as `Fused`; nodes merged by sub-plan
    /// reuse as `Reused`, with no inputs).
    pub operators: Vec<PhysicalOperator>,
}

fn response(job: &PreparedJob) -> PhysicalPlanResponse {
    let logical = &job.plan.logical;
    let operators = job
        .plan
        .iter()
        .map(|(node, phys)| PhysicalOperator {
            id: node.id.clone(),
            operator: match phys.operator {
                weir_core::physical::Operator::Fused { .. } => "Fused".into(),
                ref other => other.name().into(),
            },
            inputs: node
                .inputs
                .iter()
                .zip(&phys.exchanges)
                .map(|(&i, exchange)| PhysicalInput { id: logical.nodes.get(i).map(|n| n.id.clone()).unwrap_or_default(), exchange: exchange.to_string() })
                .collect(),
            changelog_mode: phys.changelog.to_string(),
            state: phys.state.as_ref().map(ToString::to_string),
            reused_as: match phys.operator {
                weir_core::physical::Operator::Reused { of } => logical.nodes.get(of).map(|n| n.id.clone()),
                _ => None,
            },
            fused_into: phys.operator.fused_into().and_then(|into| logical.nodes.get(into)).map(|n| n.id.clone()),
        })
        .collect();
    let job_type = if job.mode() == RuntimeMode::Batch { "BATCH" } else { "STREAMING" };
    PhysicalPlanResponse { job_type: job_type.into(), plan: job.explain(true), operators }
}

/// The physical plan of a submitted job: its spec as it ran, planned again for its mode.
#[utoipa::path(get, path = "/jobs/{jobid}/plan/physical", tag = "jobs", params(JobPath),
    responses((status = 200, body = PhysicalPlanResponse), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn job_physical_plan(State(state): State<AppState>, ApiPath(path): ApiPath<JobPath>) -> Result<Json<PhysicalPlanResponse>, ApiError> {
    let record = find(&state, &path.jobid)?;
    let mode = if record.job_type == "BATCH" { RuntimeMode::Batch } else { RuntimeMode::Streaming };
    let job = tokio::task::spawn_blocking(move || {
        let spec = parse_job_spec(&record.spec).map_err(|e| ApiError::InvalidSpec(format!("the job's spec no longer reads: {e}")))?;
        PreparedJob::prepare(spec, &PrepareOptions { mode: Some(mode), ..PrepareOptions::default() })
            .map_err(|e| ApiError::InvalidSpec(format!("the job no longer plans: {e}")))
    })
    .await
    .map_err(|e| ApiError::Internal(format!("planning panicked: {e}")))??;
    Ok(Json(response(&job)))
}

/// Plans a posted job (the body of `POST /jobs`) without running it and answers with its
/// physical plan; errors are those `POST /jobs` would answer with.
#[utoipa::path(post, path = "/jobs/explain", tag = "jobs", request_body = SubmitJobRequest,
    responses((status = 200, body = PhysicalPlanResponse), (status = 400, description = "SQL error (with line/column) or invalid spec (with JSON path)", body = ErrorBody),
        (status = 413, body = ErrorBody)))]
pub async fn explain(State(state): State<AppState>, ApiJson(request): ApiJson<SubmitJobRequest>) -> Result<Json<PhysicalPlanResponse>, ApiError> {
    let job = tokio::task::spawn_blocking(move || {
        let mut submission = plan_request(&state, request)?;
        // Planning lists a source's files: only paths a job could use are planned.
        check_paths(&state, &mut submission)?;
        let options = PrepareOptions { mode: submission.mode, results: ResultSinks::CollectPrints, ..PrepareOptions::default() };
        PreparedJob::prepare(submission.spec, &options).map_err(|e| ApiError::InvalidSpec(e.to_string()))
    })
    .await
    .map_err(|e| ApiError::Internal(format!("planning panicked: {e}")))??;
    Ok(Json(response(&job)))
}
