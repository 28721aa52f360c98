//! `top_n` and `deduplicate`: per partition, the first rows in a given order
//! (`ROW_NUMBER() OVER (PARTITION BY .. ORDER BY ..) <= N`). Ties in the order are broken by
//! the whole row, so the chosen rows do not depend on arrival order or worker count.

use std::collections::{BTreeMap, HashMap};

use differential_dataflow::AsCollection;
use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::Capability;
use timely::dataflow::operators::generic::Operator;

use crate::expr::CompiledExpr;
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
    /// Ranks skipped before keeping any (OFFSET).
    pub offset: u64,
    /// Ranks kept after the offset.
    pub limit: u64,
    /// Append the 1-based rank as a BIGINT column.
    pub row_number: bool,
    /// The input never retracts: each worker may drop, before the exchange, every row that
    /// is not among its own first `offset + limit` of a partition and time (they cannot be in
    /// the global first ranks), so the ranking stores far fewer rows.
    pub append_only: bool,
}

/// The first `limit` rows (after `offset`) of each partition of `input`.
pub fn top_n<'s>(input: Rows<'s>, ranking: Ranking, eval: Evaluator) -> Rows<'s> {
    let Ranking { partition_by, order_by, specs, offset, limit, row_number, append_only } = ranking;
    let keep = offset.saturating_add(limit);
    let input = if append_only && keep <= LOCAL_RANKING_MAX {
        local_ranking(input, partition_by.clone(), order_by.clone(), specs.clone(), keep, eval.clone())
    } else {
        input
    };
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
pub fn deduplicate<'s>(input: Rows<'s>, key: Vec<CompiledExpr>, order_by: CompiledExpr, keep_last: bool, append_only: bool, eval: Evaluator) -> Rows<'s> {
    let spec = SortSpec { descending: keep_last, nulls_first: !keep_last };
    let ranking = Ranking { partition_by: key, order_by: vec![order_by], specs: vec![spec], offset: 0, limit: 1, row_number: false, append_only };
    top_n(input, ranking, eval)
}

/// A partition's candidate rows: order-key values, the row, its multiplicity.
type Candidates = Vec<(Vec<Value>, Row, isize)>;

/// Sorts `rows` by rank and keeps the first `keep` copies.
fn keep_first(rows: &mut Candidates, specs: &[SortSpec], keep: u64) {
    rows.sort_by(|a, b| compare_by(&a.0, &b.0, specs).then_with(|| a.1.cmp(&b.1)));
    let mut kept: u64 = 0;
    let mut cut = rows.len();
    for (i, (_, _, copies)) in rows.iter_mut().enumerate() {
        if kept >= keep {
            cut = i;
            break;
        }
        let take = (*copies as u64).min(keep - kept);
        *copies = take as isize;
        kept += take;
    }
    rows.truncate(cut);
}

/// Each worker's first `keep` rows per partition and time of an append-only input, emitted
/// when the frontier passes the time (a superset of the global first `keep`).
fn local_ranking<'s>(
    input: Rows<'s>,
    partition_by: Vec<CompiledExpr>,
    order_by: Vec<CompiledExpr>,
    specs: Vec<SortSpec>,
    keep: u64,
    eval: Evaluator,
) -> Rows<'s> {
    input
        .inner
        .unary_frontier::<timely::container::CapacityContainerBuilder<Vec<(Row, Time, isize)>>, _, _, _>(Pipeline, "LocalRanking", move |_cap, _info| {
            let mut pending: BTreeMap<Time, (Capability<Time>, HashMap<Row, Candidates>)> = BTreeMap::new();
            let bound = usize::try_from(keep).unwrap_or(usize::MAX).saturating_mul(2).max(64);
            move |(input, frontier), output| {
                input.for_each(|cap, data| {
                    for (row, time, diff) in data.drain(..) {
                        if diff <= 0 {
                            continue;
                        }
                        let Some(key) = eval.eval_row(&partition_by, &row) else { continue };
                        let order: Vec<Value> = order_by.iter().map(|e| eval.eval(e, &row).unwrap_or(Value::Null)).collect();
                        let (_, partitions) = pending.entry(time).or_insert_with(|| (cap.delayed(&time, output.output_index()), HashMap::new()));
                        let rows = partitions.entry(key).or_default();
                        rows.push((order, row, diff));
                        if rows.len() > bound {
                            keep_first(rows, &specs, keep);
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
                        keep_first(&mut rows, &specs, keep);
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
        keep_first(&mut rows, &[SortSpec { descending: true, nulls_first: false }], 4);
        let kept: Vec<(i64, isize)> = rows.iter().map(|(_, r, c)| (r[0].as_i64().unwrap_or(-1), *c)).collect();
        assert_eq!(kept, [(9, 3), (7, 1)]);
    }
}
