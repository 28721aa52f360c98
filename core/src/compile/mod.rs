//! The compiler: turns a [`ValidatedPlan`] into a timely/differential dataflow on one worker.
//! Every worker builds the same dataflow in the same order (a requirement of timely), so the
//! same code serves one thread, many threads, and many processes.

mod fusion;

use std::sync::Arc;

use differential_dataflow::AsCollection;
use timely::dataflow::operators::probe::Handle as ProbeHandle;
use timely::dataflow::operators::ToStream;
use timely::dataflow::Scope;

use crate::expr::{BoundExpr, CompiledExpr};
use crate::ops::{self, Evaluator, IntervalJoinSpec, JoinSpec, LateCounter, OverAggregate, OverSpec, ProcessSpec, Ranking, Rows, SinkSpec, SortSpec, Time, WindowAggregateCall, WindowAggregateSpec, WindowJoinSpec, WindowTopNSpec};
use crate::plan::{BoundAggregate, BoundSortKey, Keep, PlanNode, PlanOp, RuntimeMode, ValidatedPlan, WindowKind};
use crate::job::JobContext;
use crate::types::Row;

fn compile_all(exprs: &[BoundExpr]) -> Vec<CompiledExpr> {
    exprs.iter().map(BoundExpr::compile).collect()
}

/// The aggregates of a keyed window or session aggregate, ready to run.
fn window_calls(aggregates: &[BoundAggregate]) -> Vec<WindowAggregateCall> {
    aggregates
        .iter()
        .map(|a| WindowAggregateCall {
            function: a.function,
            arg: a.arg.as_ref().map(BoundExpr::compile),
            distinct: a.distinct,
            filter: a.filter.as_ref().map(BoundExpr::compile),
            output_type: a.output_type,
        })
        .collect()
}

fn sort_parts(keys: &[BoundSortKey]) -> (Vec<CompiledExpr>, Vec<SortSpec>) {
    let exprs = keys.iter().map(|k| k.expr.compile()).collect();
    let specs = keys.iter().map(|k| SortSpec { descending: k.descending, nulls_first: k.nulls_first }).collect();
    (exprs, specs)
}

/// Builds `plan` into `scope`; every sink is attached to `probe`, which is done when all sinks
/// have seen all of their input.
pub fn build_dataflow<'s>(scope: Scope<'s, Time>, plan: &ValidatedPlan, ctx: &JobContext, probe: &ProbeHandle<Time>) {
    let mut outputs: Vec<Option<Rows<'s>>> = Vec::with_capacity(plan.nodes.len());
    let fused = fusion::fused_session_windows(plan, ctx.mode);
    for node in &plan.nodes {
        let mut inputs: Vec<Rows<'s>> = node.inputs.iter().filter_map(|&i| outputs.get(i).cloned().flatten()).collect();
        if fused.get(node.index).copied().unwrap_or(false) {
            // The aggregate reading this SESSION window runs it: it gets the window's input.
            outputs.push(inputs.pop());
            continue;
        }
        let append_only = node.inputs.iter().all(|&i| plan.nodes.get(i).is_some_and(|n| n.append_only));
        let output = match fusion::session_aggregate(plan, node, ctx.mode) {
            Some(spec) => inputs.pop().and_then(|input| ops::session_aggregate(&node.id, node.index, input, spec, Evaluator::new(&node.id, ctx), ctx.clone())),
            None => build_node(scope, node, inputs, append_only, ctx, probe),
        };
        let counted = output.map(|rows| match node.op {
            PlanOp::Source { .. } => rows,
            _ => {
                let (metrics, index) = (ctx.metrics.clone(), node.index);
                ops::count_in_order(rows.inner, move |n| metrics.add_out(index, n as u64)).as_collection()
            }
        });
        outputs.push(counted);
    }
}

/// The output collection of one node (`None` for sinks).
/// `inputs_append_only` says that no input of the node ever retracts a row.
fn build_node<'s>(
    scope: Scope<'s, Time>,
    node: &PlanNode,
    mut inputs: Vec<Rows<'s>>,
    inputs_append_only: bool,
    ctx: &JobContext,
    probe: &ProbeHandle<Time>,
) -> Option<Rows<'s>> {
    let eval = Evaluator::new(&node.id, ctx);
    if let PlanOp::Source { factory, watermark, .. } = &node.op {
        return Some(ops::source(scope, node.index, &node.id, Arc::clone(factory), *watermark, ctx.clone()));
    }
    let Some(input) = inputs.first().cloned() else {
        ctx.fail(crate::error::RuntimeError::Worker(format!("node \"{}\" has no input", node.id)));
        return None;
    };
    Some(match &node.op {
        PlanOp::Source { .. } => return None,
        PlanOp::Filter { predicate } => ops::filter(input, predicate.compile(), eval),
        PlanOp::Project { exprs } => {
            let columns = exprs.iter().map(BoundExpr::as_column).collect::<Option<Vec<_>>>();
            ops::project(input, compile_all(exprs), columns, eval)
        }
        PlanOp::FlatMap { function, outer } => {
            let padding = outer.then(|| function.output_fields().len());
            ops::flat_map(input, function.compile(), padding, eval)
        }
        PlanOp::Window { window, time_column, partition_by } if window.kind == WindowKind::Session => {
            requires_event_time(node, ctx, "SESSION windows", node.time.window.is_some_and(|w| w.event_time))?;
            let keys = partition_by.iter().map(|&c| BoundExpr::column(c, node.schema.fields[c].data_type, true).compile()).collect();
            return ops::session_windows(&node.id, node.index, input, keys, *time_column, window.size_ms, eval, ctx.clone());
        }
        PlanOp::Window { window, time_column, .. } => ops::window(input, *window, *time_column),
        PlanOp::Over { partition_by, time_column, frame, aggregates, event_time } => {
            requires_event_time(node, ctx, "OVER aggregates", *event_time)?;
            let spec = OverSpec {
                partition_by: compile_all(partition_by),
                time_column: *time_column,
                frame: *frame,
                aggregates: aggregates.iter().map(|a| OverAggregate { function: a.function, arg: a.arg.as_ref().map(BoundExpr::compile), output_type: a.output_type }).collect(),
            };
            return ops::over(&node.id, node.index, input, spec, eval, ctx.clone());
        }
        PlanOp::IntervalJoin { left_keys, right_keys, left_time, right_time, lower_ms, upper_ms, condition, join_type, widths, event_time } => {
            requires_event_time(node, ctx, "interval joins", *event_time)?;
            let right = inputs.pop()?;
            let spec = IntervalJoinSpec {
                left_keys: compile_all(left_keys),
                right_keys: compile_all(right_keys),
                left_time: *left_time,
                right_time: *right_time,
                lower_ms: *lower_ms,
                upper_ms: *upper_ms,
                condition: condition.as_ref().map(BoundExpr::compile),
                join_type: *join_type,
                widths: *widths,
            };
            return ops::interval_join(&node.id, node.index, input, right, spec, eval, ctx.clone());
        }
        PlanOp::Aggregate { group_by, aggregates, user_aggregates, window: Some(w) } if w.event_time && ctx.mode == RuntimeMode::Streaming && user_aggregates.is_empty() => {
            // Streaming event-time windows close with the watermark, on keyed state.
            let spec = WindowAggregateSpec {
                group_by: compile_all(group_by),
                end_key: w.end_key,
                aggregates: window_calls(aggregates),
                lateness_ms: w.lateness_ms,
            };
            return ops::window_aggregate(&node.id, node.index, input, spec, eval, ctx.clone());
        }
        PlanOp::Aggregate { group_by, aggregates, user_aggregates, window } => {
            let seed = group_by.is_empty().then(|| global_seed(scope));
            let key_types = group_by.iter().map(BoundExpr::data_type).collect();
            // Streaming event-time windows with user aggregates close with the watermark: see
            // `ops::close_windows`.
            let closing = window.filter(|w| w.event_time && ctx.mode == RuntimeMode::Streaming);
            let (input, append_only) = match closing {
                Some(w) => (ops::close_windows(input, w.end_column, w.lateness_ms, LateCounter { metrics: Arc::clone(&ctx.metrics), node: node.index }), false),
                None => (input, inputs_append_only),
            };
            let output = if user_aggregates.is_empty() {
                ops::aggregate(input, compile_all(group_by), key_types, aggregates, seed, append_only, eval)
            } else {
                ops::user_aggregate(input, compile_all(group_by), aggregates, user_aggregates, seed, eval)
            };
            match closing {
                Some(w) => ops::drop_retractions(output, w.end_key, w.lateness_ms),
                None => output,
            }
        }
        PlanOp::Join { left_keys, right_keys, condition, window: Some(w), .. } if ctx.mode == RuntimeMode::Streaming => {
            let right = inputs.pop()?;
            let spec = WindowJoinSpec {
                left_keys: compile_all(left_keys),
                right_keys: compile_all(right_keys),
                left_end: w.left_end,
                right_end: w.right_end,
                condition: condition.as_ref().map(BoundExpr::compile),
            };
            return ops::window_join(&node.id, node.index, input, right, spec, eval, ctx.clone());
        }
        PlanOp::Join { join_type, left_keys, right_keys, condition, left_width, right_width, .. } => {
            let right = inputs.pop()?;
            let spec = JoinSpec {
                join_type: *join_type,
                left_keys: compile_all(left_keys),
                right_keys: compile_all(right_keys),
                condition: condition.as_ref().map(BoundExpr::compile),
                left_width: *left_width,
                right_width: *right_width,
            };
            ops::join(input, right, spec, eval)
        }
        PlanOp::Distinct => ops::distinct(input),
        PlanOp::Union { casts } => {
            let casts = casts.iter().map(|c| c.as_ref().map(|exprs| compile_all(exprs))).collect();
            ops::union(input, inputs.split_off(1), casts, eval)
        }
        PlanOp::TopN { partition_by, order_by, limit, row_number, window_end: Some(end_column) } if ctx.mode == RuntimeMode::Streaming => {
            let (order_by, specs) = sort_parts(order_by);
            let spec = WindowTopNSpec { partition_by: compile_all(partition_by), order_by, specs, limit: *limit, row_number: *row_number, end_column: *end_column };
            return ops::window_top_n(&node.id, node.index, input, spec, eval, ctx.clone());
        }
        PlanOp::TopN { partition_by, order_by, limit, row_number, .. } => {
            let (order_by, specs) = sort_parts(order_by);
            let ranking = Ranking {
                partition_by: compile_all(partition_by),
                order_by,
                specs,
                offset: 0,
                limit: *limit,
                row_number: *row_number,
                append_only: inputs_append_only,
            };
            ops::top_n(input, ranking, eval)
        }
        PlanOp::Deduplicate { key, order_by, keep } => ops::deduplicate(input, compile_all(key), order_by.compile(), *keep == Keep::Last, inputs_append_only, eval),
        PlanOp::Sort { order_by, limit, offset } => {
            let (order_by, specs) = sort_parts(order_by);
            ops::sort(input, order_by, specs, *limit, *offset, inputs_append_only, eval)
        }
        PlanOp::Watermark { column, delay_ms } => ops::assign_watermarks(input, *column, *delay_ms, ctx),
        PlanOp::Process { function, keys, values, timestamps, event_time } => {
            let spec = ProcessSpec {
                function: Arc::clone(function),
                inputs: keys.iter().zip(values).zip(timestamps).map(|((k, v), t)| (compile_all(k), *v, *t)).collect(),
                event_time: *event_time && ctx.mode == RuntimeMode::Streaming,
                worker: (scope.index(), scope.peers()),
            };
            return ops::process(&node.id, node.index, inputs, spec, eval, ctx.clone());
        }
        PlanOp::Sink { sink, .. } => {
            let spec = SinkSpec { unique_key: node.unique_key.clone(), ordering: node.ordering.as_deref().map(sort_parts), append_only: inputs_append_only };
            ops::sink(input, spec, &node.id, Arc::clone(sink), ctx.clone(), probe);
            return None;
        }
    })
}

/// In streaming mode, keyed event-time operators order and expire rows by the watermark, so
/// their time columns must be event-time columns; fails the job otherwise.
fn requires_event_time(node: &PlanNode, ctx: &JobContext, what: &str, event_time: bool) -> Option<()> {
    if ctx.mode == RuntimeMode::Batch || event_time {
        return Some(());
    }
    let message = format!("{what} in streaming mode need an event-time column (declare a watermark on the source, or run in batch mode)");
    ctx.fail(crate::error::RuntimeError::Eval { operator: node.id.clone(), message });
    None
}

/// One empty row at time 0 on worker 0: gives a global aggregate its single group.
fn global_seed<'s>(scope: Scope<'s, Time>) -> Rows<'s> {
    let seed: Vec<(Row, Time, isize)> = if scope.index() == 0 { vec![(Row::empty(), 0, 1)] } else { Vec::new() };
    seed.to_stream(scope).as_collection()
}
