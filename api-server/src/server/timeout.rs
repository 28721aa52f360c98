//! The request timeout (`--request-timeout`): a request whose answer has not started within it
//! (its body still arriving, or its handler still working) is answered 408. Only the start of
//! the answer is timed: result streams (Server-Sent Events) run as long as their job.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use super::state::AppState;

/// Answers 408 when the inner service has not produced a response within the timeout.
pub async fn limit_time(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let limit = state.config.request_timeout;
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::RequestTimeout(limit.as_secs_f64()).into_response(),
    }
}
