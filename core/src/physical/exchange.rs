//! Exchanges: how rows reach an operator's workers from each of its inputs.

use std::fmt;

use crate::connectors::SinkRoute;
use crate::expr::BoundExpr;
use crate::plan::{PlanNode, PlanOp, RuntimeMode, ValidatedPlan};
use crate::types::Schema;

use super::operator::Operator;

/// How the rows of one input are distributed over the workers of the operator reading it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exchange {
    /// Rows stay on the worker that produced them.
    Forward,
    /// Rows go to the worker chosen by the hash of these keys (as EXPLAIN prints them).
    Hash(Vec<String>),
    /// All rows go to one worker.
    Single,
}

impl fmt::Display for Exchange {
    /// Flink's notation: `hash[a, b]`, `single`, `forward`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Exchange::Forward => f.write_str("forward"),
            Exchange::Hash(keys) => write!(f, "hash[{}]", keys.join(", ")),
            Exchange::Single => f.write_str("single"),
        }
    }
}

/// An expression as EXPLAIN prints it: `BoundExpr`'s compact form with its columns named by
/// `schema` (Flink's `>(price, 5000)`, not `>($2, 5000)`).
pub fn expr_text(expr: &BoundExpr, schema: &Schema) -> String {
    expr.named(schema).to_string()
}

fn hash(keys: &[BoundExpr], schema: &Schema) -> Exchange {
    if keys.is_empty() { Exchange::Single } else { Exchange::Hash(keys.iter().map(|k| expr_text(k, schema)).collect()) }
}

fn columns(columns: &[usize], schema: &Schema) -> Exchange {
    if columns.is_empty() {
        Exchange::Single
    } else {
        Exchange::Hash(columns.iter().map(|&c| schema.fields.get(c).map_or_else(|| format!("${c}"), |f| f.name.clone())).collect())
    }
}

/// The exchange in front of each input of `node` of `plan` (one per input), for `operator`
/// run in `mode`.
pub fn exchanges(plan: &ValidatedPlan, node: &PlanNode, operator: &Operator, mode: RuntimeMode) -> Vec<Exchange> {
    let schema = |i: usize| node.inputs.get(i).and_then(|&n| plan.nodes.get(n)).map(|n| n.schema.clone()).unwrap_or_default();
    let one = |e: Exchange| vec![e];
    match (&node.op, operator) {
        (_, Operator::SessionWindowAggregate { window, .. }) => match plan.nodes.get(*window).map(|w| &w.op) {
            Some(PlanOp::Window { partition_by, .. }) => one(columns(partition_by, &schema(0))),
            _ => one(Exchange::Single),
        },
        (PlanOp::Aggregate { group_by, .. }, Operator::SlicedWindowAggregate { keys, .. }) => {
            let partition: Vec<BoundExpr> = super::fusion::partition_keys(group_by, keys).into_iter().cloned().collect();
            one(hash(&partition, &schema(0)))
        }
        (_, Operator::Fused { .. }) => one(Exchange::Forward),
        (PlanOp::Aggregate { group_by, .. }, _) => one(hash(group_by, &schema(0))),
        (PlanOp::Window { partition_by, .. }, Operator::SessionWindowTableFunction) => one(columns(partition_by, &schema(0))),
        (PlanOp::Over { partition_by, .. }, _) => one(hash(partition_by, &schema(0))),
        (PlanOp::SortedOver { partition_by, .. }, _) => one(hash(partition_by, &schema(0))),
        (PlanOp::Join { left_keys, right_keys, .. }, _) | (PlanOp::IntervalJoin { left_keys, right_keys, .. }, _) => {
            vec![hash(left_keys, &schema(0)), hash(right_keys, &schema(1))]
        }
        (PlanOp::Distinct, _) => one(columns(&(0..schema(0).fields.len()).collect::<Vec<_>>(), &schema(0))),
        (PlanOp::TopN { partition_by, .. }, _) => one(hash(partition_by, &schema(0))),
        (PlanOp::Deduplicate { key, .. }, _) => one(hash(key, &schema(0))),
        (PlanOp::Sort { .. }, _) => one(Exchange::Single),
        (PlanOp::Process { keys, .. }, _) => keys.iter().enumerate().map(|(i, k)| hash(k, &schema(i))).collect(),
        (PlanOp::StreamWindow { key, .. }, _) => one(hash(key, &schema(0))),
        // As `ops::sink` routes the changes to the sink's writers.
        (PlanOp::Sink { sink, .. }, Operator::Sink) => {
            one(match sink.writers().route(node.unique_key.as_deref(), mode == RuntimeMode::Batch && node.ordering.is_some()) {
                SinkRoute::Discard => Exchange::Forward,
                SinkRoute::First => Exchange::Single,
                SinkRoute::Key(key) => columns(&key, &schema(0)),
                SinkRoute::Row => columns(&(0..schema(0).fields.len()).collect::<Vec<_>>(), &schema(0)),
            })
        }
        _ => node.inputs.iter().map(|_| Exchange::Forward).collect(),
    }
}
