//! `flat_map`: each input row followed by each row its table function returns
//! (`input, LATERAL TABLE(f(args))`); a row for which the function returns nothing vanishes.
//!
//! Rows reach the function a batch at a time ([`CompiledTableFunction::eval_batch`]), so that
//! functions with a per-call cost (a Python UDTF takes the GIL) pay it once per batch.

use differential_dataflow::AsCollection;
use timely::container::CapacityContainerBuilder;
use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::generic::Operator;

use crate::expr::CompiledTableFunction;
use crate::types::Row;

use super::{Evaluator, Rows, Time};

/// The rows of `input`, each extended by every row `function` produces for it.
pub fn flat_map<'s>(input: Rows<'s>, function: CompiledTableFunction, eval: Evaluator) -> Rows<'s> {
    input
        .inner
        .unary::<CapacityContainerBuilder<Vec<(Row, Time, isize)>>, _, _, _>(Pipeline, "FlatMap", move |_cap, _info| {
            let mut produced: Vec<(usize, Row)> = Vec::new();
            move |input, output| {
                input.for_each(|cap, data| {
                    produced.clear();
                    let rows: Vec<&Row> = data.iter().map(|(row, _, _)| row).collect();
                    if let Err(e) = function.eval_batch(&rows, &mut produced) {
                        eval.report(e);
                        return;
                    }
                    let mut session = output.session(&cap);
                    for (i, extra) in produced.drain(..) {
                        if let Some((row, time, diff)) = data.get(i) {
                            session.give((row.concat(&extra), *time, *diff));
                        }
                    }
                });
            }
        })
        .as_collection()
}
