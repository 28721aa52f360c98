//! The server's error type: every failure a client can cause maps to a 4xx status and Flink's
//! error body `{"errors": ["..."]}` (plus a stable `code` clients can branch on).

use axum::Json;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// Why a request failed. Each variant fixes its HTTP status; the message is shown to the client.
#[derive(Clone, Debug, thiserror::Error)]
pub enum ApiError {
    /// The request is malformed: bad JSON, a missing field, a bad query parameter.
    #[error("{0}")]
    BadRequest(String),
    /// The SQL script cannot be planned; the message carries line and column.
    #[error("{0}")]
    Sql(weir_core::sql::SqlError),
    /// The job spec is invalid; the message names the JSON path.
    #[error("{0}")]
    InvalidSpec(String),
    /// A job names a path outside the server's allowed directories; the message names the
    /// option (JSON path, or table and option key).
    #[error("{0}")]
    PathNotAllowed(String),
    /// A job asks for more workers than `--max-parallelism`; the message names the key.
    #[error("{0}")]
    ParallelismTooHigh(String),
    /// A request body that is not declared `Content-Type: application/json`.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The request did not complete within `--request-timeout` (seconds).
    #[error("the request took longer than the server's limit of {0} s (--request-timeout)")]
    RequestTimeout(f64),
    /// No `Authorization: Bearer <token>` header, or the wrong token.
    #[error("missing or wrong bearer token: send `Authorization: Bearer <token>`")]
    Unauthorized,
    /// No such job, session, operation, sink or route.
    #[error("{0}")]
    NotFound(String),
    /// The HTTP method is not allowed on this path.
    #[error("method not allowed on this path")]
    MethodNotAllowed,
    /// The request conflicts with the resource's state (cancelling a finished job).
    #[error("{0}")]
    Conflict(String),
    /// The request body is larger than `--max-body-bytes`.
    #[error("request body is larger than the server's limit (--max-body-bytes)")]
    PayloadTooLarge,
    /// `--max-running-jobs` jobs are already running.
    #[error("too many running jobs: the limit is {0}; wait for one to finish or cancel one")]
    TooManyJobs(usize),
    /// A bounded queue is full (a push input's, `--max-push-queue-rows`): retry after the
    /// `Retry-After` seconds the answer carries.
    #[error("{0}")]
    Backpressure(String),
    /// The server failed on its side (a bug, or the data directory cannot be written).
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) | ApiError::Sql(_) | ApiError::InvalidSpec(_) | ApiError::PathNotAllowed(_) | ApiError::ParallelismTooHigh(_) => {
                StatusCode::BAD_REQUEST
            }
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::TooManyJobs(_) | ApiError::Backpressure(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A stable code clients can branch on (`sql_parse_error`, `invalid_plan`, `not_found`, ...).
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Sql(e) => e.code(),
            ApiError::InvalidSpec(_) => "invalid_plan",
            ApiError::PathNotAllowed(_) => "path_not_allowed",
            ApiError::ParallelismTooHigh(_) => "parallelism_too_high",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::RequestTimeout(_) => "request_timeout",
            ApiError::Unauthorized => "unauthorized",
            ApiError::NotFound(_) => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::Conflict(_) => "conflict",
            ApiError::PayloadTooLarge => "payload_too_large",
            ApiError::TooManyJobs(_) => "too_many_jobs",
            ApiError::Backpressure(_) => "backpressure",
            ApiError::Internal(_) => "internal",
        }
    }

    /// An unknown job id.
    pub fn no_job(jobid: &str) -> ApiError {
        ApiError::NotFound(format!("job {jobid} not found"))
    }
}

/// Flink's error body, with Weir's stable code and, for SQL errors, the position.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Human-readable messages (Flink's shape: a list, usually of one).
    pub errors: Vec<String>,
    /// A stable code (`sql_parse_error`, `invalid_plan`, `not_found`, `too_many_jobs`, ...).
    pub code: String,
    /// 1-based line of a SQL error, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// 1-based column of a SQL error, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u64>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed on the server side");
        }
        let position = match &self {
            ApiError::Sql(e) => e.position().map(|p| (p.line, p.column)),
            _ => None,
        };
        let body = ErrorBody {
            errors: vec![super::error_text::bounded(&self.to_string()).into_owned()],
            code: self.code().to_string(),
            line: position.map(|p| p.0),
            column: position.map(|p| p.1),
        };
        let mut response = (status, Json(body)).into_response();
        if matches!(self, ApiError::Backpressure(_)) {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("1"));
        }
        response
    }
}

impl From<BytesRejection> for ApiError {
    fn from(rejection: BytesRejection) -> ApiError {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return ApiError::PayloadTooLarge;
        }
        ApiError::BadRequest(format!("cannot read the request body: {}", rejection.body_text()))
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> ApiError {
        ApiError::BadRequest(rejection.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> ApiError {
        ApiError::BadRequest(rejection.body_text())
    }
}
