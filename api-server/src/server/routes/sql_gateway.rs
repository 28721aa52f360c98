//! Flink's SQL Gateway REST API on its own port (v1; `/v2` and `/v3` serve the same handlers): sessions that
//! keep a catalog across statements, statements that become operations, paged results.
//!
//! `executionConfig` of a statement is accepted and ignored; session `properties` are applied
//! as `SET 'key' = 'value'` when the session opens.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{OriginalUri, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::server::error::{ApiError, ErrorBody};
use crate::server::extract::{ApiJson, ApiPath};
use crate::server::gateway::{self, FetchResultsResponse};
use crate::server::sessions::{GatewaySession, Operation, new_uuid};
use crate::server::state::AppState;

/// Body of `POST /v1/sessions` (may be empty).
#[derive(Default, Deserialize, ToSchema)]
pub struct OpenSessionRequest {
    /// A name for the session.
    #[serde(default, rename = "sessionName")]
    pub session_name: Option<String>,
    /// Settings applied as `SET 'key' = 'value'`.
    #[serde(default)]
    pub properties: BTreeMap<String, String>,
}

/// Answer of `POST /v1/sessions`.
#[derive(Serialize, ToSchema)]
pub struct OpenSessionResponse {
    /// The session's handle (a UUID).
    #[serde(rename = "sessionHandle")]
    pub session_handle: String,
}

/// A session handle in the path.
#[derive(Deserialize, IntoParams)]
pub struct SessionPath {
    /// The session handle.
    pub session_handle: String,
}

/// A session and operation handle in the path.
#[derive(Deserialize, IntoParams)]
pub struct OperationPath {
    /// The session handle.
    pub session_handle: String,
    /// The operation handle.
    pub operation_handle: String,
}

/// A result page in the path.
#[derive(Deserialize, IntoParams)]
pub struct ResultPath {
    /// The session handle.
    pub session_handle: String,
    /// The operation handle.
    pub operation_handle: String,
    /// The page token: 0, then the number in the previous page's `nextResultUri`.
    pub token: usize,
}

fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Opens a session.
#[utoipa::path(post, path = "/v1/sessions", tag = "sql-gateway", request_body = Option<OpenSessionRequest>,
    responses((status = 200, body = OpenSessionResponse), (status = 400, body = ErrorBody)))]
pub async fn open_session(State(state): State<AppState>, ApiJson(request): ApiJson<Option<OpenSessionRequest>>) -> Result<Json<OpenSessionResponse>, ApiError> {
    let request = request.unwrap_or_default();
    let mut sql = state.sql_session();
    for (key, value) in &request.properties {
        sql.execute_script(&format!("SET {} = {}", quote(key), quote(value))).map_err(ApiError::Sql)?;
    }
    let session = GatewaySession::new(request.session_name, sql);
    Ok(Json(OpenSessionResponse { session_handle: state.sessions.open(session)? }))
}

/// Answer of `GET /v1/sessions/{session_handle}`.
#[derive(Serialize, ToSchema)]
pub struct SessionConfig {
    /// The session's settings.
    pub properties: BTreeMap<String, String>,
}

/// A session's settings.
#[utoipa::path(get, path = "/v1/sessions/{session_handle}", tag = "sql-gateway", params(SessionPath),
    responses((status = 200, body = SessionConfig), (status = 404, body = ErrorBody)))]
pub async fn get_session(State(state): State<AppState>, ApiPath(path): ApiPath<SessionPath>) -> Result<Json<SessionConfig>, ApiError> {
    let session = state.sessions.get(&path.session_handle)?;
    let mut properties = session.config.lock().map(|c| c.clone()).unwrap_or_default();
    if let Some(name) = &session.name {
        properties.insert("sql-gateway.session.name".into(), name.clone());
    }
    Ok(Json(SessionConfig { properties }))
}

/// An operation's (or a closed session's) status.
#[derive(Serialize, ToSchema)]
pub struct StatusResponse {
    /// `RUNNING`, `FINISHED`, `ERROR`, `CANCELED` or `CLOSED`.
    pub status: String,
}

/// Closes a session; SELECT jobs it started are cancelled (INSERT jobs keep running).
#[utoipa::path(delete, path = "/v1/sessions/{session_handle}", tag = "sql-gateway", params(SessionPath),
    responses((status = 200, body = StatusResponse), (status = 404, body = ErrorBody)))]
pub async fn close_session(State(state): State<AppState>, ApiPath(path): ApiPath<SessionPath>) -> Result<Json<StatusResponse>, ApiError> {
    let session = state.sessions.close(&path.session_handle)?;
    for operation in session.operations().values_mut() {
        gateway::cancel(&state, operation);
    }
    Ok(Json(StatusResponse { status: "CLOSED".into() }))
}

/// Keeps a session alive (sessions do not expire in Weir; accepted for compatibility).
#[utoipa::path(post, path = "/v1/sessions/{session_handle}/heartbeat", tag = "sql-gateway", params(SessionPath),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn heartbeat(State(state): State<AppState>, ApiPath(path): ApiPath<SessionPath>) -> Result<Json<serde_json::Value>, ApiError> {
    state.sessions.get(&path.session_handle)?;
    Ok(Json(serde_json::json!({})))
}

/// Body of `POST /v1/sessions/{session_handle}/statements`.
#[derive(Deserialize, ToSchema)]
pub struct ExecuteStatementRequest {
    /// The SQL statement (or a script of several).
    pub statement: String,
    /// Flink's per-statement settings; accepted and ignored.
    #[serde(default, rename = "executionConfig")]
    #[allow(dead_code)]
    #[schema(value_type = Option<Object>)]
    pub execution_config: Option<serde_json::Value>,
    /// Flink's execution timeout; accepted and ignored.
    #[serde(default, rename = "executionTimeout")]
    #[allow(dead_code)]
    #[schema(value_type = Option<f64>)]
    pub execution_timeout: Option<serde_json::Value>,
}

/// Answer of `POST .../statements`.
#[derive(Serialize, ToSchema)]
pub struct ExecuteStatementResponse {
    /// The operation's handle.
    #[serde(rename = "operationHandle")]
    pub operation_handle: String,
}

/// Runs a statement in the session; its result is read through the operation handle.
/// A SQL error makes the operation's status ERROR and its result a 400 naming line and column.
#[utoipa::path(post, path = "/v1/sessions/{session_handle}/statements", tag = "sql-gateway", params(SessionPath), request_body = ExecuteStatementRequest,
    responses((status = 200, body = ExecuteStatementResponse), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn execute_statement(
    State(state): State<AppState>,
    ApiPath(path): ApiPath<SessionPath>,
    ApiJson(request): ApiJson<ExecuteStatementRequest>,
) -> Result<Json<ExecuteStatementResponse>, ApiError> {
    let session = state.sessions.get(&path.session_handle)?;
    // Statements of one session run one at a time (they share its catalog); the wait parks
    // this task, and the statement runs on a blocking thread.
    let mut sql = std::sync::Arc::clone(&session.sql).lock_owned().await;
    let (result, config) = tokio::task::spawn_blocking(move || {
        let result = gateway::execute(&state, &mut sql, &request.statement);
        (result, sql.config().clone())
    })
    .await
    .map_err(|e| ApiError::Internal(format!("statement execution panicked: {e}")))?;
    if let Ok(mut settings) = session.config.lock() {
        *settings = config;
    }
    let handle = new_uuid();
    session.operations().insert(handle.clone(), Operation::new(result));
    Ok(Json(ExecuteStatementResponse { operation_handle: handle }))
}

fn with_operation<R>(state: &AppState, path: &OperationPath, f: impl FnOnce(&mut Operation) -> Result<R, ApiError>) -> Result<R, ApiError> {
    let session = state.sessions.get(&path.session_handle)?;
    let mut operations = session.operations();
    let operation = operations
        .get_mut(&path.operation_handle)
        .ok_or_else(|| ApiError::NotFound(format!("operation {} not found in session {}", path.operation_handle, path.session_handle)))?;
    f(operation)
}

/// An operation's status.
#[utoipa::path(get, path = "/v1/sessions/{session_handle}/operations/{operation_handle}/status", tag = "sql-gateway", params(OperationPath),
    responses((status = 200, body = StatusResponse), (status = 404, body = ErrorBody)))]
pub async fn operation_status(State(state): State<AppState>, ApiPath(path): ApiPath<OperationPath>) -> Result<Json<StatusResponse>, ApiError> {
    with_operation(&state, &path, |op| Ok(Json(StatusResponse { status: gateway::status(&state, op).into() })))
}

/// Cancels an operation (and the job behind it).
#[utoipa::path(post, path = "/v1/sessions/{session_handle}/operations/{operation_handle}/cancel", tag = "sql-gateway", params(OperationPath),
    responses((status = 200, body = StatusResponse), (status = 404, body = ErrorBody)))]
pub async fn cancel_operation(State(state): State<AppState>, ApiPath(path): ApiPath<OperationPath>) -> Result<Json<StatusResponse>, ApiError> {
    with_operation(&state, &path, |op| {
        gateway::cancel(&state, op);
        Ok(Json(StatusResponse { status: "CANCELED".into() }))
    })
}

/// Closes an operation: cancels its job and forgets it.
#[utoipa::path(delete, path = "/v1/sessions/{session_handle}/operations/{operation_handle}/close", tag = "sql-gateway", params(OperationPath),
    responses((status = 200, body = StatusResponse), (status = 404, body = ErrorBody)))]
pub async fn close_operation(State(state): State<AppState>, ApiPath(path): ApiPath<OperationPath>) -> Result<Json<StatusResponse>, ApiError> {
    with_operation(&state, &path, |op| {
        gateway::cancel(&state, op);
        Ok(())
    })?;
    let session = state.sessions.get(&path.session_handle)?;
    session.operations().remove(&path.operation_handle);
    Ok(Json(StatusResponse { status: "CLOSED".into() }))
}

/// A page of an operation's result: `PAYLOAD` rows, `NOT_READY` (ask the same URI again) or
/// `EOS`.
#[utoipa::path(get, path = "/v1/sessions/{session_handle}/operations/{operation_handle}/result/{token}", tag = "sql-gateway", params(ResultPath),
    responses((status = 200, body = FetchResultsResponse), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn fetch_results(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    ApiPath(path): ApiPath<ResultPath>,
) -> Result<Json<FetchResultsResponse>, ApiError> {
    let base = uri.path().rsplit_once('/').map(|(b, _)| b.to_string()).unwrap_or_default();
    let op_path = OperationPath { session_handle: path.session_handle, operation_handle: path.operation_handle };
    with_operation(&state, &op_path, |op| gateway::fetch(&state, op, path.token, &base)).map(Json)
}

/// Answer of `GET /v1/info`.
#[derive(Serialize, ToSchema)]
pub struct InfoResponse {
    /// `Weir`.
    #[serde(rename = "productName")]
    pub product_name: String,
    /// Weir's version.
    pub version: String,
}

/// The product behind the gateway.
#[utoipa::path(get, path = "/v1/info", tag = "sql-gateway", responses((status = 200, body = InfoResponse)))]
pub async fn info() -> Json<InfoResponse> {
    Json(InfoResponse { product_name: "Weir".into(), version: env!("CARGO_PKG_VERSION").into() })
}

/// Answer of `GET /v1/api_versions`.
#[derive(Serialize, ToSchema)]
pub struct ApiVersions {
    /// `V1`, `V2`, `V3`.
    pub versions: Vec<String>,
}

/// The gateway API versions served.
#[utoipa::path(get, path = "/v1/api_versions", tag = "sql-gateway", responses((status = 200, body = ApiVersions)))]
pub async fn api_versions() -> Json<ApiVersions> {
    Json(ApiVersions { versions: vec!["V1".into(), "V2".into(), "V3".into()] })
}
