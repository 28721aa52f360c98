//! Compiled expressions: closures built once, called per row.

use std::sync::Arc;

use crate::types::{Row, Value};

use super::bind::BoundExpr;

/// An expression failed on a row (division by zero, a failing CAST).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct EvalError {
    /// What went wrong, naming the function and the value.
    pub message: String,
}

type EvalFn = dyn Fn(&Row) -> Result<Value, EvalError> + Send + Sync;

/// A ready-to-run expression. Cloning shares the compiled code.
#[derive(Clone)]
pub struct CompiledExpr(Arc<EvalFn>);

impl CompiledExpr {
    /// Compiles a bound expression.
    pub fn new(expr: &BoundExpr) -> CompiledExpr {
        match expr.clone() {
            BoundExpr::Column { index, .. } => CompiledExpr(Arc::new(move |row: &Row| Ok(row.get(index).clone()))),
            BoundExpr::Literal(v, _) => CompiledExpr(Arc::new(move |_: &Row| Ok(v.clone()))),
        }
    }

    /// Evaluates the expression on `row`.
    pub fn eval(&self, row: &Row) -> Result<Value, EvalError> {
        (self.0)(row)
    }
}
