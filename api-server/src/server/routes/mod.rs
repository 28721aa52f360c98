//! The HTTP routes, grouped by resource: one module per resource, assembled into one router.

pub mod checkpoint_schema;
pub mod checkpoints;
pub mod exceptions;
pub mod inputs;
pub mod jobs;
pub mod metrics;
pub mod overview;
pub mod physical_plan;
pub mod results;
pub mod savepoints;
pub mod sql_gateway;

use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post};
use axum::{Json, Router, middleware};

use super::auth::require_token;
use super::content_type::require_json;
use super::error::ApiError;
use super::flink_errors::flink_errors_under_v1;
use super::openapi::{gateway_openapi_json, openapi_json};
use super::state::AppState;
use super::timeout::limit_time;

/// Routes of the SQL gateway, mounted under `/v1`, `/v2` and `/v3` of the gateway's own port.
fn sql_gateway_routes() -> Router<AppState> {
    use sql_gateway::*;
    Router::new()
        .route("/sessions", post(open_session))
        .route("/sessions/{session_handle}", get(get_session).delete(close_session))
        .route("/sessions/{session_handle}/heartbeat", post(heartbeat))
        .route("/sessions/{session_handle}/statements", post(execute_statement))
        .route("/sessions/{session_handle}/operations/{operation_handle}/status", get(operation_status))
        .route("/sessions/{session_handle}/operations/{operation_handle}/cancel", post(cancel_operation))
        .route("/sessions/{session_handle}/operations/{operation_handle}/close", delete(close_operation))
        .route("/sessions/{session_handle}/operations/{operation_handle}/result/{token}", get(fetch_results))
        .route("/info", get(info))
        .route("/api_versions", get(api_versions))
}

/// Flink's job manager REST API (and Weir's additions), served at the root and, as Flink's
/// clients ask for it, under `/v1`.
fn job_manager_routes() -> Router<AppState> {
    Router::new()
        .route("/overview", get(overview::overview))
        .route("/config", get(overview::config))
        .route("/jobs", get(jobs::list).post(jobs::submit))
        .route("/jobs/overview", get(jobs::overview))
        .route("/jobs/{jobid}", get(jobs::details).patch(jobs::cancel))
        .route("/jobs/{jobid}/status", get(jobs::status))
        .route("/jobs/{jobid}/plan", get(jobs::plan))
        .route("/jobs/{jobid}/plan/physical", get(physical_plan::job_physical_plan))
        .route("/jobs/explain", post(physical_plan::explain))
        .route("/jobs/{jobid}/exceptions", get(exceptions::exceptions))
        .route("/jobs/{jobid}/checkpoints", get(checkpoints::checkpoints))
        .route("/jobs/{jobid}/checkpoints/config", get(checkpoints::config))
        .route("/jobs/{jobid}/checkpoints/details/{checkpointid}", get(checkpoints::details))
        .route("/jobs/{jobid}/metrics", get(metrics::job_metrics))
        .route("/jobs/{jobid}/savepoints", post(savepoints::trigger))
        .route("/jobs/{jobid}/savepoints/{triggerid}", get(savepoints::status))
        .route("/jobs/{jobid}/stop", post(savepoints::stop))
        .route("/jobs/{jobid}/inputs/{table}", post(inputs::push))
        .route("/jobs/{jobid}/inputs/{table}/close", post(inputs::close))
        .route("/jobs/{jobid}/results", get(results::results))
        .route("/jobs/{jobid}/results/changes", get(results::changes))
        .route("/jobs/{jobid}/results/{sink}", get(results::sink_results))
        .route("/jobs/{jobid}/results/{sink}/changes", get(results::sink_changes))
}

/// The answer for a path no route serves.
async fn not_found() -> ApiError {
    ApiError::NotFound("no such endpoint; see /openapi.json".into())
}

/// The layers every port shares: the body limit, bearer auth (when configured), JSON-only
/// bodies (415), the request timeout (408), and JSON answers for unknown paths and wrong
/// methods.
fn with_layers(routes: Router<AppState>, state: AppState) -> Router {
    let body_limit = state.config.max_body_bytes;
    routes
        .fallback(not_found)
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(middleware::from_fn_with_state(state.clone(), limit_time))
        .layer(middleware::from_fn(require_json))
        .layer(middleware::from_fn_with_state(state.clone(), require_token))
        .with_state(state)
}

/// The REST port: the job manager API at the root and under `/v1` (where error bodies are
/// exactly Flink's), Prometheus metrics and the OpenAPI document.
pub fn router(state: AppState) -> Router {
    let routes = job_manager_routes()
        .nest("/v1", job_manager_routes().fallback(not_found))
        .route("/metrics", get(metrics::prometheus))
        .route("/openapi.json", get(|| async { Json(openapi_json()) }));
    with_layers(routes, state).layer(middleware::from_fn(flink_errors_under_v1))
}

/// The SQL gateway's port (Flink's `sql-gateway.endpoint.rest.port`): its API under `/v1`,
/// `/v2` and `/v3`, and its own OpenAPI document.
pub fn gateway_router(state: AppState) -> Router {
    let routes = Router::new()
        .nest("/v1", sql_gateway_routes())
        .nest("/v2", sql_gateway_routes())
        .nest("/v3", sql_gateway_routes())
        .route("/openapi.json", get(|| async { Json(gateway_openapi_json()) }));
    with_layers(routes, state)
}
