//! Operators fused when the dataflow is built: a SESSION window whose only reader is a window
//! aggregate over its bounds and partition keys runs as one session aggregate, which keeps an
//! accumulator per session instead of the session's rows (`ops::session_aggregate`).

use crate::expr::BoundExpr;
use crate::ops::{SessionAggregateSpec, SessionKey};
use crate::plan::{PlanNode, PlanOp, RuntimeMode, ValidatedPlan, WindowKind};

/// For each node of `plan`: whether it is a SESSION window fused into the aggregate reading
/// it (it is then built as its own input, passed through to that aggregate).
pub(super) fn fused_session_windows(plan: &ValidatedPlan, mode: RuntimeMode) -> Vec<bool> {
    let mut fused = vec![false; plan.nodes.len()];
    for node in &plan.nodes {
        if let Some(&window) = node.inputs.first() {
            if session_aggregate(plan, node, mode).is_some() {
                fused[window] = true;
            }
        }
    }
    fused
}

/// The session aggregate `node` runs as, when it is an aggregate over a fusable SESSION
/// window (see the module documentation).
pub(super) fn session_aggregate(plan: &ValidatedPlan, node: &PlanNode, mode: RuntimeMode) -> Option<SessionAggregateSpec> {
    let PlanOp::Aggregate { group_by, aggregates, user_aggregates, window: Some(_) } = &node.op else { return None };
    let window_node = plan.nodes.get(*node.inputs.first()?)?;
    let PlanOp::Window { window, time_column, partition_by } = &window_node.op else { return None };
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
    let fields = &window_node.schema.fields;
    Some(SessionAggregateSpec {
        partition_by: partition_by.iter().map(|&c| BoundExpr::column(c, fields[c].data_type, true).compile()).collect(),
        time_column: *time_column,
        gap_ms: window.size_ms,
        keys,
        // None is DISTINCT (checked above).
        aggregates: super::window_calls(aggregates),
    })
}
