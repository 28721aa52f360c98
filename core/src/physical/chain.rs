//! Operator chaining: a Calc (filter or projection) whose input is a source read by it alone,
//! directly or through other such Calcs, runs inside the source operator
//! ([`Operator::ChainedCalc`]), as Flink chains it into the source task: the source evaluates
//! it on each record in the reader's scratch row and builds only the rows that pass, at their
//! final width, instead of a row per record that the Calc then copies and drops.
//!
//! Not chained: Calcs whose expressions read `CURRENT_WATERMARK` (their operator sets each
//! row's time and input frontier on the expressions), and sources or Calcs with several
//! readers (each reader needs the rows as they are).
//!
//! The local phase of a two-phase aggregate is chained the same way ([`combiner_source`]):
//! when the aggregate reads a source (directly, through chained Calcs, or through a window
//! fused into it) that nothing else reads, the source's splits fold their records into the
//! partial aggregates, as Flink chains `LocalGroupAggregate` into the source task. Like a
//! chained Calc, it is no plan node of its own: EXPLAIN and the metrics show the plan as it is.

use crate::plan::{PlanOp, RuntimeMode, ValidatedPlan, two_phase};

use super::PhysicalPlan;
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

/// When the local phase (combiner) of aggregate node `aggregate` runs in the splits of the
/// source it reads (see the module documentation), that source's index: the aggregate is a
/// two-phase one (append-only input, no DISTINCT) with a local combiner — a GROUP BY, a batch
/// TUMBLE aggregate or a sliced HOP/CUMULATE aggregate — and every node between it and the
/// source (chained Calcs, a fused window) has no other reader.
pub fn combiner_source(plan: &PhysicalPlan, aggregate: usize) -> Option<usize> {
    let (node, phys) = (plan.logical.nodes.get(aggregate)?, plan.nodes.get(aggregate)?);
    let PlanOp::Aggregate { aggregates, .. } = &node.op else { return None };
    let streaming = plan.mode == RuntimeMode::Streaming;
    let combines = match phys.operator {
        Operator::BatchGroupAggregate | Operator::GroupAggregate => two_phase(aggregates, phys.inputs_insert_only),
        // Fusion leaves DISTINCT aggregates out; a streaming one combines in its own operator.
        Operator::TumbleWindowAggregate { keyed: false, .. } => !streaming,
        Operator::SlicedWindowAggregate { .. } => true,
        _ => false,
    };
    if !combines {
        return None;
    }
    let readers = |index: usize| plan.logical.nodes.iter().filter(|n| n.inputs.contains(&index)).count();
    let mut input = *node.inputs.first()?;
    if plan.nodes.get(input)?.operator == (Operator::Fused { into: aggregate }) {
        input = *plan.logical.nodes.get(input)?.inputs.first()?;
    }
    let source = match plan.nodes.get(input)?.operator {
        Operator::TableSourceScan => input,
        Operator::ChainedCalc { source } => source,
        _ => return None,
    };
    // A chained Calc's own input has this node alone as reader; the last one must too.
    (readers(input) == 1 && readers(source) == 1).then_some(source)
}
