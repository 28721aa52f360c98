//! `filter`: keeps rows whose predicate is TRUE (FALSE and NULL drop the row), in their order.

use differential_dataflow::AsCollection;

use crate::expr::CompiledExpr;
use crate::types::Value;

use super::{Evaluator, Rows, filter_map_in_order};

/// The rows of `input` for which `predicate` is TRUE.
pub fn filter<'s>(input: Rows<'s>, predicate: CompiledExpr, eval: Evaluator) -> Rows<'s> {
    filter_map_in_order(input.inner, "Filter", move |update| matches!(eval.eval(&predicate, &update.0), Some(Value::Boolean(true))).then_some(update))
        .as_collection()
}
