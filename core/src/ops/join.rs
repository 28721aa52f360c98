//! `join`: equi-join on key expressions plus a residual condition, in all four SQL flavours.
//! Outer joins add the rows of the preserved side that have no matching partner, padded with
//! NULLs; when a partner appears later, the padded row is retracted.

use crate::expr::CompiledExpr;
use crate::plan::JoinType;
use crate::types::{Row, Value};

use super::{Evaluator, Rows};

/// Everything a join needs besides its inputs.
pub struct JoinSpec {
    /// Which rows to keep.
    pub join_type: JoinType,
    /// Key expressions over left rows.
    pub left_keys: Vec<CompiledExpr>,
    /// Key expressions over right rows.
    pub right_keys: Vec<CompiledExpr>,
    /// Residual condition over the concatenated row.
    pub condition: Option<CompiledExpr>,
    /// Number of left columns.
    pub left_width: usize,
    /// Number of right columns.
    pub right_width: usize,
    /// How long the streaming join on keyed state keeps a left and a right row nobody writes
    /// (`None`: for ever); the arrangement join keeps every row.
    pub state_ttl: [Option<std::time::Duration>; 2],
}

/// Keys each row; rows whose key has a NULL can never match (SQL equality) and are dropped.
fn keyed<'s>(input: Rows<'s>, keys: Vec<CompiledExpr>, eval: Evaluator) -> differential_dataflow::VecCollection<'s, super::Time, (Row, Row), isize> {
    input.flat_map(move |row| {
        let key = eval.eval_row(&keys, &row)?;
        if key.values().iter().any(Value::is_null) {
            return None;
        }
        Some((key, row))
    })
}

/// Joins `left` and `right` as `spec` says.
pub fn join<'s>(left: Rows<'s>, right: Rows<'s>, spec: JoinSpec, eval: Evaluator) -> Rows<'s> {
    let left_keyed = keyed(left.clone(), spec.left_keys, eval.clone());
    let right_keyed = keyed(right.clone(), spec.right_keys, eval.clone());
    let condition = spec.condition;
    let cond_eval = eval.clone();
    // Matching pairs that satisfy the condition, kept as (left, right) for the outer parts.
    let pairs = left_keyed.join_map(right_keyed, |_key, l: &Row, r: &Row| (l.clone(), r.clone())).filter(move |(l, r)| match &condition {
        Some(c) => matches!(cond_eval.eval(c, &l.concat(r)), Some(Value::Boolean(true))),
        None => true,
    });
    let inner = pairs.clone().map(|(l, r)| l.concat(&r));
    let (left_width, right_width) = (spec.left_width, spec.right_width);
    let keep_left = matches!(spec.join_type, JoinType::Left | JoinType::Full);
    let keep_right = matches!(spec.join_type, JoinType::Right | JoinType::Full);
    let mut result = inner;
    if keep_left {
        let matched = pairs.clone().map(|(l, _)| l);
        result = result.concat(unmatched(left, matched).map(move |l| l.pad_nulls(right_width)));
    }
    if keep_right {
        let matched = pairs.map(|(_, r)| r);
        result = result.concat(unmatched(right, matched).map(move |r| r.nulls_then(left_width)));
    }
    result
}

/// The rows of `all` (with their multiplicity) that do not occur in `matched`.
fn unmatched<'s>(all: Rows<'s>, matched: Rows<'s>) -> Rows<'s> {
    let with_match = all.clone().map(|row| (row, ())).semijoin(matched.distinct()).map(|(row, ())| row);
    all.concat(with_match.negate())
}
