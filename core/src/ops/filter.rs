//! `filter`: keeps rows whose predicate is TRUE (FALSE and NULL drop the row), in their order.

use differential_dataflow::AsCollection;

use crate::expr::{CompiledExpr, RowClock};
use crate::types::Value;

use super::{Evaluator, Rows, filter_map_in_order, filter_map_in_order_at_frontier};

/// The rows of `input` for which `predicate` is TRUE. With a `clock` (the predicate calls
/// `CURRENT_WATERMARK` and was compiled with it), each row's time and the input frontier are
/// set on it before the row is evaluated.
pub fn filter<'s>(input: Rows<'s>, predicate: CompiledExpr, clock: Option<RowClock>, eval: Evaluator) -> Rows<'s> {
    let keep = move |update: &(crate::types::Row, super::Time, isize)| matches!(eval.eval(&predicate, &update.0), Some(Value::Boolean(true)));
    match clock {
        None => filter_map_in_order(input.inner, "Filter", move |update| keep(&update).then_some(update)),
        Some(clock) => filter_map_in_order_at_frontier(input.inner, "Filter", move |update, frontier| {
            clock.set(update.1.ms, frontier);
            keep(&update).then_some(update)
        }),
    }
    .as_collection()
}
