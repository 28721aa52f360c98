//! `project`: computes each output column from the input row.

use crate::expr::CompiledExpr;

use super::{Evaluator, Rows};

/// Each row of `input` mapped to the values of `exprs`. When every expression is a plain
/// column, the row is reshaped by position without evaluating anything.
pub fn project<'s>(input: Rows<'s>, exprs: Vec<CompiledExpr>, columns: Option<Vec<usize>>, eval: Evaluator) -> Rows<'s> {
    match columns {
        Some(indices) => input.map(move |row| row.project(&indices)),
        None => input.flat_map(move |row| eval.eval_row(&exprs, &row)),
    }
}
