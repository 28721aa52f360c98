//! The two ways an expression fails: [`ExprError`] when it is bound (an unknown column, a type
//! mismatch; found before the job starts) and [`EvalError`] when it is evaluated on a row
//! (division by zero, a failing CAST; fails the job, or the row where that is the rule).

/// An expression could not be bound: `path` is relative to the expression (`call.args[1]`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ExprError {
    /// JSON path inside the expression, empty for the expression itself.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl ExprError {
    /// An error at `path` (relative to the expression being bound).
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> ExprError {
        ExprError { path: path.into(), message: message.into() }
    }

    /// The same error seen from a parent node: `prefix` goes in front of the path.
    pub fn under(mut self, prefix: &str) -> ExprError {
        self.path = match (prefix.is_empty(), self.path.is_empty()) {
            (true, _) => self.path,
            (false, true) => prefix.to_string(),
            (false, false) => format!("{prefix}.{}", self.path),
        };
        self
    }
}

/// An expression failed on a row (division by zero, a failing CAST).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct EvalError {
    /// What went wrong, naming the function and the value.
    pub message: String,
}

impl EvalError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> EvalError {
        EvalError { message: message.into() }
    }
}
