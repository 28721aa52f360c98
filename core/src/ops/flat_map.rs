//! `flat_map`: each input row followed by each row its table function returns
//! (`input, LATERAL TABLE(f(args))`); a row for which the function returns nothing vanishes,
//! or — for a left lateral join (`LEFT JOIN LATERAL TABLE(..) ON TRUE`) — comes out once with
//! NULLs in the function's columns.
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

/// The rows of `input`, each extended by every row `function` produces for it. With
/// `padding: Some(width)`, a row it produces nothing for is extended by `width` NULLs instead.
pub fn flat_map<'s>(input: Rows<'s>, function: CompiledTableFunction, padding: Option<usize>, eval: Evaluator) -> Rows<'s> {
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
                    let mut answered = vec![false; if padding.is_some() { data.len() } else { 0 }];
                    for (i, extra) in produced.drain(..) {
                        if let Some((row, time, diff)) = data.get(i) {
                            session.give((row.concat(&extra), *time, *diff));
                            if let Some(seen) = answered.get_mut(i) {
                                *seen = true;
                            }
                        }
                    }
                    if let Some(width) = padding {
                        for ((row, time, diff), _) in data.iter().zip(&answered).filter(|(_, seen)| !**seen) {
                            session.give((row.pad_nulls(width), *time, *diff));
                        }
                    }
                });
            }
        })
        .as_collection()
}
