//! The job-spec parts of ranking and sorted OVER: how a Top-N ranks (`RANK`, `DENSE_RANK`),
//! and the `sorted_over` node with its LAG/LEAD and row-numbering calls.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::expr::Expr;

use super::spec::{AggregateCall, OverFrame, SortKey};

/// How a Top-N numbers the rows of a partition (Flink's `rankType`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RankType {
    /// `ROW_NUMBER()`: 1, 2, 3, .. (ties broken by the whole row).
    #[default]
    RowNumber,
    /// `RANK()`: rows with equal order keys share a rank, and ranks after a tie skip (1, 1, 3).
    Rank,
    /// `DENSE_RANK()`: rows with equal order keys share a rank, without gaps (1, 1, 2).
    DenseRank,
}

impl RankType {
    /// The SQL name: `ROW_NUMBER`, `RANK`, `DENSE_RANK`.
    pub fn sql_name(&self) -> &'static str {
        match self {
            RankType::RowNumber => "ROW_NUMBER",
            RankType::Rank => "RANK",
            RankType::DenseRank => "DENSE_RANK",
        }
    }
}

pub(super) fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

pub(super) fn first_rank() -> u64 {
    1
}

pub(super) fn is_first_rank(rank: &u64) -> bool {
    *rank == 1
}

fn one() -> u64 {
    1
}

/// `LAG(arg [, offset [, default]]) OVER (..)` (`lead: false`) or `LEAD(..)`: the argument of
/// the row `offset` rows before (after) the current one in its sorted partition, else
/// `default` (NULL when absent).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OffsetCall {
    /// Output column name.
    pub name: String,
    /// LEAD rather than LAG.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub lead: bool,
    /// The value taken from the other row.
    pub arg: Expr,
    /// How many rows away (default 1).
    #[serde(default = "one")]
    pub offset: u64,
    /// The value when there is no such row, over the current row (cast to the type of `arg`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Expr>,
}

/// `ROW_NUMBER()`, `RANK()` or `DENSE_RANK()` over a sorted partition, as a column of every
/// row (not a Top-N filter): the row's number in its partition.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RankCall {
    /// Output column name.
    pub name: String,
    /// How rows are numbered.
    pub rank_type: RankType,
}

/// `agg(x) OVER (PARTITION BY .. [ORDER BY ..] [frame])`, `LAG`/`LEAD` and `ROW_NUMBER`/`RANK`/
/// `DENSE_RANK` over partitions sorted by any keys (ties broken by the whole row), or without
/// `order_by` over the whole partition: the input columns, then one column per aggregate, then
/// one per offset call, then one per rank call.
/// Batch mode only: Flink's streaming OVER orders by a time attribute (an `over` node).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SortedOverNode {
    /// Unique node id.
    pub id: String,
    /// Input node id.
    pub input: String,
    /// Each partition is sorted and aggregated on its own.
    #[serde(default)]
    pub partition_by: Vec<Expr>,
    /// The order within a partition (empty: none).
    #[serde(default)]
    pub order_by: Vec<SortKey>,
    /// The aggregates' frame, ending at the current row: required with `order_by`, absent
    /// without (the whole partition). A RANGE frame is UNBOUNDED PRECEDING here (rows with
    /// equal order keys are peers and share a result).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frame: Option<OverFrame>,
    /// The aggregates (COUNT, SUM, MIN, MAX, AVG; no DISTINCT or FILTER).
    #[serde(default)]
    pub aggregates: Vec<AggregateCall>,
    /// The LAG/LEAD calls.
    #[serde(default)]
    pub offsets: Vec<OffsetCall>,
    /// The ROW_NUMBER/RANK/DENSE_RANK calls (they need an `order_by`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranks: Vec<RankCall>,
}
