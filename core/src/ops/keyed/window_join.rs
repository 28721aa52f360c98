//! Window joins: two event-time window relations joined on equal `window_start` and
//! `window_end` (and other keys). Each side's rows wait in state under their window's end;
//! when the watermark reaches the window's last millisecond (`end - 1`, Flink's rule), the
//! window's rows are joined, emitted once and dropped, so state holds only the open windows
//! (Flink's window join).

use weir_state::{ListState, StateError};

use crate::expr::CompiledExpr;
use crate::job::JobContext;
use crate::types::Row;

use super::super::{Evaluator, Rows};
use super::{KeyedContext, KeyedLogic, condition_holds, keyed};

/// A window join, ready to run.
pub struct WindowJoinSpec {
    /// Equi-join keys over the left rows (including the window bounds).
    pub left_keys: Vec<CompiledExpr>,
    /// Equi-join keys over the right rows.
    pub right_keys: Vec<CompiledExpr>,
    /// `window_end` among the left columns.
    pub left_end: usize,
    /// `window_end` among the right columns.
    pub right_end: usize,
    /// A condition over the left columns followed by the right columns.
    pub condition: Option<CompiledExpr>,
}

/// The joined rows (left columns, then right columns) of the windows of `left` and `right`.
pub fn window_join<'s>(node: &str, index: usize, left: Rows<'s>, right: Rows<'s>, spec: WindowJoinSpec, eval: Evaluator, ctx: JobContext) -> Option<Rows<'s>> {
    let logic = WindowJoin {
        ends: [spec.left_end, spec.right_end],
        condition: spec.condition,
        eval: eval.clone(),
        sides: [ListState::new("window-join-left"), ListState::new("window-join-right")],
    };
    keyed(node, index, vec![(left, spec.left_keys), (right, spec.right_keys)], logic, eval, ctx)
}

struct WindowJoin {
    ends: [usize; 2],
    condition: Option<CompiledExpr>,
    eval: Evaluator,
    /// Each side's rows by their window's last millisecond (`end - 1`).
    sides: [ListState<Row, i64>; 2],
}

impl KeyedLogic for WindowJoin {
    fn null_keys_match(&self) -> bool {
        false
    }

    fn on_row(&mut self, cx: &mut KeyedContext<'_>, input: usize, row: Row) -> Result<(), StateError> {
        let side = input.min(1);
        let Some(end) = row.get(self.ends[side]).as_i64() else { return Ok(()) };
        let last = end.saturating_sub(1);
        if cx.is_late_for(last) {
            // Its window has been joined and forgotten.
            cx.drop_late();
            return Ok(());
        }
        self.sides[side].add(cx.store, cx.key(), &last, &row)?;
        // Rows of a window may arrive at its last millisecond itself (a window aggregate emits
        // then), so the window is complete once the watermark reaches it.
        cx.register_timer(last)
    }

    fn on_timer(&mut self, cx: &mut KeyedContext<'_>, last: i64) -> Result<(), StateError> {
        let key = cx.key();
        let lefts = self.sides[0].get(cx.store, key, &last)?;
        let rights = self.sides[1].get(cx.store, key, &last)?;
        for l in &lefts {
            for r in &rights {
                let joined = l.concat(r);
                if condition_holds(&self.eval, self.condition.as_ref(), &joined) {
                    cx.emit(joined);
                }
            }
        }
        self.sides[0].clear(cx.store, key, &last)?;
        self.sides[1].clear(cx.store, key, &last)
    }
}
