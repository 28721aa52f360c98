//! Operator chaining: a Calc (filter or projection) whose input is a source read by it alone,
//! directly or through other such Calcs, runs inside the source operator
//! ([`Operator::ChainedCalc`]), as Flink chains it into the source task: the source evaluates
//! it on each record in the reader's scratch row and builds only the rows that pass, at their
//! final width, instead of a row per record that the Calc then copies and drops.
//!
//! Not chained: Calcs whose expressions read `CURRENT_WATERMARK` (their operator sets each
//! row's time and input frontier on the expressions), and sources or Calcs with several
//! readers (each reader needs the rows as they are).

use crate::plan::{PlanOp, ValidatedPlan};

use super::operator::Operator;

/// Turns every Calc of `operators` (one per node of `plan`) that can run inside its source
/// into a [`Operator::ChainedCalc`] of that source.
pub(super) fn chain_calcs(plan: &ValidatedPlan, operators: &mut [Operator]) {
    let mut readers = vec![0usize; plan.nodes.len()];
    for &input in plan.nodes.iter().flat_map(|n| &n.inputs) {
        if let Some(count) = readers.get_mut(input) {
            *count += 1;
        }
    }
    // Inputs come before their readers, so a chain grows one Calc at a time.
    for node in &plan.nodes {
        let reads_watermark = match &node.op {
            PlanOp::Filter { predicate } => predicate.reads_watermark(),
            PlanOp::Project { exprs } => exprs.iter().any(|e| e.reads_watermark()),
            _ => continue,
        };
        let &[input] = node.inputs.as_slice() else { continue };
        if reads_watermark || readers.get(input) != Some(&1) || operators.get(node.index) != Some(&Operator::Calc) {
            continue;
        }
        let source = match operators.get(input) {
            Some(Operator::TableSourceScan) => input,
            Some(Operator::ChainedCalc { source }) => *source,
            _ => continue,
        };
        if let Some(operator) = operators.get_mut(node.index) {
            *operator = Operator::ChainedCalc { source };
        }
    }
}
