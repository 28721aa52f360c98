//! Interval joins: rows of two append-only inputs with equal keys join when the right row's
//! event time lies within `[left time + lower, left time + upper]` (Flink's
//! `r.ts BETWEEN l.ts - INTERVAL a AND l.ts + INTERVAL b`), and a residual condition holds.
//!
//! Each row joins the other side's stored rows when it arrives and is stored only while a row
//! of the other side could still match it: a left row until the watermark passes
//! `time + upper`, a right row until it passes `time - lower`. A timer at that time drops it,
//! so state stays bounded by the interval and the out-of-orderness, however long the input.

use weir_state::{MapState, StateError};

use crate::expr::CompiledExpr;
use crate::runtime::JobContext;
use crate::types::Row;

use super::super::{Evaluator, Rows};
use super::{condition_holds, keyed, KeyedContext, KeyedLogic};

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
}

/// The joined rows (left columns, then right columns) of `left` and `right`.
pub fn interval_join<'s>(node: &str, index: usize, left: Rows<'s>, right: Rows<'s>, spec: IntervalJoinSpec, eval: Evaluator, ctx: JobContext) -> Option<Rows<'s>> {
    let logic = IntervalJoin {
        left_time: spec.left_time,
        right_time: spec.right_time,
        lower: spec.lower_ms,
        upper: spec.upper_ms,
        condition: spec.condition,
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
    eval: Evaluator,
    /// Stored rows of each side by event time.
    sides: [MapState<i64, Vec<Row>>; 2],
}

impl IntervalJoin {
    /// The last watermark at which a stored row of `side` with event time `ts` can still meet
    /// a row of the other side.
    fn expiry(&self, side: usize, ts: i64) -> i64 {
        if side == 0 { ts.saturating_add(self.upper) } else { ts.saturating_sub(self.lower) }
    }

    fn emit_if(&self, cx: &mut KeyedContext<'_>, left: &Row, right: &Row) {
        let joined = left.concat(right);
        if condition_holds(&self.eval, self.condition.as_ref(), &joined) {
            cx.emit(joined);
        }
    }
}

impl KeyedLogic for IntervalJoin {
    fn null_keys_match(&self) -> bool {
        false
    }

    fn on_row(&mut self, cx: &mut KeyedContext<'_>, input: usize, row: Row) -> Result<(), StateError> {
        let side = input.min(1);
        let column = if side == 0 { self.left_time } else { self.right_time };
        let Some(ts) = row.get(column).as_i64() else { return Ok(()) };
        let key = cx.key().to_vec();
        // Rows of the other side at times `other` with `other - ts` (left arriving) or
        // `ts - other` (right arriving) within [lower, upper].
        let (low, high) = if side == 0 {
            (ts.saturating_add(self.lower), ts.saturating_add(self.upper))
        } else {
            (ts.saturating_sub(self.upper), ts.saturating_sub(self.lower))
        };
        for (other, rows) in self.sides[1 - side].entries(cx.store, &key, &())? {
            if other < low || other > high {
                continue;
            }
            for r in &rows {
                if side == 0 { self.emit_if(cx, &row, r) } else { self.emit_if(cx, r, &row) }
            }
        }
        let expiry = self.expiry(side, ts);
        if expiry <= cx.fired_watermark() {
            return Ok(());
        }
        let mut stored = self.sides[side].get(cx.store, &key, &(), &ts)?.unwrap_or_default();
        stored.push(row);
        self.sides[side].put(cx.store, &key, &(), &ts, &stored)?;
        cx.register_timer(expiry)
    }

    fn on_timer(&mut self, cx: &mut KeyedContext<'_>, timestamp: i64) -> Result<(), StateError> {
        let key = cx.key().to_vec();
        for side in 0..2 {
            for ts in self.sides[side].keys(cx.store, &key, &())? {
                if self.expiry(side, ts) <= timestamp {
                    self.sides[side].remove(cx.store, &key, &(), &ts)?;
                }
            }
        }
        Ok(())
    }
}
