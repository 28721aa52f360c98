//! `sort`: ORDER BY over the whole result. With LIMIT/OFFSET only the selected rows are kept
//! (a global top-N); the order itself is applied where rows are presented (sinks of batch jobs).

use crate::expr::CompiledExpr;

use super::ordering::SortSpec;
use super::top_n::{Ranking, top_n};
use super::{Evaluator, Rows};

/// `input` restricted to the rows `limit`/`offset` select under the order.
/// `append_only` promises the input never retracts (see [`Ranking::append_only`]).
pub fn sort<'s>(
    input: Rows<'s>,
    order_by: Vec<CompiledExpr>,
    specs: Vec<SortSpec>,
    limit: Option<u64>,
    offset: u64,
    append_only: bool,
    eval: Evaluator,
) -> Rows<'s> {
    if limit.is_none() && offset == 0 {
        return input;
    }
    let ranking = Ranking {
        partition_by: Vec::new(),
        order_by,
        specs,
        rank_type: crate::plan::RankType::RowNumber,
        offset,
        limit: limit.unwrap_or(u64::MAX),
        row_number: false,
        append_only,
    };
    top_n(input, ranking, eval)
}
