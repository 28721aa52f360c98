//! `top_n` and `deduplicate`: per partition, the rows ranked within a range in a given order
//! (`ROW_NUMBER() OVER (PARTITION BY .. ORDER BY ..) <= N`, or `RANK()`/`DENSE_RANK()`, where
//! rows with equal order keys share a rank). Row-number ties are broken by the whole row, so
//! the chosen rows do not depend on arrival order or worker count.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use differential_dataflow::AsCollection;
use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::Capability;
use timely::dataflow::operators::generic::Operator;

use crate::expr::CompiledExpr;
use crate::plan::RankType;
use crate::types::{Row, Value};

use super::ordering::{SortSpec, compare_by};
use super::{Evaluator, Rows, Time};

/// Largest `offset + limit` for which append-only input is pre-ranked per worker.
const LOCAL_RANKING_MAX: u64 = 10_000;

/// What to rank and how many ranks to keep.
pub struct Ranking {
    /// Partition key expressions (empty: one global ranking).
    pub partition_by: Vec<CompiledExpr>,
    /// Order key expressions.
    pub order_by: Vec<CompiledExpr>,
    /// Direction and NULL placement per order key.
    pub specs: Vec<SortSpec>,
    /// How rows are numbered.
    pub rank_type: RankType,
    /// Ranks skipped before keeping any (OFFSET; `rankStart - 1`).
    pub offset: u64,
    /// Ranks kept after the offset.
    pub limit: u64,
    /// Append the 1-based rank (counted from the first rank, not from the offset) as a BIGINT column.
    pub row_number: bool,
    /// The input never retracts: each worker may drop, before the exchange, every row that
    /// is not among its own first `offset + limit` of a partition and time (they cannot be in
    /// the global first ranks), so the ranking stores far fewer rows.
    pub append_only: bool,
}

/// The rows of each partition of `input` ranked after `offset` and at most `offset + limit`.
pub fn top_n<'s>(input: Rows<'s>, ranking: Ranking, eval: Evaluator) -> Rows<'s> {
    let input = pre_ranked(input, &ranking, &eval, false);
    let Ranking { partition_by, order_by, specs, rank_type, offset, limit, row_number, .. } = ranking;
    let keep = offset.saturating_add(limit);
    let key_eval = eval.clone();
    input
        .flat_map(move |row| Some((key_eval.eval_row(&partition_by, &row)?, row)))
        .reduce_named("TopN", move |_key, vals: &[(&Row, isize)], out: &mut Vec<(Row, isize)>| {
            let ranked = vals.iter().filter(|(_, r)| *r > 0).map(|(row, r)| (*row, *r));
            ranked_rows(ranked, &order_by, &specs, rank_type, offset, keep, row_number, &eval, out);
        })
        .map(|(_key, row)| row)
}

impl Ranking {
    /// The ranking that keeps, per key, the first row by `order_by` (or the last, when
    /// `keep_last`): deduplication.
    pub fn first_per_key(key: Vec<CompiledExpr>, order_by: CompiledExpr, keep_last: bool, append_only: bool) -> Ranking {
        let spec = SortSpec { descending: keep_last, nulls_first: !keep_last };
        Ranking {
            partition_by: key,
            order_by: vec![order_by],
            specs: vec![spec],
            rank_type: RankType::RowNumber,
            offset: 0,
            limit: 1,
            row_number: false,
            append_only,
        }
    }
}

/// The rows of one partition that rank after `offset` and at most `keep`, appended to `out`
/// (with their rank as a last column when `row_number`), from the partition's rows with
/// their (positive) multiplicities; returns how many leading rows of the partition, in rank
/// order, could ever rank at most `keep` (the rest are beyond it for good when the input
/// only grows).
#[allow(clippy::too_many_arguments)]
pub(super) fn ranked_rows<'r>(
    rows: impl Iterator<Item = (&'r Row, isize)>,
    order_by: &[CompiledExpr],
    specs: &[SortSpec],
    rank_type: RankType,
    offset: u64,
    keep: u64,
    row_number: bool,
    eval: &Evaluator,
    out: &mut Vec<(Row, isize)>,
) -> Vec<&'r Row> {
    let mut ranked: Vec<(Vec<Value>, &Row, isize)> = rows.map(|(row, r)| (eval.sort_key(order_by, row), row, r)).collect();
    ranked.sort_by(|a, b| compare_by(&a.0, &b.0, specs).then_with(|| a.1.cmp(b.1)));
    let mut numbering = Numbering::new(rank_type);
    let mut within = Vec::new();
    for (i, (order, row, copies)) in ranked.iter().enumerate() {
        let new_key = i == 0 || compare_by(&ranked[i - 1].0, order, specs) != Ordering::Equal;
        let first = numbering.next(new_key, *copies as u64);
        if first > keep {
            break;
        }
        within.push(*row);
        for copy in 0..*copies as u64 {
            let rank = if rank_type == RankType::RowNumber { first + copy } else { first };
            if rank > keep {
                break;
            }
            if rank <= offset {
                continue;
            }
            let kept = if row_number { row.concat(&Row::new(vec![Value::BigInt(rank as i64)])) } else { (*row).clone() };
            out.push((kept, 1));
        }
    }
    within
}

/// `input` with, when it is append-only and few ranks are kept, every row dropped that is not
/// among its worker's first kept ranks of its partition and time (see [`local_ranking`]).
/// `tight` bounds each partition's candidates by twice its kept ranks (see [`local_ranking`]).
pub(super) fn pre_ranked<'s>(input: Rows<'s>, ranking: &Ranking, eval: &Evaluator, tight: bool) -> Rows<'s> {
    let keep = ranking.offset.saturating_add(ranking.limit);
    if !ranking.append_only || keep > LOCAL_RANKING_MAX {
        return input;
    }
    local_ranking(input, ranking.partition_by.clone(), ranking.order_by.clone(), ranking.specs.clone(), ranking.rank_type, keep, eval.clone(), tight)
}

/// A partition's candidate rows: order-key values, the row, its multiplicity.
pub(super) type Candidates = Vec<(Vec<Value>, Row, isize)>;

/// The ranks of rows taken in order, as `rank_type` numbers them.
pub(super) struct Numbering {
    rank_type: RankType,
    /// Copies numbered so far.
    before: u64,
    /// Distinct order keys seen so far.
    distinct: u64,
    /// The rank of the last row.
    rank: u64,
}

impl Numbering {
    pub(super) fn new(rank_type: RankType) -> Self {
        Numbering { rank_type, before: 0, distinct: 0, rank: 0 }
    }

    /// The rank of the first of `copies` copies of the next row, `new_key` when its order key
    /// differs from the previous row's (always for the first row). Under ROW_NUMBER the other
    /// copies take the following numbers; under RANK and DENSE_RANK they share this one.
    pub(super) fn next(&mut self, new_key: bool, copies: u64) -> u64 {
        if new_key {
            self.distinct += 1;
        }
        self.rank = match self.rank_type {
            RankType::RowNumber => self.before + 1,
            RankType::Rank if new_key => self.before + 1,
            RankType::Rank => self.rank,
            RankType::DenseRank => self.distinct,
        };
        self.before = self.before.saturating_add(copies);
        self.rank
    }
}

/// Sorts `rows` by rank and keeps the copies ranked at most `keep`.
pub(super) fn keep_first(rows: &mut Candidates, specs: &[SortSpec], rank_type: RankType, keep: u64) {
    rows.sort_by(|a, b| compare_by(&a.0, &b.0, specs).then_with(|| a.1.cmp(&b.1)));
    let mut numbering = Numbering::new(rank_type);
    let mut cut = rows.len();
    for i in 0..rows.len() {
        let new_key = i == 0 || compare_by(&rows[i - 1].0, &rows[i].0, specs) != Ordering::Equal;
        let copies = &mut rows[i].2;
        let first = numbering.next(new_key, *copies as u64);
        if first > keep {
            cut = i;
            break;
        }
        if rank_type == RankType::RowNumber {
            *copies = (*copies as u64).min(keep - first + 1) as isize;
        }
    }
    rows.truncate(cut);
}

/// Each worker's first `keep` rows per partition and time of an append-only input, emitted
/// when the frontier passes the time (a superset of the global first `keep`). A partition's
/// candidates are cut back to its first `keep` when they pass twice that, or 64 when not
/// `tight`: a batch job's one time completes only at the end of its input, and with many
/// partitions of a few rows each a bound of 64 would keep every row until then.
#[allow(clippy::too_many_arguments)]
fn local_ranking<'s>(
    input: Rows<'s>,
    partition_by: Vec<CompiledExpr>,
    order_by: Vec<CompiledExpr>,
    specs: Vec<SortSpec>,
    rank_type: RankType,
    keep: u64,
    eval: Evaluator,
    tight: bool,
) -> Rows<'s> {
    input
        .inner
        .unary_frontier::<timely::container::CapacityContainerBuilder<Vec<(Row, Time, isize)>>, _, _, _>(Pipeline, "LocalRanking", move |_cap, _info| {
            let mut pending: BTreeMap<Time, (Capability<Time>, HashMap<Row, Candidates>)> = BTreeMap::new();
            let bound = usize::try_from(keep).unwrap_or(usize::MAX).saturating_mul(2).max(if tight { 1 } else { 64 });
            move |(input, frontier), output| {
                input.for_each(|cap, data| {
                    for (row, time, diff) in data.drain(..) {
                        if diff <= 0 {
                            continue;
                        }
                        let Some(key) = eval.eval_row(&partition_by, &row) else { continue };
                        let order = eval.sort_key(&order_by, &row);
                        let (_, partitions) = pending.entry(time).or_insert_with(|| (cap.delayed(&time, output.output_index()), HashMap::new()));
                        let rows = partitions.entry(key).or_default();
                        rows.push((order, row, diff));
                        if rows.len() > bound {
                            keep_first(rows, &specs, rank_type, keep);
                        }
                    }
                });
                while let Some((&time, _)) = pending.first_key_value() {
                    if frontier.less_equal(&time) {
                        break;
                    }
                    let Some((_, (cap, partitions))) = pending.pop_first() else { break };
                    let mut session = output.session(&cap);
                    for (_, mut rows) in partitions {
                        keep_first(&mut rows, &specs, rank_type, keep);
                        session.give_iterator(rows.into_iter().map(|(_, row, copies)| (row, time, copies)));
                    }
                }
            }
        })
        .as_collection()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keep_first_counts_copies_and_breaks_ties_by_row() {
        let row = |v: i64| Row::new(vec![Value::BigInt(v)]);
        let mut rows: Candidates =
            vec![(vec![Value::BigInt(5)], row(5), 1), (vec![Value::BigInt(9)], row(9), 3), (vec![Value::Null], row(0), 1), (vec![Value::BigInt(7)], row(7), 1)];
        keep_first(&mut rows, &[SortSpec { descending: true, nulls_first: false }], RankType::RowNumber, 4);
        let kept: Vec<(i64, isize)> = rows.iter().map(|(_, r, c)| (r[0].as_i64().unwrap_or(-1), *c)).collect();
        assert_eq!(kept, [(9, 3), (7, 1)]);
    }

    #[test]
    fn keep_first_keeps_whole_ties_under_rank() {
        // Order key in the first column; rows 9a/9b tie. Ranks: 10 -> 1, 9a, 9b -> 2, 8 -> 4 (RANK) or 3 (DENSE_RANK).
        let row = |k: i64, tag: i64| (vec![Value::BigInt(k)], Row::new(vec![Value::BigInt(k), Value::BigInt(tag)]), 1);
        let spec = [SortSpec { descending: true, nulls_first: false }];
        let tags = |rows: &Candidates| rows.iter().map(|(_, r, c)| (r[1].as_i64().unwrap_or(-1), *c)).collect::<Vec<_>>();
        let input: Candidates = vec![row(8, 4), row(9, 2), row(10, 1), row(9, 3), row(7, 5)];
        let mut rank = input.clone();
        keep_first(&mut rank, &spec, RankType::Rank, 3);
        assert_eq!(tags(&rank), [(1, 1), (2, 1), (3, 1)]);
        let mut dense = input.clone();
        keep_first(&mut dense, &spec, RankType::DenseRank, 3);
        assert_eq!(tags(&dense), [(1, 1), (2, 1), (3, 1), (4, 1)]);
        let mut numbered = input;
        keep_first(&mut numbered, &spec, RankType::RowNumber, 2);
        assert_eq!(tags(&numbered), [(1, 1), (2, 1)]);
    }

    #[test]
    fn numbering_follows_the_rank_type() {
        // Keys a, a (two copies), b, c, c as (new_key, copies).
        let steps = [(true, 1), (false, 2), (true, 1), (true, 1), (false, 1)];
        let ranks = |t: RankType| {
            let mut n = Numbering::new(t);
            steps.iter().map(|&(new_key, copies)| n.next(new_key, copies)).collect::<Vec<_>>()
        };
        assert_eq!(ranks(RankType::RowNumber), [1, 2, 4, 5, 6]);
        assert_eq!(ranks(RankType::Rank), [1, 1, 4, 5, 5]);
        assert_eq!(ranks(RankType::DenseRank), [1, 1, 2, 3, 3]);
    }
}
