//! Sub-plan reuse (issue #15): nodes that compute the same rows from the same inputs become one
//! node with several readers, as Flink's `table.optimizer.reuse-sub-plan-enabled` and
//! `table.optimizer.reuse-source-enabled` do (both on by default). Nexmark q5 names the same
//! `HOP` window aggregate over `bid` twice; without reuse that aggregate, and the exchange
//! before it, run twice (the SQL front end already shares the scan of a table).
//!
//! The pass walks the nodes in order (every input before its readers) and first points each
//! node's inputs at the nodes they were merged into; two nodes are then equal when they read
//! the same inputs and have the same kind, options, bound expressions (compared by
//! [`BoundExpr::same_value_as`]), schema and derived properties (keys, time columns, state
//! time-to-live). A node equal to an earlier one is merged into it: its readers read the
//! earlier node, and it keeps its place among the nodes with no inputs and no readers,
//! marked [`PlanNode::reused_as`], so that it runs nothing (`Operator::Reused`). Node
//! positions, which name operator state and source splits in checkpoints
//! (`state.<node>.w<worker>`, `source.<node>.s<split>`), do not change: the node kept is the
//! first of its kind, whose state is the state of every copy.
//!
//! Never merged: sinks; nodes whose expressions call a non-deterministic function (`NOW()`,
//! `RAND()`, `UUID()`, `CURRENT_WATERMARK`, user functions declared non-deterministic: each
//! copy draws its own values); user (Python) table functions, aggregates, process functions
//! and DataStream windows, which are opaque; the first-arrival deduplication, whose result
//! depends on the order rows arrive in; `push` sources, which the REST API feeds by node; and
//! inline `VALUES` rows (no options tell their rows apart).

use std::collections::{BTreeMap, HashMap};

use crate::error::{PlanError, SpecPath};
use crate::expr::BoundExpr;

use super::typed::{BoundAggregate, BoundOffset, BoundSortKey, PlanNode, PlanOp, ValidatedPlan};

/// The job setting that turns sub-plan reuse on or off (Flink's key; default on).
pub const REUSE_SUB_PLAN_CONFIG: &str = "table.optimizer.reuse-sub-plan-enabled";
/// The job setting that lets sub-plan reuse merge equal source scans (Flink's key; default
/// on). Off, no two scans merge, so neither does anything that reads them.
pub const REUSE_SOURCE_CONFIG: &str = "table.optimizer.reuse-source-enabled";

/// Which nodes sub-plan reuse may merge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReuseSettings {
    /// `table.optimizer.reuse-sub-plan-enabled`: equal nodes are merged at all.
    pub sub_plan: bool,
    /// `table.optimizer.reuse-source-enabled`: equal source scans are merged.
    pub source: bool,
}

impl Default for ReuseSettings {
    /// Both on, as in Flink.
    fn default() -> ReuseSettings {
        ReuseSettings { sub_plan: true, source: true }
    }
}

/// The reuse settings of a job's `raw` configuration; a value other than `true` or `false`
/// fails naming its key under `path`.
pub(super) fn reuse_settings(raw: &BTreeMap<String, String>, path: &SpecPath) -> Result<ReuseSettings, PlanError> {
    let flag = |key: &str| -> Result<bool, PlanError> {
        match raw.get(key).map(|v| v.trim().to_ascii_lowercase()) {
            None => Ok(true),
            Some(v) if v == "true" => Ok(true),
            Some(v) if v == "false" => Ok(false),
            Some(_) => Err(PlanError::new(&path.field(key), format!("expected 'true' or 'false', found '{}'", raw[key]))),
        }
    };
    Ok(ReuseSettings { sub_plan: flag(REUSE_SUB_PLAN_CONFIG)?, source: flag(REUSE_SOURCE_CONFIG)? })
}

/// Merges every node of `plan` equal to an earlier one into it (see the module
/// documentation), as `plan.config.reuse` allows: its readers read the earlier node, and it
/// is left with no inputs, marked [`PlanNode::reused_as`]. Nodes merged by an earlier call
/// stay as they are.
pub fn merge_equal_subplans(plan: &mut ValidatedPlan) {
    let settings = plan.config.reuse;
    if !settings.sub_plan {
        return;
    }
    let mut kept_by_inputs: HashMap<Vec<usize>, Vec<usize>> = HashMap::new();
    for i in 0..plan.nodes.len() {
        let inputs: Vec<usize> = plan.nodes[i].inputs.iter().map(|&k| plan.nodes.get(k).and_then(|n| n.reused_as).unwrap_or(k)).collect();
        plan.nodes[i].inputs.clone_from(&inputs);
        if plan.nodes[i].reused_as.is_some() || !reusable(&plan.nodes[i], settings) {
            continue;
        }
        let kept = kept_by_inputs.entry(inputs).or_default();
        match kept.iter().copied().find(|&j| same_node(&plan.nodes[j], &plan.nodes[i])) {
            Some(j) => {
                let node = &mut plan.nodes[i];
                node.reused_as = Some(j);
                node.inputs.clear();
            }
            None => kept.push(i),
        }
    }
}

/// Whether `node` may be merged with an equal node at all.
fn reusable(node: &PlanNode, settings: ReuseSettings) -> bool {
    let deterministic = |exprs: &[BoundExpr]| exprs.iter().all(BoundExpr::is_deterministic);
    match &node.op {
        PlanOp::Source { factory, computed, options, .. } => settings.source && options.is_some() && factory.push_input().is_none() && deterministic(computed),
        PlanOp::Deduplicate { first_arrival, .. } => !first_arrival,
        PlanOp::Aggregate { user_aggregates, .. } => user_aggregates.is_empty(),
        PlanOp::FlatMap { .. } | PlanOp::Process { .. } | PlanOp::StreamWindow { .. } | PlanOp::Sink { .. } => false,
        _ => true,
    }
}

/// Whether `a` and `b` (reading the same inputs) compute the same rows.
fn same_node(a: &PlanNode, b: &PlanNode) -> bool {
    a.schema == b.schema
        && a.unique_key == b.unique_key
        && a.append_only == b.append_only
        && a.time == b.time
        && a.own_state_ttl_ms == b.own_state_ttl_ms
        && match (&a.ordering, &b.ordering) {
            (Some(x), Some(y)) => sort_keys(x, y),
            (None, None) => true,
            _ => false,
        }
        && same_op(&a.op, &b.op)
}

/// Whether two node kinds with their options and expressions compute the same rows from
/// the same inputs. Kinds [`reusable`] refuses are never the same.
fn same_op(a: &PlanOp, b: &PlanOp) -> bool {
    use PlanOp as P;
    match (a, b) {
        (
            P::Source { connector, watermark, computed, projection, options, .. },
            P::Source { connector: connector2, watermark: watermark2, computed: computed2, projection: projection2, options: options2, .. },
        ) => {
            connector == connector2
                && watermark == watermark2
                && exprs(computed, computed2)
                && projection == projection2
                && options.is_some()
                && options == options2
        }
        (P::Filter { predicate }, P::Filter { predicate: predicate2 }) => predicate.same_value_as(predicate2),
        (P::Project { exprs: x }, P::Project { exprs: y }) => exprs(x, y),
        (P::Window { window, time_column, partition_by }, P::Window { window: window2, time_column: time_column2, partition_by: partition_by2 }) => {
            window == window2 && time_column == time_column2 && partition_by == partition_by2
        }
        (
            P::Over { partition_by, time_column, frame, aggregates: calls, offsets: lags, event_time },
            P::Over { partition_by: partition_by2, time_column: time_column2, frame: frame2, aggregates: calls2, offsets: lags2, event_time: event_time2 },
        ) => {
            exprs(partition_by, partition_by2)
                && time_column == time_column2
                && frame == frame2
                && aggregates(calls, calls2)
                && offsets(lags, lags2)
                && event_time == event_time2
        }
        (
            P::SortedOver { partition_by, order_by, frame, aggregates: calls, offsets: lags, ranks },
            P::SortedOver { partition_by: partition_by2, order_by: order_by2, frame: frame2, aggregates: calls2, offsets: lags2, ranks: ranks2 },
        ) => {
            exprs(partition_by, partition_by2)
                && sort_keys(order_by, order_by2)
                && frame == frame2
                && aggregates(calls, calls2)
                && offsets(lags, lags2)
                && ranks == ranks2
        }
        (
            P::Aggregate { group_by, aggregates: calls, user_aggregates, window },
            P::Aggregate { group_by: group_by2, aggregates: calls2, user_aggregates: users2, window: window2 },
        ) => user_aggregates.is_empty() && users2.is_empty() && exprs(group_by, group_by2) && aggregates(calls, calls2) && window == window2,
        (
            P::Join { join_type, left_keys, right_keys, condition, left_width, right_width, window },
            P::Join {
                join_type: join_type2,
                left_keys: left_keys2,
                right_keys: right_keys2,
                condition: condition2,
                left_width: left_width2,
                right_width: right_width2,
                window: window2,
            },
        ) => {
            join_type == join_type2
                && exprs(left_keys, left_keys2)
                && exprs(right_keys, right_keys2)
                && optional(condition, condition2)
                && (left_width, right_width, window) == (left_width2, right_width2, window2)
        }
        (
            P::IntervalJoin { left_keys, right_keys, left_time, right_time, lower_ms, upper_ms, condition, join_type, widths, event_time },
            P::IntervalJoin {
                left_keys: left_keys2,
                right_keys: right_keys2,
                left_time: left_time2,
                right_time: right_time2,
                lower_ms: lower_ms2,
                upper_ms: upper_ms2,
                condition: condition2,
                join_type: join_type2,
                widths: widths2,
                event_time: event_time2,
            },
        ) => {
            exprs(left_keys, left_keys2)
                && exprs(right_keys, right_keys2)
                && optional(condition, condition2)
                && (left_time, right_time, lower_ms, upper_ms, join_type, widths, event_time)
                    == (left_time2, right_time2, lower_ms2, upper_ms2, join_type2, widths2, event_time2)
        }
        (P::Distinct, P::Distinct) => true,
        (P::Union { casts }, P::Union { casts: casts2 }) => {
            casts.len() == casts2.len()
                && casts.iter().zip(casts2).all(|pair| match pair {
                    (Some(x), Some(y)) => exprs(x, y),
                    (None, None) => true,
                    _ => false,
                })
        }
        (
            P::TopN { partition_by, order_by, limit, rank_start, rank_type, row_number, window_end },
            P::TopN {
                partition_by: partition_by2,
                order_by: order_by2,
                limit: limit2,
                rank_start: rank_start2,
                rank_type: rank_type2,
                row_number: row_number2,
                window_end: window_end2,
            },
        ) => {
            exprs(partition_by, partition_by2)
                && sort_keys(order_by, order_by2)
                && (limit, rank_start, rank_type, row_number, window_end) == (limit2, rank_start2, rank_type2, row_number2, window_end2)
        }
        (
            P::Deduplicate { key, order_by, keep, first_arrival },
            P::Deduplicate { key: key2, order_by: order_by2, keep: keep2, first_arrival: first_arrival2 },
        ) => !first_arrival && !first_arrival2 && exprs(key, key2) && order_by.same_value_as(order_by2) && keep == keep2,
        (P::Sort { order_by, limit, offset }, P::Sort { order_by: order_by2, limit: limit2, offset: offset2 }) => {
            sort_keys(order_by, order_by2) && (limit, offset) == (limit2, offset2)
        }
        (P::Watermark { column, delay_ms, sql }, P::Watermark { column: column2, delay_ms: delay_ms2, sql: sql2 }) => {
            (column, delay_ms, sql) == (column2, delay_ms2, sql2)
        }
        _ => false,
    }
}

fn exprs(a: &[BoundExpr], b: &[BoundExpr]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_value_as(y))
}

fn optional(a: &Option<BoundExpr>, b: &Option<BoundExpr>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => x.same_value_as(y),
        (None, None) => true,
        _ => false,
    }
}

fn sort_keys(a: &[BoundSortKey], b: &[BoundSortKey]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.expr.same_value_as(&y.expr) && x.descending == y.descending && x.nulls_first == y.nulls_first)
}

fn aggregates(a: &[BoundAggregate], b: &[BoundAggregate]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.function == y.function && x.distinct == y.distinct && x.output_type == y.output_type && optional(&x.arg, &y.arg) && optional(&x.filter, &y.filter)
        })
}

fn offsets(a: &[BoundOffset], b: &[BoundOffset]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.lead == y.lead && x.offset == y.offset && x.output_type == y.output_type && x.arg.same_value_as(&y.arg) && optional(&x.default, &y.default)
        })
}
