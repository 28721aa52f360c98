//! The job-spec parts of joins: regular joins, with their join types, and interval joins.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::expr::Expr;

/// Which rows a join keeps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum JoinType {
    /// Only matching pairs.
    #[default]
    Inner,
    /// Matching pairs, plus left rows without a match padded with NULLs.
    Left,
    /// Matching pairs, plus right rows without a match padded with NULLs.
    Right,
    /// Matching pairs, plus unmatched rows of either side padded with NULLs.
    Full,
}

/// `left JOIN right ON left_keys = right_keys AND condition`. Output columns: the left
/// columns then the right ones (a repeated right name gets a suffix: `id` → `id0`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinNode {
    /// Unique node id.
    pub id: String,
    /// Left input node id.
    pub left: String,
    /// Right input node id.
    pub right: String,
    /// Which rows to keep.
    #[serde(default)]
    pub join_type: JoinType,
    /// Equi-join keys over the left input, pairwise equal to `right_keys`.
    #[serde(default)]
    pub left_keys: Vec<Expr>,
    /// Equi-join keys over the right input.
    #[serde(default)]
    pub right_keys: Vec<Expr>,
    /// A further condition over the joined columns (left then right).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Expr>,
    /// How long a streaming join keeps a left row not written, in milliseconds, in place of
    /// `table.exec.state.ttl` (a `STATE_TTL` hint; `0`: for ever). Window joins ignore it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_state_ttl_ms: Option<u64>,
    /// The same for right rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub right_state_ttl_ms: Option<u64>,
}

/// `left JOIN right ON keys AND right.right_time BETWEEN left.left_time + lower_ms AND
/// left.left_time + upper_ms AND condition`: an inner join of append-only inputs whose state
/// is dropped as the watermark passes. Output columns: the left columns then the right ones.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IntervalJoinNode {
    /// Unique node id.
    pub id: String,
    /// Left input node id.
    pub left: String,
    /// Right input node id.
    pub right: String,
    /// Equi-join keys over the left input, pairwise equal to `right_keys`.
    #[serde(default)]
    pub left_keys: Vec<Expr>,
    /// Equi-join keys over the right input.
    #[serde(default)]
    pub right_keys: Vec<Expr>,
    /// The left input's event-time column.
    pub left_time: String,
    /// The right input's event-time column.
    pub right_time: String,
    /// Smallest `right time - left time` that joins, in milliseconds (may be negative).
    pub lower_ms: i64,
    /// Largest `right time - left time` that joins, in milliseconds.
    pub upper_ms: i64,
    /// A further condition over the joined columns (left then right).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Expr>,
    /// Which rows to keep: an outer side's rows that joined nothing go out padded with NULLs
    /// once the watermark shows nothing can join them any more.
    #[serde(default)]
    pub join_type: JoinType,
}
