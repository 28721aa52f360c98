//! Operator fusion: a SESSION window whose only reader is a window aggregate over its bounds
//! and partition keys runs as one session aggregate, which keeps an accumulator per session
//! instead of the session's rows (`ops::session_aggregate`).

use crate::expr::BoundExpr;
use crate::ops::SessionKey;
use crate::plan::{PlanNode, PlanOp, RuntimeMode, ValidatedPlan, WindowKind};

/// When `node` is an aggregate over a fusable SESSION window (see the module documentation):
/// the window node's index and what each group key is among the session's columns.
pub(super) fn session_aggregate(plan: &ValidatedPlan, node: &PlanNode, mode: RuntimeMode) -> Option<(usize, Vec<SessionKey>)> {
    let PlanOp::Aggregate { group_by, aggregates, user_aggregates, window: Some(_) } = &node.op else { return None };
    let window_node = plan.nodes.get(*node.inputs.first()?)?;
    let PlanOp::Window { window, partition_by, .. } = &window_node.op else { return None };
    let bounds = window_node.time.window?;
    let readers = plan.nodes.iter().filter(|n| n.inputs.contains(&window_node.index)).count();
    if window.kind != WindowKind::Session || !user_aggregates.is_empty() || readers != 1 || (mode == RuntimeMode::Streaming && !bounds.event_time) {
        return None;
    }
    let width = plan.nodes.get(*window_node.inputs.first()?)?.schema.fields.len();
    let reads_input_only = |e: &BoundExpr| e.referenced_columns().iter().all(|&c| c < width);
    if aggregates.iter().any(|a| a.distinct || !a.arg.as_ref().is_none_or(reads_input_only) || !a.filter.as_ref().is_none_or(reads_input_only)) {
        return None;
    }
    let keys = group_by
        .iter()
        .map(|g| match g.as_column()? {
            c if c == bounds.start => Some(SessionKey::Start),
            c if c == bounds.end => Some(SessionKey::End),
            c => partition_by.iter().position(|&p| p == c).map(SessionKey::Partition),
        })
        .collect::<Option<Vec<_>>>()?;
    let every_partition_key = (0..partition_by.len()).all(|i| keys.contains(&SessionKey::Partition(i)));
    if !every_partition_key || !keys.contains(&SessionKey::Start) || !keys.contains(&SessionKey::End) {
        return None;
    }
    Some((window_node.index, keys))
}
