//! `project`: computes each output column from the input row, keeping the rows' order.

use differential_dataflow::AsCollection;

use crate::expr::{CompiledExpr, RowClock};

use super::{Evaluator, Rows, filter_map_in_order, filter_map_in_order_at_frontier};

/// Each row of `input` mapped to the values of `exprs`. When every expression is a plain
/// column, the row is reshaped by position without evaluating anything. With a `clock` (an
/// expression calls `CURRENT_WATERMARK` and was compiled with it), each row's time and the
/// input frontier are set on it before the row is evaluated.
pub fn project<'s>(input: Rows<'s>, exprs: Vec<CompiledExpr>, columns: Option<Vec<usize>>, clock: Option<RowClock>, eval: Evaluator) -> Rows<'s> {
    match (columns, clock) {
        (Some(indices), _) => filter_map_in_order(input.inner, "Project", move |(row, time, diff)| Some((row.project(&indices), time, diff))),
        (None, None) => filter_map_in_order(input.inner, "Project", move |(row, time, diff)| Some((eval.eval_row(&exprs, &row)?, time, diff))),
        (None, Some(clock)) => filter_map_in_order_at_frontier(input.inner, "Project", move |(row, time, diff), frontier| {
            clock.set(time.ms, frontier);
            Some((eval.eval_row(&exprs, &row)?, time, diff))
        }),
    }
    .as_collection()
}
