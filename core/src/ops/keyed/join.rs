//! Streaming regular joins on keyed state (Flink's `Join` of two changing inputs): each side's
//! rows, with their multiplicities, live in the job's state backend per join key, so they are
//! checkpointed with the job and can outgrow memory.
//!
//! Per complete time (see `timed`) and key, with `ΔL`/`ΔR` the time's changes and `L`/`R` the
//! rows before them, the matching pairs change by `ΔL ⋈ R + (L + ΔL) ⋈ ΔR`, the residual
//! condition deciding which pairs match. Outer joins also keep the rows of a preserved side
//! that have no match, padded with NULLs: when only that side changed, only its changed rows
//! can gain or lose their padded row; when the other side changed, every row of the key is
//! checked again (without a condition, a side's rows match exactly while the other side has
//! any). A row whose key has a NULL matches nothing: an outer join passes it on padded, an
//! inner join drops it.
//!
//! Each side's rows expire after that side's time-to-live (`table.exec.state.ttl`, or a
//! `STATE_TTL` hint per side): an expired row is as if it had never arrived — it no longer
//! matches rows of the other side arriving later, as in Flink's join with idle state retention.
//! A retraction of an expired row still retracts what the row joined with the other side's
//! current rows, and leaves no count below zero (see `with_expired`).
//! Both sides share one state while their time-to-live is the same; the right side's rows get
//! a state of their own when it differs (a state has one time-to-live).

use differential_dataflow::consolidation::consolidate;
use weir_state::codec::encode_to_vec;
use weir_state::{KeyedStateStore, MapState, StateError, StateTtlConfig};

use crate::expr::CompiledExpr;
use crate::job::JobContext;
use crate::plan::JoinType;
use crate::types::{Row, Value};

use super::super::{Evaluator, JoinSpec, Rows};
use super::timed::{TimedLogic, add_count, merged, timed};

/// The left input.
const LEFT: u8 = 0;
/// The right input.
const RIGHT: u8 = 1;
/// A row of a preserved side whose key has a NULL: it never matches.
const UNMATCHABLE_LEFT: u8 = 2;
/// See [`UNMATCHABLE_LEFT`].
const UNMATCHABLE_RIGHT: u8 = 3;

/// A change of either input: (side, join key, row).
type Change = (u8, Row, Row);

/// The rows of `left` joined with `right` as `spec` says, on keyed state (streaming mode).
pub fn stream_join<'s>(node: &str, index: usize, left: Rows<'s>, right: Rows<'s>, spec: JoinSpec, eval: Evaluator, mut ctx: JobContext) -> Rows<'s> {
    let keep_left = matches!(spec.join_type, JoinType::Left | JoinType::Full);
    let keep_right = matches!(spec.join_type, JoinType::Right | JoinType::Full);
    let side = |rows: Rows<'s>, keys: Vec<CompiledExpr>, tag: u8, unmatchable: Option<u8>, eval: Evaluator| {
        rows.flat_map(move |row| {
            let key = eval.eval_row(&keys, &row)?;
            match key.values().iter().any(Value::is_null) {
                false => Some((tag, key, row)),
                true => unmatchable.map(|tag| (tag, Row::empty(), row)),
            }
        })
    };
    let lefts = side(left, spec.left_keys.clone(), LEFT, keep_left.then_some(UNMATCHABLE_LEFT), eval.clone());
    let rights = side(right, spec.right_keys.clone(), RIGHT, keep_right.then_some(UNMATCHABLE_RIGHT), eval.clone());
    // Expired rows are swept once per the shorter time-to-live (see `timed`).
    ctx.state_ttl = spec.state_ttl.iter().flatten().min().copied();
    let logic = StreamJoin::new(spec, eval);
    timed(node, index, "Join", lefts.concat(rights).inner, |(_, key, _): &Change| key, logic, ctx)
}

/// The logic of a streaming join (see the module docs).
pub(super) struct StreamJoin {
    condition: Option<CompiledExpr>,
    eval: Evaluator,
    keep_left: bool,
    keep_right: bool,
    left_width: usize,
    right_width: usize,
    /// Each side's rows of a key with their multiplicities (namespace: the side), left then
    /// right: one state for both unless their time-to-live differs.
    rows: [MapState<Row, i64, u8>; 2],
}

/// The states of the left and the right rows, expiring after `ttl`: one state, `join-rows`,
/// when both sides expire alike (so a job's state looks as it did before per-side TTLs);
/// the right rows in `join-rows-right` otherwise.
fn side_states(ttl: [Option<std::time::Duration>; 2]) -> [MapState<Row, i64, u8>; 2] {
    let state = |name: &str, ttl: Option<std::time::Duration>| match ttl {
        Some(ttl) => MapState::new(name).with_ttl(StateTtlConfig::new(ttl)),
        None => MapState::new(name),
    };
    let right = if ttl[0] == ttl[1] { "join-rows" } else { "join-rows-right" };
    [state("join-rows", ttl[0]), state(right, ttl[1])]
}

/// Rows with multiplicities.
type Counted = Vec<(Row, i64)>;

/// Whether `changes` retract a row.
fn retracts(changes: &Counted) -> bool {
    changes.iter().any(|(_, n)| *n < 0)
}

/// A side's stored rows `old` plus the rows its `changes` retract beyond what is stored: rows
/// whose state expired (or that never arrived). Such a retraction is applied as if the row
/// were still there, as Flink's join applies it: the pairs it forms with the other side's
/// current rows are retracted (an outer side's NULL-padded row when it has none), and the
/// other side's rows it leaves without a match get their padded row. The stored count never
/// goes below zero (see `add_count`).
fn with_expired(old: Counted, changes: &Counted) -> Counted {
    if !retracts(changes) {
        return old;
    }
    let stored: std::collections::HashMap<&Row, i64> = old.iter().map(|(row, n)| (row, *n)).collect();
    let expired: Counted = changes
        .iter()
        .filter_map(|(row, n)| {
            let missing = -n - stored.get(row).copied().unwrap_or(0);
            (missing > 0).then(|| (row.clone(), missing))
        })
        .collect();
    if expired.is_empty() { old } else { merged(&old, &expired) }
}

impl TimedLogic for StreamJoin {
    type Change = Change;

    fn apply(&mut self, store: &mut KeyedStateStore, changes: &mut Vec<(Change, isize)>, out: &mut Vec<(Row, isize)>) -> Result<(), StateError> {
        changes.sort_unstable_by(|a, b| a.0.1.cmp(&b.0.1));
        for group in changes.chunk_by(|a, b| a.0.1 == b.0.1) {
            let (mut dl, mut dr) = (Vec::new(), Vec::new());
            for ((side, _, row), diff) in group {
                match *side {
                    LEFT => dl.push((row.clone(), *diff as i64)),
                    RIGHT => dr.push((row.clone(), *diff as i64)),
                    UNMATCHABLE_LEFT => out.push((self.pad(true, row), *diff)),
                    _ => out.push((self.pad(false, row), *diff)),
                }
            }
            consolidate(&mut dl);
            consolidate(&mut dr);
            if dl.is_empty() && dr.is_empty() {
                continue;
            }
            let key = encode_to_vec(&group[0].0.1);
            // A side's stored rows are read only when the other side changed, or when its own
            // padded rows must be checked again.
            // A side that retracts rows reads them too: it may retract more than it holds.
            let l_old =
                if !dr.is_empty() || (self.keep_right && !dl.is_empty()) || retracts(&dl) { self.rows[0].entries(store, &key, &LEFT)? } else { Vec::new() };
            let r_old =
                if !dl.is_empty() || (self.keep_left && !dr.is_empty()) || retracts(&dr) { self.rows[1].entries(store, &key, &RIGHT)? } else { Vec::new() };
            let (l_old, r_old) = (with_expired(l_old, &dl), with_expired(r_old, &dr));
            let l_new = merged(&l_old, &dl);
            let r_new = merged(&r_old, &dr);
            for (l, n) in &dl {
                self.pairs(l, *n, &r_old, out);
            }
            for (r, n) in &dr {
                for (l, m) in &l_new {
                    if self.matches(l, r) {
                        out.push((l.concat(r), (m * n) as isize));
                    }
                }
            }
            if self.keep_left {
                self.padding(true, (&l_old, &l_new, &dl), (&r_old, &r_new), !dr.is_empty(), out);
            }
            if self.keep_right {
                self.padding(false, (&r_old, &r_new, &dr), (&l_old, &l_new), !dl.is_empty(), out);
            }
            self.store_changes(store, &key, LEFT, &dl)?;
            self.store_changes(store, &key, RIGHT, &dr)?;
        }
        Ok(())
    }

    fn cleanup_expired(&mut self, store: &mut KeyedStateStore) -> Result<u64, StateError> {
        let left = self.rows[0].cleanup_expired(store)?;
        let shared = self.rows[0].name() == self.rows[1].name();
        Ok(left + if shared { 0 } else { self.rows[1].cleanup_expired(store)? })
    }
}

impl StreamJoin {
    /// The join `spec` describes.
    pub(super) fn new(spec: JoinSpec, eval: Evaluator) -> StreamJoin {
        StreamJoin {
            condition: spec.condition,
            eval,
            keep_left: matches!(spec.join_type, JoinType::Left | JoinType::Full),
            keep_right: matches!(spec.join_type, JoinType::Right | JoinType::Full),
            left_width: spec.left_width,
            right_width: spec.right_width,
            rows: side_states(spec.state_ttl),
        }
    }

    /// Whether the left row `l` and the right row `r` (of one key) satisfy the condition.
    fn matches(&self, l: &Row, r: &Row) -> bool {
        self.condition.as_ref().is_none_or(|c| matches!(self.eval.eval(c, &l.concat(r)), Some(Value::Boolean(true))))
    }

    /// `n` copies of the left row `l` paired with the matching rows of `rights`.
    fn pairs(&self, l: &Row, n: i64, rights: &Counted, out: &mut Vec<(Row, isize)>) {
        for (r, m) in rights {
            if self.matches(l, r) {
                out.push((l.concat(r), (n * m) as isize));
            }
        }
    }

    /// Whether `row` of the preserved side (the left one when `left`) has a match among
    /// `others`, rows of the other side.
    fn has_match(&self, left: bool, row: &Row, others: &Counted) -> bool {
        if self.condition.is_none() {
            return !others.is_empty();
        }
        others.iter().any(|(other, _)| if left { self.matches(row, other) } else { self.matches(other, row) })
    }

    /// `row` of the preserved side (the left one when `left`) padded with the other side's NULLs.
    fn pad(&self, left: bool, row: &Row) -> Row {
        if left { row.pad_nulls(self.right_width) } else { row.nulls_then(self.left_width) }
    }

    /// The change of the padded rows of a preserved side (the left one when `left`): its rows
    /// before and after and its changes, the other side's rows before and after;
    /// `others_changed` says whether every row must be checked again.
    fn padding(
        &self,
        left: bool,
        (old, new, delta): (&Counted, &Counted, &Counted),
        (others_old, others_new): (&Counted, &Counted),
        others_changed: bool,
        out: &mut Vec<(Row, isize)>,
    ) {
        let pad = |row: &Row| self.pad(left, row);
        if !others_changed {
            for (row, n) in delta {
                if !self.has_match(left, row, others_old) {
                    out.push((pad(row), *n as isize));
                }
            }
            return;
        }
        if self.condition.is_none() && others_old.is_empty() == others_new.is_empty() {
            // Without a condition nothing changes for rows that stayed: only the changed rows.
            for (row, n) in delta {
                if others_new.is_empty() {
                    out.push((pad(row), *n as isize));
                }
            }
            return;
        }
        for (row, n) in old {
            if !self.has_match(left, row, others_old) {
                out.push((pad(row), -*n as isize));
            }
        }
        for (row, n) in new {
            if !self.has_match(left, row, others_new) {
                out.push((pad(row), *n as isize));
            }
        }
    }

    /// Adds the side's `changes` to its stored rows.
    fn store_changes(&self, store: &mut KeyedStateStore, key: &[u8], side: u8, changes: &Counted) -> Result<(), StateError> {
        let rows = &self.rows[usize::from(side == RIGHT)];
        for (row, n) in changes {
            add_count(rows, store, key, &side, row, *n)?;
        }
        Ok(())
    }
}
