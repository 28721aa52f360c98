//! The physical plan: between the validated job spec ([`ValidatedPlan`]) and the dataflow, it
//! fixes for every node the operator that runs it ([`Operator`], Flink's names), the exchange
//! in front of each input ([`Exchange`]), the changelog mode it produces ([`ChangelogMode`],
//! derived from its inputs) and the state it keeps ([`OperatorState`]). Every decision that
//! depends on the run mode, event time, user aggregates or operator fusion is made here, once;
//! `compile` maps each operator onto one `ops` function, and `EXPLAIN` prints this plan.

mod chain;
mod changelog;
mod exchange;
mod explain;
mod fusion;
mod operator;
mod planner;
mod state;
#[cfg(test)]
mod tests;

pub use chain::combiner_source;
pub use changelog::ChangelogMode;
pub use exchange::{Exchange, expr_text};
pub use explain::{ExplainDetail, explain};
pub use fusion::partition_keys;
pub use operator::Operator;
pub use state::{OperatorState, StateStore, ttl_text};

use crate::error::PlanError;
use crate::plan::{PlanNode, RuntimeMode, ValidatedPlan, merge_equal_subplans, push_projections};

/// The physical side of one plan node.
#[derive(Clone, Debug)]
pub struct PhysicalNode {
    /// Its position among the plan's nodes (the same as its [`PlanNode`]'s).
    pub index: usize,
    /// The operator that runs it.
    pub operator: Operator,
    /// Per input, how its rows reach this operator's workers.
    pub exchanges: Vec<Exchange>,
    /// The kinds of change its output carries.
    pub changelog: ChangelogMode,
    /// Every input only ever inserts rows, so the operator may use an implementation that
    /// cannot undo an insertion.
    pub inputs_insert_only: bool,
    /// What it keeps between records, if anything.
    pub state: Option<OperatorState>,
}

/// A validated plan with the physical operator of every node chosen for one run mode.
#[derive(Clone)]
pub struct PhysicalPlan {
    /// The validated plan (nodes, schemas, bound expressions).
    pub logical: ValidatedPlan,
    /// Batch or streaming: the operators were chosen for it.
    pub mode: RuntimeMode,
    /// One entry per node of `logical`, in the same order.
    pub nodes: Vec<PhysicalNode>,
}

impl PhysicalPlan {
    /// Plans `logical` for `mode`: merges equal nodes into one with several readers
    /// ([`merge_equal_subplans`], as the job's reuse settings allow), has each source build
    /// only the columns its readers use ([`push_projections`]), then chooses every node's
    /// operator, exchanges, changelog mode and state. Fails, naming the node's JSON path, when
    /// a node cannot run in `mode`.
    pub fn new(mut logical: ValidatedPlan, mode: RuntimeMode) -> Result<PhysicalPlan, PlanError> {
        // Here rather than in validation: front ends validate a plan node by node, and only
        // the finished plan, with its sinks, says which nodes are equal and which columns are
        // read. Reuse first, so that two scans of one table merge and read the union of their
        // readers' columns.
        merge_equal_subplans(&mut logical);
        push_projections(&mut logical);
        let operators = planner::choose_operators(&logical, mode)?;
        let mut nodes: Vec<PhysicalNode> = Vec::with_capacity(logical.nodes.len());
        for (node, operator) in logical.nodes.iter().zip(operators) {
            if let Some(reused) = node.reused_as.and_then(|of| nodes.get(of)).cloned() {
                // Runs nothing: its rows are those of the node it was merged into.
                let of = reused.index;
                nodes.push(PhysicalNode { index: node.index, operator: Operator::Reused { of }, exchanges: Vec::new(), state: None, ..reused });
                continue;
            }
            let inputs_insert_only = planner::inputs_insert_only(&logical, node);
            let input = node.inputs.first().and_then(|&i| nodes.get(i)).map(|n| n.changelog);
            nodes.push(PhysicalNode {
                index: node.index,
                exchanges: exchange::exchanges(&logical, node, &operator, mode),
                changelog: ChangelogMode::of(node, &operator, inputs_insert_only, input),
                inputs_insert_only,
                // A sink of an insert-only input writes each row as it arrives (`ops::sink`).
                state: state::state_of(&operator, &logical.config.state_backend)
                    .filter(|_| !(operator == Operator::Sink && inputs_insert_only))
                    .map(|s| s.with_own_ttl(node, &operator, logical.config.state_ttl_ms))
                    .map(|s| s.with_partials_merged(node, &operator, inputs_insert_only)),
                operator,
            });
        }
        if mode == RuntimeMode::Streaming && logical.config.checkpointing.is_some() {
            planner::check_checkpointable(&logical, &nodes)?;
        }
        Ok(PhysicalPlan { logical, mode, nodes })
    }

    /// Whether a checkpoint can capture every stateful operator of the plan (a savepoint of a
    /// job without periodic checkpoints needs it); the error names the first that cannot.
    pub fn check_checkpointable(&self) -> Result<(), crate::error::PlanError> {
        planner::check_checkpointable(&self.logical, &self.nodes)
    }

    /// The nodes sub-plan reuse merged, each with the index of the node it runs as (empty when
    /// it merged none); checkpoints record them.
    pub fn reused_nodes(&self) -> std::collections::BTreeMap<usize, usize> {
        self.logical.nodes.iter().filter_map(|n| Some((n.index, n.reused_as?))).collect()
    }

    /// Every node's id, in node order.
    pub fn node_ids(&self) -> Vec<String> {
        self.logical.nodes.iter().map(|n| n.id.clone()).collect()
    }

    /// The logical and physical sides of every node, in node order.
    pub fn iter(&self) -> impl Iterator<Item = (&PlanNode, &PhysicalNode)> {
        self.logical.nodes.iter().zip(&self.nodes)
    }
}
