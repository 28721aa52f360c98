//! Error bodies exactly as Flink's: under `/v1`, where Flink's own clients call, an error
//! answer carries only `{"errors": [...]}`. Flink's REST client decodes error bodies strictly
//! (an unknown field such as Weir's `code` makes it report "neither of the expected type nor
//! an error" instead of the message), so the extra fields are dropped there.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::middleware::Next;
use axum::response::Response;

/// Largest error body rewritten; Weir's error texts are bounded well below it.
const MAX_ERROR_BODY: usize = 1 << 20;

/// Middleware of the REST port: errors of requests under `/v1/` (the route's own, or a
/// limit's: token, body size, content type, time) get Flink's exact body.
pub async fn flink_errors_under_v1(request: Request, next: Next) -> Response {
    let versioned = request.uri().path().starts_with("/v1/");
    let response = next.run(request).await;
    if versioned { flink_error_body(response).await } else { response }
}

/// Keeps only `errors` in a JSON error answer; other answers pass unchanged.
async fn flink_error_body(response: Response) -> Response {
    let is_json = response.headers().get(CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(response.status().is_client_error() || response.status().is_server_error()) || !is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        parts.headers.remove(CONTENT_LENGTH);
        return Response::from_parts(parts, Body::from(r#"{"errors":["error body too large to show"]}"#));
    };
    let errors = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(mut value) => value.get_mut("errors").map(serde_json::Value::take),
        Err(_) => None,
    };
    let Some(errors) = errors else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let text = serde_json::json!({ "errors": errors }).to_string();
    parts.headers.remove(CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(text))
}
