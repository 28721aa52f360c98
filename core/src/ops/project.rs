//! `project`: computes each output column from the input row, keeping the rows' order.

use differential_dataflow::AsCollection;

use crate::expr::CompiledExpr;

use super::{Evaluator, Rows, filter_map_in_order};

/// Each row of `input` mapped to the values of `exprs`. When every expression is a plain
/// column, the row is reshaped by position without evaluating anything.
pub fn project<'s>(input: Rows<'s>, exprs: Vec<CompiledExpr>, columns: Option<Vec<usize>>, eval: Evaluator) -> Rows<'s> {
    match columns {
        Some(indices) => filter_map_in_order(input.inner, "Project", move |(row, time, diff)| Some((row.project(&indices), time, diff))),
        None => filter_map_in_order(input.inner, "Project", move |(row, time, diff)| Some((eval.eval_row(&exprs, &row)?, time, diff))),
    }
    .as_collection()
}
