//! Interval joins: rows of two append-only inputs with equal keys join when the right row's
//! event time lies within `[left time + lower, left time + upper]` (Flink's
//! `r.ts BETWEEN l.ts - INTERVAL a AND l.ts + INTERVAL b`), and a residual condition holds.
//!
//! Each row joins the other side's stored rows when it arrives and is stored only while a row
//! of the other side could still match it: a left row until the watermark passes
//! `time + upper`, a right row until it passes `time - lower`. A timer at that time drops it,
//! so state stays bounded by the interval and the out-of-orderness, however long the input.
//!
//! Each side's rows are kept by event time in a `MapState` whose keys encode in time order, so
//! both accesses are range reads of one key's rows: an arriving row reads only the other side's
//! times within its interval, and a timer removes only the times it expires (a prefix). A hot
//! key holding many rows (a long out-of-orderness, or a batch job, where the watermark stays
//! put until the input ends) then costs a row its matches, not every row of the key; Flink's
//! interval join iterates the key's whole map on both paths.
//!
//! Outer interval joins (LEFT, RIGHT, FULL) keep with each stored row of an outer side whether
//! it has joined; when its timer drops it unjoined, it goes out padded with NULLs — at that
//! time, once nothing can join it any more, so the output stays append-only (Flink's outer
//! interval joins). A row of an outer side with a NULL key joins nothing and goes out padded
//! at once.

use weir_state::{MapState, StateError};

use crate::expr::CompiledExpr;
use crate::job::JobContext;
use crate::plan::JoinType;
use crate::types::{Row, Value};

use super::super::{Evaluator, Rows};
use super::{KeyedContext, KeyedLogic, condition_holds, keyed};

/// An interval join, ready to run.
pub struct IntervalJoinSpec {
    /// Equi-join keys over the left rows.
    pub left_keys: Vec<CompiledExpr>,
    /// Equi-join keys over the right rows (same types as the left keys).
    pub right_keys: Vec<CompiledExpr>,
    /// The left rows' event-time column.
    pub left_time: usize,
    /// The right rows' event-time column (an index into the right row).
    pub right_time: usize,
    /// Smallest `right time - left time` that joins, in milliseconds.
    pub lower_ms: i64,
    /// Largest `right time - left time` that joins, in milliseconds.
    pub upper_ms: i64,
    /// A condition over the left columns followed by the right columns.
    pub condition: Option<CompiledExpr>,
    /// Inner, or which sides' unmatched rows go out padded with NULLs.
    pub join_type: JoinType,
    /// The left and right column counts.
    pub widths: (usize, usize),
}

/// The joined rows (left columns, then right columns) of `left` and `right`.
pub fn interval_join<'s>(
    node: &str,
    index: usize,
    left: Rows<'s>,
    right: Rows<'s>,
    spec: IntervalJoinSpec,
    eval: Evaluator,
    ctx: JobContext,
) -> Option<Rows<'s>> {
    let outer = match spec.join_type {
        JoinType::Inner => [false, false],
        JoinType::Left => [true, false],
        JoinType::Right => [false, true],
        JoinType::Full => [true, true],
    };
    let logic = IntervalJoin {
        left_time: spec.left_time,
        right_time: spec.right_time,
        lower: spec.lower_ms,
        upper: spec.upper_ms,
        condition: spec.condition,
        outer,
        widths: [spec.widths.0, spec.widths.1],
        eval: eval.clone(),
        sides: [MapState::new("interval-left"), MapState::new("interval-right")],
    };
    keyed(node, index, vec![(left, spec.left_keys), (right, spec.right_keys)], logic, eval, ctx)
}

struct IntervalJoin {
    left_time: usize,
    right_time: usize,
    lower: i64,
    upper: i64,
    condition: Option<CompiledExpr>,
    /// Whether each side's unmatched rows go out padded.
    outer: [bool; 2],
    widths: [usize; 2],
    eval: Evaluator,
    /// Stored rows of each side by event time, each with whether it has joined.
    sides: [MapState<i64, Vec<(Row, bool)>>; 2],
}

impl IntervalJoin {
    /// How much later than its event time a stored row of `side` expires: the left side's
    /// rows `upper`, the right side's `-lower`.
    fn expiry_offset(&self, side: usize) -> i128 {
        if side == 0 { i128::from(self.upper) } else { -i128::from(self.lower) }
    }

    /// The last watermark at which a stored row of `side` with event time `ts` can still meet
    /// a row of the other side.
    fn expiry(&self, side: usize, ts: i64) -> i64 {
        expiry(ts, self.expiry_offset(side))
    }

    /// Emits the join of `left` and `right` if the condition holds; whether it did.
    fn emit_if(&self, cx: &mut KeyedContext<'_>, left: &Row, right: &Row) -> bool {
        let joined = left.concat(right);
        let holds = condition_holds(&self.eval, self.condition.as_ref(), &joined);
        if holds {
            cx.emit(joined);
        }
        holds
    }

    /// Emits `row` of `side`, which joined nothing, padded with NULLs for the other side.
    fn emit_unmatched(&self, cx: &mut KeyedContext<'_>, side: usize, row: &Row) {
        let nulls = Row::new(vec![Value::Null; self.widths[1 - side]]);
        cx.emit(if side == 0 { row.concat(&nulls) } else { nulls.concat(row) });
    }
}

impl KeyedLogic for IntervalJoin {
    fn null_keys_match(&self) -> bool {
        // An outer side's rows with a NULL key still go out (padded); the logic drops the others.
        self.outer[0] || self.outer[1]
    }

    fn on_row(&mut self, cx: &mut KeyedContext<'_>, input: usize, row: Row) -> Result<(), StateError> {
        let side = input.min(1);
        if cx.key_has_null() {
            if self.outer[side] {
                self.emit_unmatched(cx, side, &row);
            }
            return Ok(());
        }
        let column = if side == 0 { self.left_time } else { self.right_time };
        let Some(ts) = row.get(column).as_i64() else {
            if self.outer[side] {
                self.emit_unmatched(cx, side, &row);
            }
            return Ok(());
        };
        let key = cx.key().to_vec();
        // Rows of the other side at times `other` with `other - ts` (left arriving) or
        // `ts - other` (right arriving) within [lower, upper].
        let (low, high) = if side == 0 {
            (ts.saturating_add(self.lower), ts.saturating_add(self.upper))
        } else {
            (ts.saturating_sub(self.upper), ts.saturating_sub(self.lower))
        };
        let mut matched = false;
        for (other, mut rows) in self.sides[1 - side].range(cx.store, &key, &(), low..=high)? {
            let mut newly_matched = false;
            for (r, joined) in &mut rows {
                let hit = if side == 0 { self.emit_if(cx, &row, r) } else { self.emit_if(cx, r, &row) };
                matched |= hit;
                newly_matched |= hit && !*joined;
                *joined |= hit;
            }
            if newly_matched && self.outer[1 - side] {
                self.sides[1 - side].put(cx.store, &key, &(), &other, &rows)?;
            }
        }
        let expiry = self.expiry(side, ts);
        if expiry <= cx.fired_watermark() {
            if self.outer[side] && !matched {
                self.emit_unmatched(cx, side, &row);
            }
            return Ok(());
        }
        let mut stored = self.sides[side].get(cx.store, &key, &(), &ts)?.unwrap_or_default();
        stored.push((row, matched));
        self.sides[side].put(cx.store, &key, &(), &ts, &stored)?;
        cx.register_timer(expiry)
    }

    fn on_timer(&mut self, cx: &mut KeyedContext<'_>, timestamp: i64) -> Result<(), StateError> {
        let key = cx.key().to_vec();
        for side in 0..2 {
            // Expiry grows with event time, so the rows this timer expires are a prefix.
            let Some(last) = last_expired(timestamp, self.expiry_offset(side)) else {
                continue;
            };
            if self.outer[side] {
                for (_, rows) in self.sides[side].drain_range(cx.store, &key, &(), ..=last)? {
                    rows.iter().filter(|(_, joined)| !joined).for_each(|(r, _)| self.emit_unmatched(cx, side, r));
                }
            } else {
                self.sides[side].remove_range(cx.store, &key, &(), ..=last)?;
            }
        }
        Ok(())
    }
}

/// The watermark past which a row with event time `ts` and expiry offset `offset` is dropped:
/// `ts + offset`, saturated to the range of `i64`.
fn expiry(ts: i64, offset: i128) -> i64 {
    i64::try_from(i128::from(ts) + offset).unwrap_or(if offset < 0 { i64::MIN } else { i64::MAX })
}

/// The latest event time whose [`expiry`] with `offset` is at most `watermark` (every earlier
/// time's is too), or `None` when no time's is.
fn last_expired(watermark: i64, offset: i128) -> Option<i64> {
    if watermark == i64::MAX {
        // Even a saturated expiry has passed.
        return Some(i64::MAX);
    }
    let last = i128::from(watermark) - offset;
    if last < i128::from(i64::MIN) { None } else { Some(i64::try_from(last).unwrap_or(i64::MAX)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `last_expired` is exact: a time is at most it exactly when its expiry has passed, at the
    /// extremes of `i64` and of the offsets too.
    #[test]
    fn the_expired_times_are_the_prefix_up_to_last_expired() {
        let times = [i64::MIN, i64::MIN + 1, i64::MIN + 5, -7, -1, 0, 1, 7, i64::MAX - 5, i64::MAX - 1, i64::MAX];
        let offsets = [i128::from(i64::MIN), i128::from(i64::MIN) + 1, -5, -1, 0, 1, 5, i128::from(i64::MAX), -i128::from(i64::MIN)];
        for &offset in &offsets {
            for &watermark in &times {
                let last = last_expired(watermark, offset);
                for &ts in &times {
                    let expired = expiry(ts, offset) <= watermark;
                    assert_eq!(last.is_some_and(|l| ts <= l), expired, "ts {ts}, offset {offset}, watermark {watermark}, last {last:?}");
                }
            }
        }
    }

    #[test]
    fn expiry_saturates_as_the_bounds_did() {
        for (ts, bound) in [(i64::MAX - 1, 5i64), (i64::MIN + 1, 5), (0, i64::MIN), (-1, i64::MAX), (3, 4)] {
            assert_eq!(expiry(ts, i128::from(bound)), ts.saturating_add(bound));
            assert_eq!(expiry(ts, -i128::from(bound)), ts.saturating_sub(bound));
        }
    }
}
