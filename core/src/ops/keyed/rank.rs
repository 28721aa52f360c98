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
use crate::plan::RankType;
use crate::types::Row;

use super::super::ordering::SortSpec;
use super::super::top_n::{pre_ranked, ranked_rows};
use super::super::{Evaluator, Ranking, Rows};
use super::timed::{TimedLogic, add_count, merged, timed, ttl};

/// The rows of each partition of `input` that `ranking` keeps, on keyed state (streaming).
pub fn keyed_top_n<'s>(node: &str, index: usize, input: Rows<'s>, ranking: Ranking, eval: Evaluator, ctx: JobContext) -> Rows<'s> {
    let input = pre_ranked(input, &ranking, &eval);
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

    fn cleanup_expired(&mut self, store: &mut KeyedStateStore) -> Result<u64, StateError> {
        self.rows.cleanup_expired(store)
    }
}
