//! Request bodies are JSON and say so: a POST, PUT or PATCH carrying a body (or any
//! `Content-Type`) must declare `Content-Type: application/json`, else 415. A web page can make
//! a browser send form posts and `text/plain` (or untyped) bodies to any address without asking
//! the server first; it cannot send `application/json` cross-site without a CORS preflight,
//! which this server does not answer. So no page the user visits can submit jobs to a loopback
//! server.

use axum::extract::Request;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, TRANSFER_ENCODING};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;

/// Answers 415 to a request with a body that is not declared `application/json`.
pub async fn require_json(request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::POST | Method::PUT | Method::PATCH)
        && let Err(e) = check(request.headers())
    {
        return e.into_response();
    }
    next.run(request).await
}

/// Whether `headers` declare JSON, or no body at all.
fn check(headers: &HeaderMap) -> Result<(), ApiError> {
    match headers.get(CONTENT_TYPE) {
        Some(value) => {
            let text = value.to_str().unwrap_or("");
            let essence = text.split(';').next().unwrap_or("").trim();
            if essence.eq_ignore_ascii_case("application/json") {
                Ok(())
            } else {
                Err(ApiError::UnsupportedMediaType(format!("request bodies must be JSON sent as `Content-Type: application/json`, not `{text}`")))
            }
        }
        None => {
            let has_body =
                headers.contains_key(TRANSFER_ENCODING) || headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).is_some_and(|n| n.trim() != "0");
            if has_body { Err(ApiError::UnsupportedMediaType("a request body needs `Content-Type: application/json`".into())) } else { Ok(()) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs.iter().map(|(k, v)| (k.parse().unwrap(), v.parse().unwrap())).collect()
    }

    #[test]
    fn only_json_or_nothing_passes() {
        assert!(check(&headers(&[("content-type", "application/json")])).is_ok());
        assert!(check(&headers(&[("content-type", "Application/JSON; charset=utf-8")])).is_ok());
        assert!(check(&headers(&[])).is_ok());
        assert!(check(&headers(&[("content-length", "0")])).is_ok());
        for bad in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonp", ""] {
            assert!(check(&headers(&[("content-type", bad)])).is_err(), "{bad}");
        }
        assert!(check(&headers(&[("content-length", "12")])).is_err());
        assert!(check(&headers(&[("transfer-encoding", "chunked")])).is_err());
    }
}
