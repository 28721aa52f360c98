//! `flat_map`: each input row followed by each row its table function returns
//! (`input, LATERAL TABLE(f(args))`); a row for which the function returns nothing vanishes.

use crate::expr::CompiledTableFunction;

use super::{Evaluator, Rows};

/// The rows of `input`, each extended by every row `function` produces for it.
pub fn flat_map<'s>(input: Rows<'s>, function: CompiledTableFunction, eval: Evaluator) -> Rows<'s> {
    input.flat_map(move |row| {
        let mut produced = Vec::new();
        if let Err(e) = function.eval(&row, &mut produced) {
            eval.report(e);
            produced.clear();
        }
        produced.into_iter().map(move |extra| row.concat(&extra))
    })
}
