//! `top_n` and `deduplicate`: per partition, the first rows in a given order
//! (`ROW_NUMBER() OVER (PARTITION BY .. ORDER BY ..) <= N`). Ties in the order are broken by
//! the whole row, so the chosen rows do not depend on arrival order or worker count.

use crate::expr::CompiledExpr;
use crate::types::{Row, Value};

use super::ordering::{compare_by, SortSpec};
use super::{Evaluator, Rows};

/// What to rank and how many ranks to keep.
pub struct Ranking {
    /// Partition key expressions (empty: one global ranking).
    pub partition_by: Vec<CompiledExpr>,
    /// Order key expressions.
    pub order_by: Vec<CompiledExpr>,
    /// Direction and NULL placement per order key.
    pub specs: Vec<SortSpec>,
    /// Ranks skipped before keeping any (OFFSET).
    pub offset: u64,
    /// Ranks kept after the offset.
    pub limit: u64,
    /// Append the 1-based rank as a BIGINT column.
    pub row_number: bool,
}

/// The first `limit` rows (after `offset`) of each partition of `input`.
pub fn top_n<'s>(input: Rows<'s>, ranking: Ranking, eval: Evaluator) -> Rows<'s> {
    let Ranking { partition_by, order_by, specs, offset, limit, row_number } = ranking;
    let key_eval = eval.clone();
    input
        .flat_map(move |row| Some((key_eval.eval_row(&partition_by, &row)?, row)))
        .reduce_named("TopN", move |_key, vals: &[(&Row, isize)], out: &mut Vec<(Row, isize)>| {
            let mut ranked: Vec<(Vec<Value>, &Row, isize)> = vals
                .iter()
                .filter(|(_, r)| *r > 0)
                .map(|(row, r)| (order_by.iter().map(|e| eval.eval(e, row).unwrap_or(Value::Null)).collect(), *row, *r))
                .collect();
            ranked.sort_by(|a, b| compare_by(&a.0, &b.0, &specs).then_with(|| a.1.cmp(b.1)));
            let mut rank: u64 = 0;
            'rows: for (_, row, copies) in ranked {
                for _ in 0..copies {
                    rank += 1;
                    if rank <= offset {
                        continue;
                    }
                    if rank - offset > limit {
                        break 'rows;
                    }
                    let kept = if row_number { row.concat(&Row::new(vec![Value::BigInt((rank - offset) as i64)])) } else { (*row).clone() };
                    out.push((kept, 1));
                }
            }
        })
        .map(|(_key, row)| row)
}

/// Per key, the first row by `order_by` (or the last, when `keep_last`).
pub fn deduplicate<'s>(input: Rows<'s>, key: Vec<CompiledExpr>, order_by: CompiledExpr, keep_last: bool, eval: Evaluator) -> Rows<'s> {
    let spec = SortSpec { descending: keep_last, nulls_first: !keep_last };
    top_n(input, Ranking { partition_by: key, order_by: vec![order_by], specs: vec![spec], offset: 0, limit: 1, row_number: false }, eval)
}
