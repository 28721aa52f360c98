//! The aggregates with a local phase (two-phase GROUP BY, the fused TUMBLE and sliced window
//! aggregates), compiled over their input: a collection of rows, or the source whose splits
//! run the local phase ([`combiner_source`](crate::physical::combiner_source)).

use timely::dataflow::Scope;

use crate::expr::BoundExpr;
use crate::job::JobContext;
use crate::ops::{self, AggregateInput, Evaluator, GroupBy, Rows, SlicedAggregateSpec, Slicing, Time, TumbleKeys, WindowAggregateSpec};
use crate::physical::{Operator, PhysicalNode, PhysicalPlan, partition_keys};
use crate::plan::{PlanNode, PlanOp};

use super::{compile_all, global_seed, mismatch, state_ttl, window_calls};

/// The output of aggregate `node` (run by `phys`) over `input`.
pub(super) fn build_aggregate<'s>(
    scope: Scope<'s, Time>,
    plan: &PhysicalPlan,
    node: &PlanNode,
    phys: &PhysicalNode,
    input: AggregateInput<'s>,
    eval: Evaluator,
    ctx: &JobContext,
) -> Option<Rows<'s>> {
    let insert_only = phys.inputs_insert_only;
    let (id, index) = (node.id.as_str(), node.index);
    match (&phys.operator, &node.op) {
        (Operator::SlicedWindowAggregate { window: fused, keys }, PlanOp::Aggregate { group_by, aggregates, window: Some(w), .. }) => {
            let Some(PlanNode { op: PlanOp::Window { window: spec, time_column, .. }, .. }) = plan.logical.nodes.get(*fused) else {
                return mismatch(node, phys, ctx);
            };
            let Some(slicing) = Slicing::new(spec) else { return mismatch(node, phys, ctx) };
            let partition_by = partition_keys(group_by, keys);
            let spec = SlicedAggregateSpec {
                partition_by: partition_by.iter().map(|g| g.compile()).collect(),
                key_types: partition_by.iter().map(|g| g.data_type()).collect(),
                time_column: *time_column,
                slicing,
                keys: keys.clone(),
                aggregates: window_calls(aggregates),
                lateness_ms: w.lateness_ms,
            };
            ops::sliced_aggregate(id, index, input, spec, eval, ctx.clone())
        }
        (Operator::TumbleWindowAggregate { window: fused, keys, keyed }, PlanOp::Aggregate { group_by, aggregates, window: Some(w), .. }) => {
            let Some(PlanNode { op: PlanOp::Window { window: spec, time_column, .. }, .. }) = plan.logical.nodes.get(*fused) else {
                return mismatch(node, phys, ctx);
            };
            let tumble = TumbleKeys { window: *spec, time_column: *time_column, keys: keys.iter().copied().zip(compile_all(group_by)).collect() };
            let key_types = group_by.iter().map(BoundExpr::data_type).collect();
            if !keyed {
                return Some(ops::tumble_aggregate(input, compile_all(group_by), tumble, key_types, aggregates, eval));
            }
            let spec = WindowAggregateSpec {
                group_by: compile_all(group_by),
                key_types,
                end_key: w.end_key,
                aggregates: window_calls(aggregates),
                lateness_ms: w.lateness_ms,
                tumble: Some(tumble),
            };
            ops::window_aggregate(id, index, input.rows(), spec, eval, ctx.clone())
        }
        (Operator::GroupAggregate, PlanOp::Aggregate { group_by, aggregates, .. }) => {
            // Streaming: no seed, the global aggregate's group exists once it has rows.
            let key_types = group_by.iter().map(BoundExpr::data_type).collect();
            let mut ctx = ctx.clone();
            ctx.state_ttl = state_ttl(plan, node, 0);
            Some(ops::keyed_aggregate(id, index, input, GroupBy::new(group_by), key_types, aggregates, insert_only, eval, ctx))
        }
        (Operator::BatchGroupAggregate, PlanOp::Aggregate { group_by, aggregates, .. }) => {
            let seed = group_by.is_empty().then(|| global_seed(scope));
            let key_types = group_by.iter().map(BoundExpr::data_type).collect();
            Some(ops::aggregate(input, GroupBy::new(group_by), key_types, aggregates, seed, insert_only, eval))
        }
        _ => mismatch(node, phys, ctx),
    }
}
