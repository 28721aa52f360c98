//! Streaming Top-N and deduplication on keyed state (Flink's `Rank` and `Deduplicate`): each
//! partition's rows, with their multiplicities, live in the job's state backend, so they are
//! checkpointed with the job and can outgrow memory.
//!
//! Per complete time (see `timed`) and partition, the rows kept before and after the time's
//! changes are ranked as the arrangement Top-N ranks them (`ops::top_n`: ties broken by the
//! whole row), and the difference goes out. Over an append-only input a row that ranks beyond
//! the kept ranks can never come back, so it is dropped from the state (Flink's
//! `AppendOnlyTopNFunction`); a retracting input keeps every row (`RetractableTopNFunction`).
//! With a time-to-live, a retraction of a row whose state expired is skipped.

use std::collections::HashSet;

use differential_dataflow::consolidation::consolidate;
use weir_state::codec::encode_to_vec;
use weir_state::{KeyedStateStore, MapState, StateError, StateTtlConfig};

use crate::expr::CompiledExpr;
use crate::job::JobContext;
use crate::plan::{RankType, RuntimeMode};
use crate::types::Row;

use super::super::ordering::SortSpec;
use super::super::top_n::{Candidates, keep_first, pre_ranked, ranked_rows};
use super::super::{Evaluator, Ranking, Rows};
use super::timed::{TimedLogic, add_count, merged, timed, ttl};

/// The rows of each partition of `input` that `ranking` keeps, on keyed state (streaming).
pub fn keyed_top_n<'s>(node: &str, index: usize, input: Rows<'s>, ranking: Ranking, eval: Evaluator, ctx: JobContext) -> Rows<'s> {
    // A batch job's one time is complete only at the end: its candidates must stay few.
    let input = pre_ranked(input, &ranking, &eval, ctx.mode == RuntimeMode::Batch);
    let keys = ranking.partition_by.clone();
    let key_eval = eval.clone();
    let keyed = input.flat_map(move |row| Some((key_eval.eval_row(&keys, &row)?, row)));
    let logic = KeyedRank::new(ranking, eval, ttl(&ctx));
    timed(node, index, "Rank", keyed.inner, |(key, _): &(Row, Row)| key, logic, ctx)
}

/// The logic of a streaming Top-N (see the module docs).
pub(super) struct KeyedRank {
    order_by: Vec<CompiledExpr>,
    specs: Vec<SortSpec>,
    rank_type: RankType,
    offset: u64,
    keep: u64,
    row_number: bool,
    append_only: bool,
    eval: Evaluator,
    /// A partition's rows with their multiplicities.
    rows: MapState<Row, i64>,
}

impl KeyedRank {
    /// The ranking `ranking` describes, its rows expiring after `ttl` when given.
    pub(super) fn new(ranking: Ranking, eval: Evaluator, ttl: Option<StateTtlConfig>) -> KeyedRank {
        KeyedRank {
            order_by: ranking.order_by,
            specs: ranking.specs,
            rank_type: ranking.rank_type,
            offset: ranking.offset,
            keep: ranking.offset.saturating_add(ranking.limit),
            row_number: ranking.row_number,
            append_only: ranking.append_only,
            eval,
            rows: ttl.map_or_else(|| MapState::new("rank-rows"), |ttl| MapState::new("rank-rows").with_ttl(ttl)),
        }
    }

    /// The kept rows of a partition holding `rows`, appended to `out` with multiplicity
    /// `sign`; the rows that could still be kept.
    fn rank<'r>(&self, rows: &'r [(Row, i64)], sign: isize, out: &mut Vec<(Row, isize)>) -> Vec<&'r Row> {
        let mut kept = Vec::new();
        let counted = rows.iter().filter(|(_, n)| *n > 0).map(|(r, n)| (r, *n as isize));
        let within = ranked_rows(counted, &self.order_by, &self.specs, self.rank_type, self.offset, self.keep, self.row_number, &self.eval, &mut kept);
        out.extend(kept.into_iter().map(|(row, n)| (row, n * sign)));
        within
    }
}

impl TimedLogic for KeyedRank {
    type Change = (Row, Row);

    fn apply(&mut self, store: &mut KeyedStateStore, changes: &mut Vec<((Row, Row), isize)>, out: &mut Vec<(Row, isize)>) -> Result<(), StateError> {
        changes.sort_unstable_by(|a, b| a.0.0.cmp(&b.0.0));
        for group in changes.chunk_by(|a, b| a.0.0 == b.0.0) {
            let key = encode_to_vec(&group[0].0.0);
            let old = self.rows.entries(store, &key, &())?;
            let mut delta: Vec<(Row, i64)> = group.iter().map(|((_, row), diff)| (row.clone(), *diff as i64)).collect();
            consolidate(&mut delta);
            if delta.is_empty() {
                continue;
            }
            // A retraction of a row that is not stored (its state expired) changes nothing, as
            // in Flink's `RetractableTopNFunction` ("Attempt to retract non-existed record").
            let new: Vec<(Row, i64)> = merged(&old, &delta).into_iter().filter(|(_, n)| *n > 0).collect();
            let start = out.len();
            self.rank(&old, -1, out);
            let within = self.rank(&new, 1, out);
            let mut changed = out.split_off(start);
            consolidate(&mut changed);
            out.extend(changed);
            for (row, n) in &delta {
                add_count(&self.rows, store, &key, &(), row, *n)?;
            }
            if self.append_only && within.len() < new.len() {
                // Rows ranked beyond the kept ranks of an input that only grows stay there.
                let within: HashSet<&Row> = within.into_iter().collect();
                for (row, _) in new.iter().filter(|(r, _)| !within.contains(r)) {
                    self.rows.remove(store, &key, &(), row)?;
                }
            }
        }
        Ok(())
    }

    /// A retracting input's changes merge per row (every row stays in its state); an
    /// append-only input's keep each key's first ranks, as the local ranking does: rows ranked
    /// beyond them among the changes alone rank beyond them among the key's rows too.
    fn compact(&self, changes: &mut Vec<((Row, Row), isize)>) -> bool {
        if !self.append_only {
            consolidate(changes);
            return true;
        }
        changes.sort_unstable_by(|a, b| a.0.0.cmp(&b.0.0));
        let mut kept = Vec::with_capacity(changes.len());
        for group in changes.chunk_by(|a, b| a.0.0 == b.0.0) {
            let mut candidates: Candidates = group.iter().map(|((_, row), n)| (self.eval.sort_key(&self.order_by, row), row.clone(), *n)).collect();
            keep_first(&mut candidates, &self.specs, self.rank_type, self.keep);
            kept.extend(candidates.into_iter().map(|(_, row, n)| ((group[0].0.0.clone(), row), n)));
        }
        *changes = kept;
        true
    }

    fn cleanup_expired(&mut self, store: &mut KeyedStateStore) -> Result<u64, StateError> {
        self.rows.cleanup_expired(store)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use weir_state::MemoryBackend;

    use super::*;
    use crate::connectors::SinkContext;
    use crate::expr::BoundExpr;
    use crate::job::{CancelToken, JobMetrics};
    use crate::ops::Ranking;
    use crate::types::{DataType, Value};

    /// A row of BIGINTs.
    fn row(values: &[i64]) -> Row {
        Row::new(values.iter().map(|v| Value::BigInt(*v)).collect())
    }

    /// The consolidated output of applying `changes` at once to a fresh `rank`.
    fn applied(rank: &mut KeyedRank, mut changes: Vec<((Row, Row), isize)>) -> Vec<(Row, isize)> {
        let (mut store, mut out) = (KeyedStateStore::new(Box::new(MemoryBackend::new())), Vec::new());
        rank.apply(&mut store, &mut changes, &mut out).unwrap_or_else(|e| panic!("apply failed: {e}"));
        consolidate(&mut out);
        out
    }

    #[test]
    fn compacted_changes_rank_as_all_of_them() {
        let ctx = JobContext::new(RuntimeMode::Batch, CancelToken::new(), Arc::new(JobMetrics::new(std::iter::empty())), SinkContext::default(), 200);
        // Changes (partition, (partition, x, i)): x repeats (ties), some rows come twice.
        let changes: Vec<((Row, Row), isize)> =
            (0..3000_i64).map(|i| ((row(&[i % 3]), row(&[i % 3, (i * 7) % 50, i % 400])), 1 + (i % 11 == 0) as isize)).collect();
        for (rank_type, offset, limit, row_number) in
            [(RankType::RowNumber, 0, 1, false), (RankType::RowNumber, 1, 2, true), (RankType::Rank, 0, 3, true), (RankType::DenseRank, 1, 2, false)]
        {
            let ranking = Ranking {
                partition_by: Vec::new(),
                order_by: vec![BoundExpr::column(1, DataType::BigInt, false).compile()],
                specs: vec![SortSpec { descending: false, nulls_first: false }],
                rank_type,
                offset,
                limit,
                row_number,
                append_only: true,
            };
            let mut rank = KeyedRank::new(ranking, Evaluator::new("test", &ctx), None);
            let expected = applied(&mut rank, changes.clone());
            assert!(!expected.is_empty());
            let mut waiting = Vec::new();
            for part in changes.chunks(700) {
                waiting.extend_from_slice(part);
                assert!(rank.compact(&mut waiting));
            }
            assert!(waiting.len() < 3 * 3 * 60, "{rank_type:?}: {} changes left of {}", waiting.len(), changes.len());
            assert_eq!(applied(&mut rank, waiting), expected, "{rank_type:?} {offset} {limit}");
        }
    }
}
