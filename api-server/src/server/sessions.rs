//! SQL gateway sessions: each keeps a [`SqlSession`] (its catalog and `SET` options) across
//! statements, and the operations its statements started.
//!
//! Locks: a statement holds its session's SQL catalog ([`GatewaySession::sql`], an async
//! lock, so a waiting request parks its task, not a server thread) for as long as it runs,
//! on a blocking thread; statuses, results and settings are read under short locks that no
//! statement holds while it runs.
//!
//! An operation is either a small table known at once (DDL acknowledgements, SHOW, EXPLAIN,
//! the id of a job an INSERT started), the rows of a SELECT's job (paged from the job's
//! changelog as it grows), or the error the statement failed with.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use weir_core::sql::SqlSession;

use super::error::ApiError;
use super::registry::ColumnInfo;

/// What an operation returns.
#[derive(Clone, Debug)]
pub enum OperationResult {
    /// A table computed when the statement ran.
    Table {
        /// The columns.
        columns: Vec<ColumnInfo>,
        /// The rows, JSON values per column.
        rows: Vec<Vec<serde_json::Value>>,
        /// The job an INSERT started, if any.
        jobid: Option<String>,
    },
    /// The changelog of a SELECT's job, read from its collect sink.
    Query {
        /// The job.
        jobid: String,
        /// The result sink's id.
        sink: String,
        /// Its columns.
        columns: Vec<ColumnInfo>,
    },
    /// The statement failed.
    Error(ApiError),
}

/// One statement's operation.
#[derive(Debug)]
pub struct Operation {
    /// What it returns.
    pub result: OperationResult,
    /// Set by cancel.
    pub canceled: bool,
    /// `page_starts[t]` is the changelog offset where result token `t` starts.
    pub page_starts: Vec<usize>,
}

impl Operation {
    /// A new operation.
    pub fn new(result: OperationResult) -> Operation {
        Operation { result, canceled: false, page_starts: vec![0] }
    }
}

/// One gateway session.
pub struct GatewaySession {
    /// The name the client gave, if any.
    pub name: Option<String>,
    /// Tables, views and settings declared so far; held by the statement running.
    pub sql: Arc<tokio::sync::Mutex<SqlSession>>,
    /// The session's settings as of its last statement (read without waiting for one).
    pub config: Mutex<BTreeMap<String, String>>,
    /// Operations by handle.
    pub operations: Mutex<HashMap<String, Operation>>,
}

impl GatewaySession {
    /// A session over `sql`.
    pub fn new(name: Option<String>, sql: SqlSession) -> GatewaySession {
        let config = Mutex::new(sql.config().clone());
        GatewaySession { name, sql: Arc::new(tokio::sync::Mutex::new(sql)), config, operations: Mutex::default() }
    }

    /// The operations, locked (briefly: nothing slow runs under this lock).
    pub fn operations(&self) -> std::sync::MutexGuard<'_, HashMap<String, Operation>> {
        self.operations.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// All open sessions, by handle.
#[derive(Default)]
pub struct SessionStore {
    sessions: Mutex<HashMap<String, Arc<GatewaySession>>>,
}

impl SessionStore {
    /// Most sessions open at once (each holds a catalog in memory).
    pub const MAX_SESSIONS: usize = 10_000;

    /// Opens a session; returns its handle.
    pub fn open(&self, session: GatewaySession) -> Result<String, ApiError> {
        let handle = new_uuid();
        let mut sessions = self.sessions.lock().map_err(|_| ApiError::Internal("session store poisoned".into()))?;
        if sessions.len() >= Self::MAX_SESSIONS {
            return Err(ApiError::Conflict(format!("too many open sessions ({}); close some with DELETE /v1/sessions/{{handle}}", Self::MAX_SESSIONS)));
        }
        sessions.insert(handle.clone(), Arc::new(session));
        Ok(handle)
    }

    /// The session with this handle, or 404.
    pub fn get(&self, handle: &str) -> Result<Arc<GatewaySession>, ApiError> {
        self.sessions.lock().ok().and_then(|s| s.get(handle).cloned()).ok_or_else(|| ApiError::NotFound(format!("session {handle} not found")))
    }

    /// Removes a session; returns it, or 404.
    pub fn close(&self, handle: &str) -> Result<Arc<GatewaySession>, ApiError> {
        self.sessions.lock().ok().and_then(|mut s| s.remove(handle)).ok_or_else(|| ApiError::NotFound(format!("session {handle} not found")))
    }

    /// Number of open sessions.
    pub fn len(&self) -> usize {
        self.sessions.lock().map(|s| s.len()).unwrap_or(0)
    }
}

/// A random UUID (version 4), as Flink's session and operation handles are.
pub fn new_uuid() -> String {
    let mut b = [0u8; 16];
    if getrandom::fill(&mut b).is_err() {
        b.copy_from_slice(&super::submit::new_job_id().as_bytes()[..16]);
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}
