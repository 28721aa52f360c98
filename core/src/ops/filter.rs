//! `filter`: keeps rows whose predicate is TRUE (FALSE and NULL drop the row).

use crate::expr::CompiledExpr;
use crate::types::Value;

use super::{Evaluator, Rows};

/// The rows of `input` for which `predicate` is TRUE.
pub fn filter<'s>(input: Rows<'s>, predicate: CompiledExpr, eval: Evaluator) -> Rows<'s> {
    input.filter(move |row| matches!(eval.eval(&predicate, row), Some(Value::Boolean(true))))
}
