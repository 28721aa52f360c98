//! The errors a job can end with, each naming the place that caused it.

use std::fmt;

/// Where in a job spec something is wrong, as a JSON path (`nodes[3].group_by[0]`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpecPath(pub String);

impl SpecPath {
    /// The path `self.field`.
    pub fn field(&self, name: &str) -> SpecPath {
        if self.0.is_empty() { SpecPath(name.to_string()) } else { SpecPath(format!("{}.{name}", self.0)) }
    }

    /// The path `self[index]`.
    pub fn index(&self, index: usize) -> SpecPath {
        SpecPath(format!("{}[{index}]", self.0))
    }
}

impl fmt::Display for SpecPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() { "<root>" } else { &self.0 })
    }
}

/// A job spec that cannot run: malformed JSON, an unknown node kind, a column that does not
/// exist, a type mismatch, a bad connector option. Found before any worker starts.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct PlanError {
    /// Where in the spec.
    pub path: SpecPath,
    /// What is wrong, and what would be right.
    pub message: String,
}

impl PlanError {
    /// An error at `path`.
    pub fn new(path: &SpecPath, message: impl Into<String>) -> PlanError {
        PlanError { path: path.clone(), message: message.into() }
    }
}

/// A failure while a job runs: a record that cannot be read or computed, an I/O error, a
/// cancelled job. Record errors name the file, line and column.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RuntimeError {
    /// A malformed input record (`path:line: column <name>: cannot parse "x" as BIGINT`).
    #[error("{location}: {message}")]
    BadRecord {
        /// `file:line`, or the source's name and record number.
        location: String,
        /// What could not be read.
        message: String,
    },
    /// An expression failed on a record (division by zero, a failing CAST).
    #[error("in {operator}: {message}")]
    Eval {
        /// The plan node that evaluated it.
        operator: String,
        /// What went wrong.
        message: String,
    },
    /// Reading or writing outside data failed.
    #[error("{context}: {message}")]
    Io {
        /// What was being read or written.
        context: String,
        /// The operating system's message.
        message: String,
    },
    /// A stateful operator could not read or write its keyed state.
    #[error("state of {operator}: {message}")]
    State {
        /// The plan node whose state failed.
        operator: String,
        /// The state backend's message.
        message: String,
    },
    /// Taking or restoring a checkpoint failed.
    #[error("checkpointing: {0}")]
    Checkpoint(String),
    /// The job was cancelled before it finished.
    #[error("job was cancelled")]
    Cancelled,
    /// A worker thread failed unexpectedly (a bug in Weir: please report it).
    #[error("worker failed: {0}")]
    Worker(String),
}

/// Any error a job can end with. SQL text that cannot be planned is a
/// `sql::SqlError` of the SQL front end, which sits above this module.
///
/// The message includes the cause's, so the cause is not also its `source()`: an error chain
/// printed in full (`{:#}`) would say it twice.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The job spec is invalid.
    #[error("invalid job: {0}")]
    Plan(PlanError),
    /// The job failed while running.
    #[error("job failed: {0}")]
    Runtime(RuntimeError),
}

impl From<PlanError> for Error {
    fn from(e: PlanError) -> Error {
        Error::Plan(e)
    }
}

impl From<RuntimeError> for Error {
    fn from(e: RuntimeError) -> Error {
        Error::Runtime(e)
    }
}

impl Error {
    /// A stable code clients can branch on (`invalid_plan`, `bad_record`, ...).
    pub fn code(&self) -> &'static str {
        match self {
            Error::Plan(_) => "invalid_plan",
            Error::Runtime(RuntimeError::BadRecord { .. }) => "bad_record",
            Error::Runtime(RuntimeError::Eval { .. }) => "eval_error",
            Error::Runtime(RuntimeError::Io { .. }) => "io_error",
            Error::Runtime(RuntimeError::State { .. }) => "state_error",
            Error::Runtime(RuntimeError::Checkpoint(_)) => "checkpoint_error",
            Error::Runtime(RuntimeError::Cancelled) => "cancelled",
            Error::Runtime(RuntimeError::Worker(_)) => "worker_failed",
        }
    }
}
