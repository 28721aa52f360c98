//! The compiler: turns a [`PhysicalPlan`] into a timely/differential dataflow on one worker,
//! mapping each physical operator onto one `ops` function. It decides nothing: the operator,
//! and whether its inputs are insert-only, come from the plan. Every worker builds the same
//! dataflow in the same order (a requirement of timely), so the same code serves one thread,
//! many threads, and many processes.

mod aggregate;

use std::sync::Arc;
use std::time::Duration;

use differential_dataflow::AsCollection;
use timely::dataflow::Scope;
use timely::dataflow::operators::ToStream;
use timely::dataflow::operators::probe::Handle as ProbeHandle;

use crate::expr::{BoundExpr, CompiledExpr, RowClock};
use crate::job::JobContext;
use crate::ops::{
    self, AggregateInput, Evaluator, IntervalJoinSpec, JoinSpec, LateCounter, OffsetSpec, OverAggregate, OverSpec, ProcessSpec, Ranking, Rows,
    SessionAggregateSpec, SinkSpec, SortSpec, SortedFrame, SortedOverSpec, SourceCalc, SourceSpec, StreamWindowSpec, Time, UserWindowAggregateSpec,
    WindowAggregateCall, WindowAggregateSpec, WindowJoinSpec, WindowTopNSpec,
};
use crate::physical::{Operator, PhysicalNode, PhysicalPlan, combiner_source};
use crate::plan::{BoundAggregate, BoundOffset, BoundSortKey, FrameUnit, Keep, OverFrame, PlanNode, PlanOp, RuntimeMode};
use crate::types::Row;

fn compile_all(exprs: &[BoundExpr]) -> Vec<CompiledExpr> {
    exprs.iter().map(BoundExpr::compile).collect()
}

/// The expressions of a Calc, compiled; when one calls `CURRENT_WATERMARK`, all read the
/// returned clock, which the operator sets per row (no clock, and no cost, otherwise).
fn compile_calc(exprs: &[BoundExpr]) -> (Vec<CompiledExpr>, Option<RowClock>) {
    if !exprs.iter().any(BoundExpr::reads_watermark) {
        return (compile_all(exprs), None);
    }
    let clock = RowClock::new();
    (exprs.iter().map(|e| e.compile_with_clock(&clock)).collect(), Some(clock))
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
pub fn build_dataflow<'s>(scope: Scope<'s, Time>, plan: &PhysicalPlan, ctx: &JobContext, probe: &ProbeHandle<Time>) {
    let mut outputs: Vec<Option<Rows<'s>>> = Vec::with_capacity(plan.nodes.len());
    let combined = combined_nodes(plan);
    for (node, phys) in plan.iter() {
        if matches!(phys.operator, Operator::Reused { .. }) || combined.get(node.index).copied().unwrap_or(false) {
            // Merged into an earlier node, which its readers read, or built by the aggregate
            // whose local phase its source runs: nothing to build here.
            outputs.push(None);
            continue;
        }
        let inputs: Vec<Rows<'s>> = node.inputs.iter().filter_map(|&i| outputs.get(i).cloned().flatten()).collect();
        let output = build_node(scope, plan, node, phys, inputs, ctx, probe);
        let counted = output.map(|rows| match phys.operator {
            // A fused node's rows are its input's, counted there; a source counts its own rows
            // and those of the Calcs chained into it.
            Operator::TableSourceScan | Operator::Fused { .. } | Operator::ChainedCalc { .. } => rows,
            _ => {
                let (metrics, index) = (ctx.metrics.clone(), node.index);
                ops::count_in_order(rows.inner, move |n| metrics.add_out(index, n as u64)).as_collection()
            }
        });
        outputs.push(counted);
    }
}

/// Per node, whether it is a source whose splits run the local phase of the aggregate reading
/// it ([`combiner_source`]), or a node between them (a chained Calc, a fused window): the
/// aggregate builds the source, and these nodes build nothing.
fn combined_nodes(plan: &PhysicalPlan) -> Vec<bool> {
    let mut combined = vec![false; plan.nodes.len()];
    for phys in &plan.nodes {
        let Some(source) = combiner_source(plan, phys.index) else { continue };
        for other in &plan.nodes {
            let between = match other.operator {
                Operator::ChainedCalc { source: s } => s == source,
                Operator::Fused { into } => into == phys.index,
                _ => other.index == source,
            };
            if let Some(slot) = combined.get_mut(other.index).filter(|_| between) {
                *slot = true;
            }
        }
    }
    combined
}

/// Source node `source` as its splits are built.
fn source_spec(plan: &PhysicalPlan, source: usize, ctx: &JobContext, probe: &ProbeHandle<Time>) -> Option<SourceSpec> {
    let node = plan.logical.nodes.get(source)?;
    let PlanOp::Source { factory, watermark, .. } = &node.op else { return None };
    Some(SourceSpec {
        node: source,
        name: node.id.clone(),
        factory: Arc::clone(factory),
        watermark: *watermark,
        calc: source_calc(plan, source, ctx),
        ctx: ctx.clone(),
        sinks: (!reclocked_downstream(plan, source)).then(|| probe.clone()),
    })
}

/// Whether the rows of node `source` pass a `watermark` node on some way to the sinks. That
/// node sends them at event-time watermarks, so the sinks' frontier stays behind the source's
/// processing times until the input ends, and a source waiting for its rows to get through
/// (`ops::backpressure`) would wait out its stall limit (30 s) once 256k rows are in flight.
fn reclocked_downstream(plan: &PhysicalPlan, source: usize) -> bool {
    let mut reached = vec![false; plan.logical.nodes.len()];
    for node in plan.logical.nodes.iter().skip(source) {
        let fed = node.index == source || node.inputs.iter().any(|&i| reached.get(i).copied().unwrap_or(false));
        if !fed {
            continue;
        }
        if matches!(node.op, PlanOp::Watermark { .. }) {
            return true;
        }
        if let Some(slot) = reached.get_mut(node.index) {
            *slot = true;
        }
    }
    false
}

/// The output collection of one node (`None` for sinks, and when the job failed).
fn build_node<'s>(
    scope: Scope<'s, Time>,
    plan: &PhysicalPlan,
    node: &PlanNode,
    phys: &PhysicalNode,
    mut inputs: Vec<Rows<'s>>,
    ctx: &JobContext,
    probe: &ProbeHandle<Time>,
) -> Option<Rows<'s>> {
    let eval = Evaluator::new(&node.id, ctx);
    if let PlanOp::Source { .. } = &node.op {
        return source_spec(plan, node.index, ctx, probe).map(|spec| ops::source(scope, spec));
    }
    if let Some(source) = combiner_source(plan, node.index) {
        // The source's splits run the aggregate's local phase: it builds them.
        let spec = source_spec(plan, source, ctx, probe)?;
        return aggregate::build_aggregate(scope, plan, node, phys, AggregateInput::Source(scope, Box::new(spec)), eval, ctx);
    }
    let Some(input) = inputs.first().cloned() else {
        ctx.fail(crate::error::RuntimeError::Worker(format!("node \"{}\" has no input", node.id)));
        return None;
    };
    let insert_only = phys.inputs_insert_only;
    let (id, index) = (node.id.as_str(), node.index);
    Some(match (&phys.operator, &node.op) {
        // The node reading it (or the source it reads) computes it: it passes its input through.
        (Operator::Fused { .. } | Operator::ChainedCalc { .. }, _) => input,
        (Operator::Calc, PlanOp::Filter { predicate }) => {
            let (mut compiled, clock) = compile_calc(std::slice::from_ref(predicate));
            ops::filter(input, compiled.remove(0), clock, eval)
        }
        (Operator::Calc, PlanOp::Project { exprs }) => {
            let columns = exprs.iter().map(BoundExpr::as_column).collect::<Option<Vec<_>>>();
            if identity(plan, node, columns.as_deref()) {
                // Every column in its place (a renaming, as the DataStream API's projection
                // after each Python function): the rows pass as they are, not copied.
                return Some(input);
            }
            let (compiled, clock) = compile_calc(exprs);
            ops::project(input, compiled, columns, clock, eval)
        }
        (Operator::Correlate, PlanOp::FlatMap { function, outer }) => {
            let padding = outer.then(|| function.output_fields().len());
            ops::flat_map(input, function.compile(), padding, eval)
        }
        (Operator::SessionWindowTableFunction, PlanOp::Window { window, time_column, partition_by }) => {
            let keys = partition_by.iter().map(|&c| BoundExpr::column(c, node.schema.fields[c].data_type, true).compile()).collect();
            return ops::session_windows(id, index, input, keys, *time_column, window.size_ms, eval, ctx.clone());
        }
        (Operator::WindowTableFunction, PlanOp::Window { window, time_column, .. }) => ops::window(input, *window, *time_column),
        (Operator::SortedOverAggregate, PlanOp::SortedOver { partition_by, order_by, frame, aggregates, offsets, ranks }) => {
            let (order_by, specs) = sort_parts(order_by);
            let spec = SortedOverSpec {
                partition_by: compile_all(partition_by),
                order_by,
                specs,
                frame: match frame {
                    None => SortedFrame::Partition,
                    Some(OverFrame { unit: FrameUnit::Rows, preceding: Some(n) }) => SortedFrame::Rows(*n),
                    Some(f) => SortedFrame::Running { peers: f.unit == FrameUnit::Range },
                },
                aggregates: aggregates.iter().map(over_aggregate).collect(),
                offsets: offsets.iter().map(compile_offset).collect(),
                ranks: ranks.clone(),
            };
            ops::sorted_over(input, spec, eval)
        }
        (Operator::OverAggregate, PlanOp::Over { partition_by, time_column, frame, aggregates, offsets, .. }) => {
            let spec = OverSpec {
                partition_by: compile_all(partition_by),
                time_column: *time_column,
                frame: *frame,
                aggregates: aggregates.iter().map(over_aggregate).collect(),
                lags: offsets.iter().map(compile_offset).collect(),
            };
            return ops::over(id, index, input, spec, eval, ctx.clone());
        }
        (
            Operator::IntervalJoin,
            PlanOp::IntervalJoin { left_keys, right_keys, left_time, right_time, lower_ms, upper_ms, condition, join_type, widths, .. },
        ) => {
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
            return ops::interval_join(id, index, input, right, spec, eval, ctx.clone());
        }
        (Operator::SessionWindowAggregate { window, keys }, PlanOp::Aggregate { aggregates, .. }) => {
            let Some(PlanNode { op: PlanOp::Window { window: spec, time_column, partition_by }, schema, .. }) = plan.logical.nodes.get(*window) else {
                return mismatch(node, phys, ctx);
            };
            let spec = SessionAggregateSpec {
                partition_by: partition_by.iter().map(|&c| BoundExpr::column(c, schema.fields[c].data_type, true).compile()).collect(),
                time_column: *time_column,
                gap_ms: spec.size_ms,
                keys: keys.clone(),
                aggregates: window_calls(aggregates),
            };
            return ops::session_aggregate(id, index, input, spec, eval, ctx.clone());
        }
        (
            Operator::SlicedWindowAggregate { .. } | Operator::TumbleWindowAggregate { .. } | Operator::GroupAggregate | Operator::BatchGroupAggregate,
            PlanOp::Aggregate { .. },
        ) => return aggregate::build_aggregate(scope, plan, node, phys, AggregateInput::Rows(input), eval, ctx),
        (Operator::WindowAggregate, PlanOp::Aggregate { group_by, aggregates, window: Some(w), .. }) => {
            let spec = WindowAggregateSpec {
                group_by: compile_all(group_by),
                key_types: group_by.iter().map(BoundExpr::data_type).collect(),
                end_key: w.end_key,
                aggregates: window_calls(aggregates),
                lateness_ms: w.lateness_ms,
                tumble: None,
            };
            return ops::window_aggregate(id, index, input, spec, eval, ctx.clone());
        }
        (Operator::PythonGroupWindowAggregate, PlanOp::Aggregate { group_by, aggregates, user_aggregates, window: Some(w) }) => {
            let spec = UserWindowAggregateSpec {
                group_by: compile_all(group_by),
                end_key: w.end_key,
                aggregates: window_calls(aggregates),
                users: user_aggregates.iter().map(|u| (Arc::clone(&u.function), compile_all(&u.args))).collect(),
                lateness_ms: w.lateness_ms,
            };
            return ops::user_window_aggregate(id, index, input, spec, eval, ctx.clone());
        }
        (Operator::ArrangedPythonGroupWindowAggregate, PlanOp::Aggregate { group_by, aggregates, user_aggregates, window: Some(w) }) => {
            // Rows of closed windows are dropped before the aggregate (see `ops::close_windows`),
            // and its retractions of emitted windows after it.
            let late = LateCounter { metrics: Arc::clone(&ctx.metrics), node: index };
            let input = ops::close_windows(input, w.end_column, w.lateness_ms, late);
            let seed = group_by.is_empty().then(|| global_seed(scope));
            let output = ops::user_aggregate(input, compile_all(group_by), aggregates, user_aggregates, seed, eval);
            ops::drop_retractions(output, w.end_key, w.lateness_ms)
        }
        (Operator::PythonGroupAggregate, PlanOp::Aggregate { group_by, aggregates, user_aggregates, .. }) => {
            // Streaming: no seed, the global aggregate's group exists once it has rows.
            let mut ctx = ctx.clone();
            ctx.state_ttl = state_ttl(plan, node, 0);
            ops::keyed_user_aggregate(id, index, input, compile_all(group_by), aggregates, user_aggregates, insert_only, eval, ctx)
        }
        (Operator::ArrangedPythonGroupAggregate, PlanOp::Aggregate { group_by, aggregates, user_aggregates, .. }) => {
            // A global aggregate has one row for empty input in batch mode only (see
            // `ops::keyed::group_aggregate`).
            let seed = (group_by.is_empty() && ctx.mode == RuntimeMode::Batch).then(|| global_seed(scope));
            ops::user_aggregate(input, compile_all(group_by), aggregates, user_aggregates, seed, eval)
        }
        (Operator::WindowJoin, PlanOp::Join { left_keys, right_keys, condition, window: Some(w), .. }) => {
            let right = inputs.pop()?;
            let spec = WindowJoinSpec {
                left_keys: compile_all(left_keys),
                right_keys: compile_all(right_keys),
                left_end: w.left_end,
                right_end: w.right_end,
                condition: condition.as_ref().map(BoundExpr::compile),
            };
            return ops::window_join(id, index, input, right, spec, eval, ctx.clone());
        }
        (Operator::Join, PlanOp::Join { .. }) => {
            let right = inputs.pop()?;
            let spec = JoinSpec { state_ttl: [state_ttl(plan, node, 0), state_ttl(plan, node, 1)], ..join_spec(&node.op)? };
            ops::stream_join(id, index, input, right, spec, eval, ctx.clone())
        }
        (Operator::ArrangedJoin, PlanOp::Join { .. }) => {
            let right = inputs.pop()?;
            ops::join(input, right, join_spec(&node.op)?, eval)
        }
        (Operator::SymmetricHashJoin, PlanOp::Join { .. }) => {
            let right = inputs.pop()?;
            ops::symmetric_hash_join(input, right, join_spec(&node.op)?, eval)
        }
        (Operator::HashJoin, PlanOp::Join { .. }) => {
            let right = inputs.pop()?;
            ops::hash_join(input, right, join_spec(&node.op)?, eval)
        }
        (Operator::Distinct, PlanOp::Distinct) => {
            let mut ctx = ctx.clone();
            ctx.state_ttl = state_ttl(plan, node, 0);
            ops::keyed_distinct(id, index, input, insert_only, ctx)
        }
        (Operator::BatchDistinct, PlanOp::Distinct) => ops::distinct(input),
        (Operator::Union, PlanOp::Union { casts }) => {
            let casts = casts.iter().map(|c| c.as_ref().map(|exprs| compile_all(exprs))).collect();
            ops::union(input, inputs.split_off(1), casts, eval)
        }
        (Operator::WindowRank, PlanOp::TopN { partition_by, order_by, limit, rank_start, row_number, window_end: Some(end_column), .. }) => {
            let (order_by, specs) = sort_parts(order_by);
            let spec = WindowTopNSpec {
                partition_by: compile_all(partition_by),
                order_by,
                specs,
                rank_start: *rank_start,
                limit: *limit,
                row_number: *row_number,
                end_column: *end_column,
            };
            return ops::window_top_n(id, index, input, spec, eval, ctx.clone());
        }
        (Operator::Rank, PlanOp::TopN { .. }) => ops::keyed_top_n(id, index, input, ranking(&node.op, insert_only)?, eval, ctx.clone()),
        (Operator::ArrangedRank, PlanOp::TopN { .. }) => ops::top_n(input, ranking(&node.op, insert_only)?, eval),
        (Operator::Deduplicate, PlanOp::Deduplicate { key, first_arrival: true, .. }) => {
            ops::keyed_first_rows(id, index, input, compile_all(key), eval, ctx.clone())
        }
        (Operator::Deduplicate, PlanOp::Deduplicate { key, order_by, keep, .. }) => {
            let ranking = Ranking::first_per_key(compile_all(key), order_by.compile(), *keep == Keep::Last, insert_only);
            ops::keyed_top_n(id, index, input, ranking, eval, ctx.clone())
        }
        (Operator::Sort, PlanOp::Sort { order_by, limit, offset }) => {
            let (order_by, specs) = sort_parts(order_by);
            ops::sort(input, order_by, specs, *limit, *offset, insert_only, eval)
        }
        (Operator::WatermarkAssigner, PlanOp::Watermark { column, delay_ms, sql }) => ops::assign_watermarks(input, *column, *delay_ms, *sql, ctx),
        (Operator::KeyedProcess { event_time }, PlanOp::Process { function, keys, values, timestamps, .. }) => {
            let spec = ProcessSpec {
                function: Arc::clone(function),
                inputs: keys.iter().zip(values).zip(timestamps).map(|((k, v), t)| (compile_all(k), *v, *t)).collect(),
                event_time: *event_time,
                worker: (scope.index(), scope.peers()),
            };
            return ops::process(id, index, inputs, spec, eval, ctx.clone());
        }
        (
            Operator::WindowOperator { event_time },
            PlanOp::StreamWindow { function, key, value, timestamp, assigner, trigger, evictor, allowed_lateness_ms, .. },
        ) => {
            let spec = StreamWindowSpec {
                function: Arc::clone(function),
                key: compile_all(key),
                value: *value,
                timestamp: *timestamp,
                assigner: assigner.clone(),
                trigger: trigger.clone(),
                evictor: evictor.clone(),
                allowed_lateness_ms: i64::try_from(*allowed_lateness_ms).unwrap_or(i64::MAX),
                event_time: *event_time,
                worker: (scope.index(), scope.peers()),
            };
            return ops::stream_window(id, index, input, spec, eval, ctx.clone());
        }
        (Operator::DiscardSink, PlanOp::Sink { .. }) => {
            input.probe_with(probe);
            return None;
        }
        (Operator::Sink, PlanOp::Sink { sink, .. }) => {
            let spec = SinkSpec { unique_key: node.unique_key.clone(), ordering: node.ordering.as_deref().map(sort_parts), append_only: insert_only };
            ops::sink(input, spec, &node.id, Arc::clone(sink), ctx.clone(), probe);
            return None;
        }
        _ => return mismatch(node, phys, ctx),
    })
}

/// Whether a projection picking `columns` (when all its expressions are plain columns) keeps
/// every column of its input in its place.
fn identity(plan: &PhysicalPlan, node: &PlanNode, columns: Option<&[usize]>) -> bool {
    let arity = node.inputs.first().and_then(|&i| plan.logical.nodes.get(i)).map(|n| n.schema.fields.len());
    columns.is_some_and(|c| Some(c.len()) == arity && c.iter().enumerate().all(|(i, &c)| i == c))
}

/// The Calcs chained into source node `source` (`Operator::ChainedCalc`), compiled in the
/// order its rows pass them; `None` when it has none.
fn source_calc(plan: &PhysicalPlan, source: usize, ctx: &JobContext) -> Option<SourceCalc> {
    let mut calc = SourceCalc::new();
    for (node, phys) in plan.iter() {
        if phys.operator != (Operator::ChainedCalc { source }) {
            continue;
        }
        let eval = Evaluator::new(&node.id, ctx);
        match &node.op {
            PlanOp::Filter { predicate } => calc.filter(node.index, predicate.compile(), eval),
            PlanOp::Project { exprs } => {
                let columns = exprs.iter().map(BoundExpr::as_column).collect::<Option<Vec<_>>>();
                let identity = identity(plan, node, columns.as_deref());
                calc.project(node.index, compile_all(exprs), columns, identity, moved_columns(exprs), eval);
            }
            _ => {}
        }
    }
    (!calc.is_empty()).then_some(calc)
}

/// Per expression of a projection, the column it is when it is a plain column that no other
/// expression of it reads (so it can be moved out of its input row rather than cloned).
fn moved_columns(exprs: &[BoundExpr]) -> Vec<Option<usize>> {
    let reads: Vec<usize> = exprs.iter().flat_map(BoundExpr::referenced_columns).collect();
    exprs.iter().map(|e| e.as_column().filter(|c| reads.iter().filter(|&r| r == c).count() == 1)).collect()
}

/// A physical operator that does not fit its node: a bug in the planner; fails the job.
fn mismatch<'s>(node: &PlanNode, phys: &PhysicalNode, ctx: &JobContext) -> Option<Rows<'s>> {
    ctx.fail(crate::error::RuntimeError::Worker(format!("node \"{}\": the physical operator {:?} does not fit it", node.id, phys.operator)));
    None
}

/// One empty row at time 0 on worker 0: gives a global aggregate its single group.
/// What a Top-N node asks for, compiled.
fn ranking(op: &PlanOp, append_only: bool) -> Option<Ranking> {
    let PlanOp::TopN { partition_by, order_by, limit, rank_start, rank_type, row_number, .. } = op else { return None };
    let (order_by, specs) = sort_parts(order_by);
    Some(Ranking {
        partition_by: compile_all(partition_by),
        order_by,
        specs,
        rank_type: *rank_type,
        offset: rank_start.saturating_sub(1),
        limit: limit.saturating_sub(rank_start.saturating_sub(1)),
        row_number: *row_number,
        append_only,
    })
}

/// What a regular join node asks for, compiled.
fn join_spec(op: &PlanOp) -> Option<JoinSpec> {
    let PlanOp::Join { join_type, left_keys, right_keys, condition, left_width, right_width, .. } = op else { return None };
    Some(JoinSpec {
        join_type: *join_type,
        left_keys: compile_all(left_keys),
        right_keys: compile_all(right_keys),
        condition: condition.as_ref().map(BoundExpr::compile),
        left_width: *left_width,
        right_width: *right_width,
        state_ttl: [None, None],
    })
}

/// How long the state of `node`'s input `input` lives without writes: the node's own
/// time-to-live (a `STATE_TTL` hint), else the job's `table.exec.state.ttl`.
fn state_ttl(plan: &PhysicalPlan, node: &PlanNode, input: usize) -> Option<Duration> {
    node.state_ttl_ms(input, plan.logical.config.state_ttl_ms).map(Duration::from_millis)
}

fn global_seed<'s>(scope: Scope<'s, Time>) -> Rows<'s> {
    let seed: Vec<(Row, Time, isize)> = if scope.index() == 0 { vec![(Row::empty(), ops::at(0, 0), 1)] } else { Vec::new() };
    seed.to_stream(scope).as_collection()
}

fn over_aggregate(a: &BoundAggregate) -> OverAggregate {
    OverAggregate { function: a.function, arg: a.arg.as_ref().map(BoundExpr::compile), distinct: a.distinct, output_type: a.output_type }
}

fn compile_offset(o: &BoundOffset) -> OffsetSpec {
    OffsetSpec { lead: o.lead, arg: o.arg.compile(), offset: o.offset, default: o.default.as_ref().map(BoundExpr::compile) }
}
