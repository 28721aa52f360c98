//! `union`: all rows of all inputs (UNION ALL), converted to the common column types.

use crate::expr::CompiledExpr;

use super::{Evaluator, Rows};

/// The concatenation of `first` and `others`; `casts[i]`, when present, converts the rows of
/// input `i` (0 = `first`) to the output types.
pub fn union<'s>(first: Rows<'s>, others: Vec<Rows<'s>>, casts: Vec<Option<Vec<CompiledExpr>>>, eval: Evaluator) -> Rows<'s> {
    let convert = |input: Rows<'s>, cast: Option<Vec<CompiledExpr>>| match cast {
        Some(exprs) => {
            let eval = eval.clone();
            input.flat_map(move |row| eval.eval_row(&exprs, &row))
        }
        None => input,
    };
    let mut casts = casts.into_iter();
    let first = convert(first, casts.next().flatten());
    let others: Vec<Rows<'s>> = others.into_iter().map(|input| convert(input, casts.next().flatten())).collect();
    first.concatenate(others)
}
