//! Projection pushdown (issue #15): which columns of each source the plan's readers use, so
//! that the source parses or generates only those (Flink's `SupportsProjectionPushDown`,
//! shown by `EXPLAIN` as `TableSourceScan(table=[t, project=[a, c]], ...)`).
//!
//! The pass walks the plan from the sinks back to the sources: a node's output columns that
//! some reader uses map back to the input columns they come from, and every node adds the
//! columns its own expressions read, whether or not their results are used (they are still
//! evaluated: a filter's predicate, every aggregate and grouping key, a projection's computed
//! expressions, join keys and conditions, window and watermark time columns). Sinks, DISTINCT,
//! process functions and DataStream windows use every column. At a source, its rowtime
//! (watermark) column and its computed columns, with what they read, always stay.
//!
//! The rows keep their width: a column no reader uses is NULL, so no column reference of the
//! plan changes. Remapping every reader to narrower rows would save the NULL slots too, but
//! most plans put a Calc right after the scan that drops them, and what costs is parsing and
//! allocating the values (strings above all), which both ways avoid (`benches/README.md`,
//! "Projection pushdown").

use crate::expr::BoundExpr;

use super::typed::{BoundAggregate, BoundOffset, BoundSortKey, PlanNode, PlanOp, ValidatedPlan};

/// Records on every source of `plan` the columns its readers use and has its connector build
/// only those ([`PlanOp::Source`]'s `projection`). Sources already projected, sources whose
/// every column is used and connectors that cannot leave columns out are left as they are.
pub fn push_projections(plan: &mut ValidatedPlan) {
    let used = used_columns(&plan.nodes);
    for (node, used) in plan.nodes.iter_mut().zip(used) {
        let width = node.schema.len();
        if node.reused_as.is_some() {
            continue;
        }
        let PlanOp::Source { factory, watermark, computed, projection: projection @ None, .. } = &mut node.op else { continue };
        let mut used = used;
        if let Some(w) = watermark {
            mark(&mut used, w.column);
        }
        for (i, expr) in computed.iter().enumerate() {
            mark(&mut used, width - computed.len() + i);
            mark_all(&mut used, expr);
        }
        if used.iter().all(|&u| u) {
            continue;
        }
        let columns: Vec<usize> = (0..width).filter(|&c| used[c]).collect();
        if let Some(projected) = factory.project(&columns) {
            *factory = projected;
            *projection = Some(columns);
        }
    }
}

/// For every node, which of its output columns some reader uses.
fn used_columns(nodes: &[PlanNode]) -> Vec<Vec<bool>> {
    let mut used: Vec<Vec<bool>> = nodes.iter().map(|n| vec![false; n.schema.len()]).collect();
    for node in nodes.iter().rev() {
        let out = std::mem::take(&mut used[node.index]);
        for (k, &input) in node.inputs.iter().enumerate() {
            let Some(width) = nodes.get(input).map(|n| n.schema.len()) else { continue };
            let mut need = vec![false; width];
            input_needs(node, k, &out, &mut need);
            if let Some(slot) = used.get_mut(input) {
                slot.iter_mut().zip(need).for_each(|(u, n)| *u |= n);
            }
        }
        used[node.index] = out;
    }
    used
}

/// Sets in `need` the columns of input `k` of `node` that it reads, given the output columns
/// its readers use (`out`).
fn input_needs(node: &PlanNode, k: usize, out: &[bool], need: &mut [bool]) {
    // Output column `c` is input column `c` (pass-through columns come first).
    let pass = |need: &mut [bool]| out.iter().enumerate().filter(|(_, u)| **u).for_each(|(c, _)| mark(need, c));
    match &node.op {
        PlanOp::Source { .. } => {}
        PlanOp::Filter { predicate } => {
            pass(need);
            mark_all(need, predicate);
        }
        PlanOp::Project { exprs } => project(exprs, out, need),
        PlanOp::FlatMap { function, .. } => {
            pass(need);
            function.args().iter().for_each(|e| mark_all(need, e));
        }
        PlanOp::Window { time_column, partition_by, .. } => {
            pass(need);
            mark(need, *time_column);
            partition_by.iter().for_each(|&c| mark(need, c));
        }
        PlanOp::Over { partition_by, time_column, aggregates, offsets, .. } => {
            pass(need);
            mark(need, *time_column);
            partition_by.iter().for_each(|e| mark_all(need, e));
            over_calls(aggregates, offsets, need);
        }
        PlanOp::SortedOver { partition_by, order_by, aggregates, offsets, .. } => {
            pass(need);
            partition_by.iter().for_each(|e| mark_all(need, e));
            sort_keys(order_by, need);
            over_calls(aggregates, offsets, need);
        }
        PlanOp::Aggregate { group_by, aggregates, user_aggregates, window } => {
            group_by.iter().for_each(|e| mark_all(need, e));
            aggregate_calls(aggregates, need);
            user_aggregates.iter().flat_map(|u| &u.args).for_each(|e| mark_all(need, e));
            if let Some(w) = window {
                mark(need, w.end_column);
            }
        }
        PlanOp::Join { left_keys, right_keys, condition, left_width, window, .. } => {
            let (keys, shift) = if k == 0 { (left_keys, 0) } else { (right_keys, *left_width as isize) };
            side(need, out, condition.as_ref(), keys, shift);
            match window {
                Some(w) if k == 0 => mark(need, w.left_end),
                Some(w) => mark(need, w.right_end),
                None => {}
            }
        }
        PlanOp::IntervalJoin { left_keys, right_keys, left_time, right_time, condition, widths, .. } => {
            let (keys, shift, time) = if k == 0 { (left_keys, 0, *left_time) } else { (right_keys, widths.0 as isize, *right_time) };
            side(need, out, condition.as_ref(), keys, shift);
            mark(need, time);
        }
        PlanOp::Union { casts } => match casts.get(k).and_then(Option::as_ref) {
            Some(exprs) => project(exprs, out, need),
            None => pass(need),
        },
        PlanOp::TopN { partition_by, order_by, window_end, .. } => {
            pass(need);
            partition_by.iter().for_each(|e| mark_all(need, e));
            sort_keys(order_by, need);
            if let Some(end) = window_end {
                mark(need, *end);
            }
        }
        PlanOp::Deduplicate { key, order_by, .. } => {
            pass(need);
            key.iter().for_each(|e| mark_all(need, e));
            mark_all(need, order_by);
        }
        PlanOp::Sort { order_by, .. } => {
            pass(need);
            sort_keys(order_by, need);
        }
        PlanOp::Watermark { column, .. } => {
            pass(need);
            mark(need, *column);
        }
        // Whole rows: compared, handed to user functions, or written.
        PlanOp::Distinct | PlanOp::Process { .. } | PlanOp::StreamWindow { .. } | PlanOp::Sink { .. } => need.fill(true),
    }
}

/// A projection's input columns: those of the used output columns' expressions, and of every
/// expression that is more than a column reference (it is evaluated all the same).
fn project(exprs: &[BoundExpr], out: &[bool], need: &mut [bool]) {
    for (c, e) in exprs.iter().enumerate() {
        if out.get(c).copied().unwrap_or(true) || e.as_column().is_none() {
            mark_all(need, e);
        }
    }
}

/// One side of a join, whose columns start at `shift` in the output and in the condition.
fn side(need: &mut [bool], out: &[bool], condition: Option<&BoundExpr>, keys: &[BoundExpr], shift: isize) {
    let width = need.len();
    let mut own = |c: usize| {
        if let Some(i) = c.checked_add_signed(-shift).filter(|&i| i < width) {
            mark(need, i);
        }
    };
    out.iter().enumerate().filter(|(_, u)| **u).for_each(|(c, _)| own(c));
    condition.into_iter().flat_map(BoundExpr::referenced_columns).for_each(own);
    keys.iter().for_each(|e| mark_all(need, e));
}

fn aggregate_calls(aggregates: &[BoundAggregate], need: &mut [bool]) {
    for a in aggregates {
        a.arg.iter().chain(&a.filter).for_each(|e| mark_all(need, e));
    }
}

fn over_calls(aggregates: &[BoundAggregate], offsets: &[BoundOffset], need: &mut [bool]) {
    aggregate_calls(aggregates, need);
    for o in offsets {
        std::iter::once(&o.arg).chain(&o.default).for_each(|e| mark_all(need, e));
    }
}

fn sort_keys(keys: &[BoundSortKey], need: &mut [bool]) {
    keys.iter().for_each(|k| mark_all(need, &k.expr));
}

fn mark_all(need: &mut [bool], expr: &BoundExpr) {
    expr.referenced_columns().into_iter().for_each(|c| mark(need, c));
}

fn mark(need: &mut [bool], column: usize) {
    if let Some(slot) = need.get_mut(column) {
        *slot = true;
    }
}
