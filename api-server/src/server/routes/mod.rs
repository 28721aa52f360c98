//! The HTTP routes, grouped by resource: one module per resource, assembled into one router.

pub mod exceptions;
pub mod inputs;
pub mod jobs;
pub mod metrics;
pub mod overview;
pub mod physical_plan;
pub mod results;
pub mod sql_gateway;

use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post};
use axum::{Json, Router, middleware};

use super::auth::require_token;
use super::content_type::require_json;
use super::error::ApiError;
use super::openapi::openapi_json;
use super::state::AppState;
use super::timeout::limit_time;

/// Routes of the SQL gateway, mounted under `/v1` and `/v2`.
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

/// The whole API: every route, the body limit, bearer auth (when configured), JSON-only
/// bodies (415), the request timeout (408), and JSON answers for unknown paths and wrong
/// methods.
pub fn router(state: AppState) -> Router {
    let body_limit = state.config.max_body_bytes;
    Router::new()
        .route("/overview", get(overview::overview))
        .route("/config", get(overview::config))
        .route("/jobs", get(jobs::list).post(jobs::submit))
        .route("/jobs/overview", get(jobs::overview))
        .route("/jobs/{jobid}", get(jobs::details).patch(jobs::cancel))
        .route("/jobs/{jobid}/plan", get(jobs::plan))
        .route("/jobs/{jobid}/plan/physical", get(physical_plan::job_physical_plan))
        .route("/jobs/explain", post(physical_plan::explain))
        .route("/jobs/{jobid}/exceptions", get(exceptions::exceptions))
        .route("/jobs/{jobid}/metrics", get(metrics::job_metrics))
        .route("/jobs/{jobid}/inputs/{table}", post(inputs::push))
        .route("/jobs/{jobid}/inputs/{table}/close", post(inputs::close))
        .route("/jobs/{jobid}/results", get(results::results))
        .route("/jobs/{jobid}/results/changes", get(results::changes))
        .route("/jobs/{jobid}/results/{sink}", get(results::sink_results))
        .route("/jobs/{jobid}/results/{sink}/changes", get(results::sink_changes))
        .route("/metrics", get(metrics::prometheus))
        .route("/openapi.json", get(|| async { Json(openapi_json()) }))
        .nest("/v1", sql_gateway_routes())
        .nest("/v2", sql_gateway_routes())
        .fallback(|| async { ApiError::NotFound("no such endpoint; see /openapi.json".into()) })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(middleware::from_fn_with_state(state.clone(), limit_time))
        .layer(middleware::from_fn(require_json))
        .layer(middleware::from_fn_with_state(state.clone(), require_token))
        .with_state(state)
}
