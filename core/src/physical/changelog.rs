//! Changelog modes: which kinds of change an operator's output carries, in Flink's notation
//! (`[I]` insert-only, `[I,UB,UA]` updates, `[I,UB,UA,D]` updates and deletes, `[I,D]`
//! retractions without a key to pair them into updates).

use std::fmt;

use crate::plan::{PlanNode, PlanOp};

use super::operator::Operator;

/// The kinds of change a stream carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChangelogMode {
    /// Rows may be retracted (`-U`/`-D`).
    pub retracts: bool,
    /// Retractions are paired with insertions into updates (`-U`/`+U`) by a unique key.
    pub updates: bool,
    /// A row may also go away without a replacement (`-D`).
    pub deletes: bool,
}

impl ChangelogMode {
    /// `[I]`: rows are only ever inserted.
    pub const INSERT_ONLY: ChangelogMode = ChangelogMode { retracts: false, updates: false, deletes: false };

    /// Whether the stream only ever inserts rows.
    pub fn is_insert_only(&self) -> bool {
        !self.retracts
    }

    /// The mode a node produces, from its operator and its validated flags: a node that only
    /// inserts is `[I]`; one with a unique key pairs its retractions into updates, and also
    /// deletes unless it is an aggregate whose groups never go away (over an insert-only input,
    /// or a global aggregate in batch; a sink or projection deletes when its input does); one without a
    /// key retracts with `-D`. `input` is the mode of the node's first input.
    pub fn of(node: &PlanNode, operator: &Operator, inputs_insert_only: bool, input: Option<ChangelogMode>) -> ChangelogMode {
        if node.append_only {
            return ChangelogMode::INSERT_ONLY;
        }
        if node.unique_key.is_none() {
            return ChangelogMode { retracts: true, updates: false, deletes: true };
        }
        let groups_stay = match (&node.op, operator) {
            (
                _,
                Operator::WindowAggregate
                | Operator::PythonGroupWindowAggregate
                | Operator::ArrangedPythonGroupWindowAggregate
                | Operator::SessionWindowAggregate { .. }
                | Operator::SlicedWindowAggregate { .. }
                | Operator::TumbleWindowAggregate { .. },
            ) => true,
            // A streaming global aggregate deletes its row when its input retracts every row,
            // as Flink's does; batch keeps its one row.
            (PlanOp::Aggregate { group_by, .. }, operator) => inputs_insert_only || (group_by.is_empty() && *operator == Operator::BatchGroupAggregate),
            (PlanOp::Sink { .. } | PlanOp::Project { .. }, _) => input.is_some_and(|m| !m.deletes),
            _ => false,
        };
        ChangelogMode { retracts: true, updates: true, deletes: !groups_stay }
    }
}

impl fmt::Display for ChangelogMode {
    /// Flink's notation: `I`, `UB`, `UA`, `D` in brackets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut kinds = vec!["I"];
        if self.updates {
            kinds.extend(["UB", "UA"]);
        }
        if self.deletes {
            kinds.push("D");
        }
        write!(f, "[{}]", kinds.join(","))
    }
}
