//! Name resolution and type checking of expressions.

use crate::types::{DataType, Schema, Value};

use super::ast::{ColumnRef, Expr, Literal};
use super::compile::CompiledExpr;

/// Settings that change how expressions are typed and evaluated.
#[derive(Clone, Debug, Default)]
pub struct BindContext {
    /// `table.local-time-zone` (default `UTC`).
    pub time_zone: Option<String>,
}

/// An expression could not be bound: `path` is relative to the expression (`call.args[1]`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ExprError {
    /// JSON path inside the expression, empty for the expression itself.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// A typed expression over a known input schema.
#[derive(Clone, Debug)]
pub enum BoundExpr {
    /// Input column `index`.
    Column {
        /// Position in the input row.
        index: usize,
        /// Its type.
        data_type: DataType,
        /// Whether it may be NULL.
        nullable: bool,
    },
    /// A constant.
    Literal(Value, DataType),
}

impl BoundExpr {
    /// The result type.
    pub fn data_type(&self) -> DataType {
        match self {
            BoundExpr::Column { data_type, .. } => *data_type,
            BoundExpr::Literal(_, t) => *t,
        }
    }

    /// Whether the result may be NULL.
    pub fn nullable(&self) -> bool {
        match self {
            BoundExpr::Column { nullable, .. } => *nullable,
            BoundExpr::Literal(v, _) => v.is_null(),
        }
    }

    /// The input column, when the expression is just a column reference.
    pub fn as_column(&self) -> Option<usize> {
        match self {
            BoundExpr::Column { index, .. } => Some(*index),
            _ => None,
        }
    }

    /// Compiles the expression for evaluation.
    pub fn compile(&self) -> CompiledExpr {
        CompiledExpr::new(self)
    }

    /// This expression converted to `target` by an implicit cast (e.g. INT to BIGINT).
    pub fn cast_to(self, target: DataType) -> Result<BoundExpr, ExprError> {
        if self.data_type() == target {
            return Ok(self);
        }
        Err(ExprError { path: String::new(), message: format!("cannot convert {} to {target}", self.data_type()) })
    }
}

/// The type both `a` and `b` convert to implicitly (for comparisons, UNION, CASE branches).
pub fn common_type(a: DataType, b: DataType) -> Option<DataType> {
    if a == b {
        return Some(a);
    }
    match (a, b) {
        (DataType::Null, t) | (t, DataType::Null) => Some(t),
        _ => None,
    }
}

/// Resolves names and checks types of `expr` against `input`.
pub fn bind(expr: &Expr, input: &Schema, _ctx: &BindContext) -> Result<BoundExpr, ExprError> {
    match expr {
        Expr::Column(ColumnRef::Name(name)) => match input.index_of(name) {
            Some(index) => {
                let f = &input.fields[index];
                Ok(BoundExpr::Column { index, data_type: f.data_type, nullable: f.nullable })
            }
            None => Err(ExprError { path: "column".into(), message: format!("no column \"{name}\"") }),
        },
        Expr::Column(ColumnRef::Index(index)) => match input.fields.get(*index) {
            Some(f) => Ok(BoundExpr::Column { index: *index, data_type: f.data_type, nullable: f.nullable }),
            None => Err(ExprError { path: "column".into(), message: format!("no column at position {index}") }),
        },
        Expr::Literal(Literal::Plain(serde_json::Value::Number(n))) if n.is_i64() => {
            let v = n.as_i64().unwrap_or_default();
            Ok(BoundExpr::Literal(Value::BigInt(v), DataType::BigInt))
        }
        _ => Err(ExprError { path: String::new(), message: "unsupported expression".into() }),
    }
}
