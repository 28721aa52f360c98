//! Window joins: two event-time window relations joined on equal `window_start` and
//! `window_end` (and other keys). Each side's rows wait in state under their window's end;
//! when the watermark reaches the window's last millisecond (`end - 1`, Flink's rule), the
//! window's rows are joined, emitted once and dropped, so state holds only the open windows
//! (Flink's window join).
//!
//! The rows a batch of input brings wait in memory, grouped by key, side and window, until the
//! batch ends ([`KeyedLogic::flush`]): one append to each list per batch, not one per row.

use weir_state::{KeyedStateStore, ListState, StateError};

use crate::connectors::ScratchRow;
use crate::expr::CompiledExpr;
use crate::job::JobContext;
use crate::types::decode_row_values;
use crate::types::{Row, Value};

use super::super::{Evaluator, Rows};
use super::{KeyMap, KeyedContext, KeyedLogic, condition_holds, keyed};

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
        batch: KeyMap::default(),
    };
    keyed(node, index, vec![(left, spec.left_keys), (right, spec.right_keys)], logic, eval, ctx)
}

struct WindowJoin {
    ends: [usize; 2],
    condition: Option<CompiledExpr>,
    eval: Evaluator,
    /// Each side's rows by their window's last millisecond (`end - 1`).
    sides: [ListState<Row, i64>; 2],
    /// The rows of the current batch, by encoded key: per side and window's last millisecond.
    batch: KeyMap<Vec<(usize, i64, Vec<Row>)>>,
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
        match self.batch.get_mut(cx.key()) {
            Some(lists) => match lists.iter_mut().find(|(s, l, _)| *s == side && *l == last) {
                Some((_, _, rows)) => rows.push(row),
                None => lists.push((side, last, vec![row])),
            },
            None => {
                self.batch.insert(cx.key().to_vec(), vec![(side, last, vec![row])]);
            }
        }
        // Rows of a window may arrive at its last millisecond itself (a window aggregate emits
        // then), so the window is complete once the watermark reaches it.
        cx.register_timer(last)
    }

    fn flush(&mut self, store: &mut KeyedStateStore) -> Result<(), StateError> {
        for (key, lists) in self.batch.drain() {
            for (side, last, rows) in lists {
                self.sides[side].add_all(store, &key, &last, &rows)?;
            }
        }
        Ok(())
    }

    fn on_timer(&mut self, cx: &mut KeyedContext<'_>, last: i64) -> Result<(), StateError> {
        let key = cx.key();
        // A window with rows on one side only joins nothing: its rows are not decoded.
        let rights = self.sides[1].get(cx.store, key, &last)?;
        if !rights.is_empty() {
            // Each left row is decoded into one buffer and joined from there. A pair is tested
            // in a scratch row, overwritten in place while no result holds it: a row is
            // allocated per joined result, not per pair (a window's rows mostly fail the
            // condition: q5's counts against the window's maximum).
            let (mut values, mut joined, mut scratch) = (Vec::new(), Vec::new(), None);
            let (eval, condition, name) = (&self.eval, self.condition.as_ref(), self.sides[0].name());
            self.sides[0].visit_encoded(cx.store, key, &last, |mut bytes| {
                decode_row_values(&mut bytes, &mut values).map_err(|e| StateError::CorruptValue { state: name.into(), detail: e.to_string() })?;
                for r in &rights {
                    let row = pair(&mut scratch, &values, r.values());
                    if condition_holds(eval, condition, row) {
                        joined.push(row.clone());
                    }
                }
                Ok(())
            })?;
            joined.into_iter().for_each(|row| cx.emit(row));
        }
        self.sides[0].clear(cx.store, key, &last)?;
        self.sides[1].clear(cx.store, key, &last)
    }
}

/// The row of `left` then `right` values, in `scratch`: written over the scratch row's values
/// (a fresh row when a result holds it, see [`ScratchRow`]), a new scratch row when it is not
/// as wide.
fn pair<'s>(scratch: &'s mut Option<ScratchRow>, left: &[Value], right: &[Value]) -> &'s Row {
    let width = left.len() + right.len();
    if scratch.as_ref().is_some_and(|s| s.row().len() != width) {
        *scratch = None;
    }
    let scratch = scratch.get_or_insert_with(|| ScratchRow::new(width));
    for (slot, value) in scratch.values_mut().iter_mut().zip(left.iter().chain(right)) {
        slot.clone_from(value);
    }
    scratch.row()
}

#[cfg(test)]
mod tests {
    use super::pair;
    use crate::types::{Row, Value};

    #[test]
    fn a_pair_is_written_over_its_scratch_row_unless_a_result_holds_it() {
        let ints = |v: &[i64]| v.iter().map(|&n| Value::BigInt(n)).collect::<Vec<_>>();
        let mut scratch = None;
        let kept: Row = pair(&mut scratch, &ints(&[1]), &ints(&[2])).clone();
        assert_eq!(pair(&mut scratch, &ints(&[3]), &ints(&[4])).values(), ints(&[3, 4]).as_slice());
        assert_eq!(kept.values(), ints(&[1, 2]).as_slice(), "a result held is not written over");
        let reused = pair(&mut scratch, &ints(&[5]), &ints(&[6])).values().as_ptr();
        assert_eq!(pair(&mut scratch, &ints(&[7]), &ints(&[8])).values().as_ptr(), reused, "an unshared scratch row is reused");
        assert_eq!(pair(&mut scratch, &ints(&[9, 10]), &ints(&[11])).values(), ints(&[9, 10, 11]).as_slice(), "another width");
    }
}
