//! OVER aggregates, `LAG`/`LEAD` and `ROW_NUMBER`/`RANK`/`DENSE_RANK` over partitions sorted
//! by any keys, or over the whole partition without ORDER BY: Flink's batch OverAggregate.
//! Each partition is sorted (ties broken by the whole row, so results do not depend on arrival
//! order or worker count) and every row gets its frame's aggregates, its offset values and its
//! numbers appended. It runs as a
//! differential reduce per partition, so updating inputs give the right final rows too.

use std::cmp::Ordering;

use crate::expr::CompiledExpr;
use crate::plan::RankType;
use crate::types::{Row, Value};

use super::keyed::OverAggregate;
use super::ordering::{SortSpec, compare_by};
use super::over_accumulators::FrameAccumulators;
use super::top_n::Numbering;
use super::{Evaluator, Rows};

/// Which rows of its sorted partition a row's aggregates cover.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortedFrame {
    /// Every row of the partition (OVER without ORDER BY).
    Partition,
    /// From the first row to the current one; with `peers`, also the rows whose order keys
    /// equal the current row's (`RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW`).
    Running {
        /// RANGE rather than ROWS.
        peers: bool,
    },
    /// `ROWS BETWEEN n PRECEDING AND CURRENT ROW`.
    Rows(u64),
}

/// `LAG(arg, offset, default)` or `LEAD(..)`: the argument of the row `offset` rows before
/// (after) the current one in its partition, else `default` (NULL when absent).
pub struct OffsetSpec {
    /// LEAD rather than LAG.
    pub lead: bool,
    /// The value taken from the other row.
    pub arg: CompiledExpr,
    /// How many rows away.
    pub offset: u64,
    /// The value when there is no such row, evaluated on the current row.
    pub default: Option<CompiledExpr>,
}

/// A sorted OVER node, ready to run.
pub struct SortedOverSpec {
    /// PARTITION BY.
    pub partition_by: Vec<CompiledExpr>,
    /// ORDER BY keys (empty: none).
    pub order_by: Vec<CompiledExpr>,
    /// Direction and NULL placement per order key.
    pub specs: Vec<SortSpec>,
    /// The aggregates' frame.
    pub frame: SortedFrame,
    /// The aggregates, appended first.
    pub aggregates: Vec<OverAggregate>,
    /// The LAG/LEAD calls, appended after the aggregates.
    pub offsets: Vec<OffsetSpec>,
    /// The row-numbering calls, appended after the offsets.
    pub ranks: Vec<RankType>,
}

/// Each row of `input` followed by its OVER aggregates and offset values.
pub fn sorted_over<'s>(input: Rows<'s>, spec: SortedOverSpec, eval: Evaluator) -> Rows<'s> {
    let key_eval = eval.clone();
    let partition_by = spec.partition_by.clone();
    input
        .flat_map(move |row| Some((key_eval.eval_row(&partition_by, &row)?, row)))
        .reduce_named("SortedOver", move |_key, vals: &[(&Row, isize)], out: &mut Vec<(Row, isize)>| {
            let mut rows: Vec<(Vec<Value>, &Row)> = Vec::new();
            for (row, copies) in vals.iter().filter(|(_, r)| *r > 0) {
                let order = eval.sort_key(&spec.order_by, row);
                for _ in 0..*copies {
                    rows.push((order.clone(), *row));
                }
            }
            rows.sort_by(|a, b| compare_by(&a.0, &b.0, &spec.specs).then_with(|| a.1.cmp(b.1)));
            let aggregates = spec.aggregate_results(&rows, &eval);
            let mut numberings: Vec<Numbering> = spec.ranks.iter().map(|&r| Numbering::new(r)).collect();
            for (i, (order, row)) in rows.iter().enumerate() {
                let mut added = aggregates.get(i).cloned().unwrap_or_default();
                for o in &spec.offsets {
                    let other = if o.lead { i.checked_add(o.offset as usize) } else { i.checked_sub(o.offset as usize) };
                    let value = match other.and_then(|j| rows.get(j)) {
                        Some((_, other)) => eval.eval(&o.arg, other),
                        None => o.default.as_ref().map_or(Some(Value::Null), |d| eval.eval(d, row)),
                    };
                    added.push(value.unwrap_or(Value::Null));
                }
                let new_key = i == 0 || compare_by(&rows[i - 1].0, order, &spec.specs) != Ordering::Equal;
                added.extend(numberings.iter_mut().map(|n| Value::BigInt(i64::try_from(n.next(new_key, 1)).unwrap_or(i64::MAX))));
                out.push((row.concat(&Row::new(added)), 1));
            }
        })
        .map(|(_key, row)| row)
}

impl SortedOverSpec {
    /// Each aggregate's argument for `row` (TRUE for `COUNT(*)`).
    fn arguments(&self, row: &Row, eval: &Evaluator) -> Vec<Value> {
        self.aggregates.iter().map(|a| a.arg.as_ref().map_or(Value::Boolean(true), |e| eval.eval(e, row).unwrap_or(Value::Null))).collect()
    }

    /// The aggregate results of every row of the sorted partition `rows`, in order.
    fn aggregate_results(&self, rows: &[(Vec<Value>, &Row)], eval: &Evaluator) -> Vec<Vec<Value>> {
        if self.aggregates.is_empty() {
            return Vec::new();
        }
        let args: Vec<Vec<Value>> = rows.iter().map(|(_, row)| self.arguments(row, eval)).collect();
        match self.frame {
            SortedFrame::Partition => {
                let mut accs = FrameAccumulators::new(&self.aggregates);
                args.iter().for_each(|a| accs.add(a));
                vec![accs.results(); rows.len()]
            }
            SortedFrame::Running { peers } => {
                let mut accs = FrameAccumulators::new(&self.aggregates);
                let mut out = Vec::with_capacity(rows.len());
                let mut i = 0;
                while i < rows.len() {
                    // The rows sharing this frame end: the peers under RANGE, one row under ROWS.
                    let mut end = i + 1;
                    while peers && end < rows.len() && compare_by(&rows[end].0, &rows[i].0, &self.specs) == Ordering::Equal {
                        end += 1;
                    }
                    if peers {
                        args[i..end].iter().for_each(|a| accs.add(a));
                        let results = accs.results();
                        out.extend(std::iter::repeat_n(results, end - i));
                    } else {
                        accs.add(&args[i]);
                        out.push(accs.results());
                    }
                    i = end;
                }
                out
            }
            SortedFrame::Rows(preceding) => {
                let preceding = usize::try_from(preceding).unwrap_or(usize::MAX);
                (0..rows.len())
                    .map(|i| {
                        let mut accs = FrameAccumulators::new(&self.aggregates);
                        args[i.saturating_sub(preceding)..=i].iter().for_each(|a| accs.add(a));
                        accs.results()
                    })
                    .collect()
            }
        }
    }
}
