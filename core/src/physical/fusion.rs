//! Operator fusion: a window node whose only reader is a window aggregate over its bounds runs
//! inside that aggregate, which then keeps partial aggregates instead of window rows.
//!
//! * SESSION windows (batch and streaming): when the group keys are the window bounds and the
//!   partition columns, one session aggregate keeps an accumulator per session
//!   (`ops::session_aggregate`).
//! * HOP and CUMULATE windows (event time, batch and streaming): one sliced aggregate keeps
//!   partial aggregates per slice and merges a window's slices when it fires
//!   (`ops::sliced_aggregate`, Flink's slicing window aggregate), instead of copying each row
//!   into every window it falls in. In batch every window fires at the end of the input; the
//!   slices still cost less than the copies (benches/README.md, "Sliced window aggregates in
//!   batch mode").
//! * TUMBLE windows (batch, and streaming on event time), over an append-only input: the
//!   aggregate keeps its global phase, and its local combiner computes each row's window
//!   bounds from the time column instead of reading a window row (Flink's
//!   `LocalWindowAggregate(window=[TUMBLE(..)])`). The sliced aggregate, whose global phase
//!   cost more than the window aggregate's, measured no gain for TUMBLE (benches/README.md,
//!   "Sliced window aggregates in batch mode"); building no window row did ("TUMBLE fused
//!   into the local combiner").
//!
//! None fuses DISTINCT aggregates or aggregates that read a window column.

use crate::expr::BoundExpr;
use crate::ops::{Slicing, TumbleKey, WindowKey};
use crate::plan::{PlanNode, PlanOp, RuntimeMode, ValidatedPlan, WindowKind};

use super::operator::Operator;

/// When `node` is an aggregate that runs fused with the window node it reads (see the module
/// documentation): the window node's index and the aggregate's operator.
pub(super) fn fused_window_aggregate(plan: &ValidatedPlan, node: &PlanNode, mode: RuntimeMode) -> Option<(usize, Operator)> {
    let PlanOp::Aggregate { group_by, aggregates, user_aggregates, window: Some(aggregate_window) } = &node.op else { return None };
    let window_node = plan.nodes.get(*node.inputs.first()?)?;
    let PlanOp::Window { window, partition_by, .. } = &window_node.op else { return None };
    let bounds = window_node.time.window?;
    let readers = plan.nodes.iter().filter(|n| n.inputs.contains(&window_node.index)).count();
    if !user_aggregates.is_empty() || readers != 1 {
        return None;
    }
    let width = plan.nodes.get(*window_node.inputs.first()?)?.schema.fields.len();
    let reads_input_only = |e: &BoundExpr| e.referenced_columns().iter().all(|&c| c < width);
    if aggregates.iter().any(|a| a.distinct || !a.arg.as_ref().is_none_or(reads_input_only) || !a.filter.as_ref().is_none_or(reads_input_only)) {
        return None;
    }
    let bound = |g: &BoundExpr| match g.as_column() {
        Some(c) if c == bounds.start => Some(WindowKey::Start),
        Some(c) if c == bounds.end => Some(WindowKey::End),
        _ => None,
    };
    let window_index = window_node.index;
    match window.kind {
        WindowKind::Session => {
            if mode == RuntimeMode::Streaming && !bounds.event_time {
                return None;
            }
            let keys = group_by
                .iter()
                .map(|g| bound(g).or_else(|| partition_by.iter().position(|&p| g.as_column() == Some(p)).map(WindowKey::Partition)))
                .collect::<Option<Vec<_>>>()?;
            let every_partition_key = (0..partition_by.len()).all(|i| keys.contains(&WindowKey::Partition(i)));
            let both_bounds = keys.contains(&WindowKey::Start) && keys.contains(&WindowKey::End);
            (every_partition_key && both_bounds).then_some((window_index, Operator::SessionWindowAggregate { window: window_index, keys }))
        }
        WindowKind::Hop | WindowKind::Cumulate => {
            Slicing::new(window)?;
            if !aggregate_window.event_time {
                return None;
            }
            let mut partitions = 0;
            let keys = group_by
                .iter()
                .map(|g| {
                    bound(g).or_else(|| {
                        reads_input_only(g).then(|| {
                            partitions += 1;
                            WindowKey::Partition(partitions - 1)
                        })
                    })
                })
                .collect::<Option<Vec<_>>>()?;
            Some((window_index, Operator::SlicedWindowAggregate { window: window_index, keys }))
        }
        WindowKind::Tumble => {
            let streaming = mode == RuntimeMode::Streaming;
            if !window_node.append_only || (streaming && !aggregate_window.event_time) || window_node.schema.fields.len() != width + 3 {
                return None;
            }
            let keys = group_by
                .iter()
                .map(|g| match g.as_column() {
                    Some(c) if c == bounds.start => Some(TumbleKey::Start),
                    Some(c) if c == bounds.end => Some(TumbleKey::End),
                    Some(c) if c == width + 2 => Some(TumbleKey::Time),
                    _ => reads_input_only(g).then_some(TumbleKey::Input),
                })
                .collect::<Option<Vec<_>>>()?;
            Some((window_index, Operator::TumbleWindowAggregate { window: window_index, keys, keyed: streaming }))
        }
    }
}

/// The group keys of a sliced window aggregate other than the window's bounds (its partition
/// keys, in order), given the operator's `keys`.
pub fn partition_keys<'g>(group_by: &'g [BoundExpr], keys: &[WindowKey]) -> Vec<&'g BoundExpr> {
    group_by.iter().zip(keys).filter(|(_, k)| matches!(k, WindowKey::Partition(_))).map(|(g, _)| g).collect()
}
