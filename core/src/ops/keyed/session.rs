//! SESSION windows: per partition key, rows whose event times lie within `gap` of each other
//! form one window `[first, last + gap)`. A session is final once the watermark passes its
//! end; its rows then go out, each followed by `window_start`, `window_end` and
//! `window_time` (`window_end - 1 ms`), like the other window table-valued functions.
//!
//! State per key: the open sessions' bounds, and each session's rows (a list namespaced by
//! the session's start). A row that bridges sessions merges them, as Flink's merging windows
//! do (windows that touch merge too). One timer per session at its `window_time`. A late row
//! that opens a session of its own already closed by the watermark is dropped and counted; one
//! that joins a session still open counts in it.

use weir_state::{ListState, StateError, ValueState};

use crate::expr::CompiledExpr;
use crate::job::JobContext;
use crate::types::{Row, Value};

use super::super::{Evaluator, Rows};
use super::{KeyedContext, KeyedLogic, keyed};

/// The SESSION window table-valued function over `input`, partitioned by `partition_by`,
/// on the event time in `time_column`, closing a session after `gap_ms` without rows.
#[allow(clippy::too_many_arguments, reason = "the operator's inputs as the compiler has them; a spec struct would only rename them")]
pub fn session_windows<'s>(
    node: &str,
    index: usize,
    input: Rows<'s>,
    partition_by: Vec<CompiledExpr>,
    time_column: usize,
    gap_ms: u64,
    eval: Evaluator,
    ctx: JobContext,
) -> Option<Rows<'s>> {
    let logic =
        Sessions { time_column, gap: i64::try_from(gap_ms).unwrap_or(i64::MAX), bounds: ValueState::new("sessions"), rows: ListState::new("session-rows") };
    keyed(node, index, vec![(input, partition_by)], logic, eval, ctx)
}

struct Sessions {
    time_column: usize,
    gap: i64,
    /// Open sessions of a key: `(start, end)`, disjoint.
    bounds: ValueState<Vec<(i64, i64)>>,
    /// The rows of a session, by the session's start.
    rows: ListState<Row, i64>,
}

/// Whether the open session `session` merges with a row's own window `own` (they overlap or
/// touch, as Flink's merging windows do).
pub(super) fn touches(own: (i64, i64), session: (i64, i64)) -> bool {
    session.0 <= own.1 && session.1 >= own.0
}

/// The bounds of the session a row's own window `own` forms with the open sessions it
/// touches, `merged`.
pub(super) fn merged_bounds(own: (i64, i64), merged: impl Iterator<Item = (i64, i64)>) -> (i64, i64) {
    merged.fold(own, |(start, end), (s, e)| (start.min(s), end.max(e)))
}

impl KeyedLogic for Sessions {
    fn on_row(&mut self, cx: &mut KeyedContext<'_>, _input: usize, row: Row) -> Result<(), StateError> {
        let Some(ts) = row.get(self.time_column).as_i64() else { return Ok(()) };
        let key = cx.key().to_vec();
        let open = self.bounds.get(cx.store, &key, &())?.unwrap_or_default();
        let own = (ts, ts.saturating_add(self.gap));
        let (merged, mut kept): (Vec<_>, Vec<_>) = open.into_iter().partition(|&s| touches(own, s));
        let (start, end) = merged_bounds(own, merged.iter().copied());
        if cx.is_late_for(end - 1) {
            // A session of its own that has already closed: its rows went out without it.
            cx.drop_late();
            return Ok(());
        }
        for &(s, e) in &merged {
            if s != start {
                let moved = self.rows.get(cx.store, &key, &s)?;
                self.rows.add_all(cx.store, &key, &start, &moved)?;
                self.rows.clear(cx.store, &key, &s)?;
            }
            if e != end {
                cx.delete_timer(e - 1)?;
            }
        }
        self.rows.add(cx.store, &key, &start, &row)?;
        kept.push((start, end));
        kept.sort_unstable();
        self.bounds.update(cx.store, &key, &(), &kept)?;
        cx.register_timer(end - 1)
    }

    fn on_timer(&mut self, cx: &mut KeyedContext<'_>, timestamp: i64) -> Result<(), StateError> {
        let key = cx.key().to_vec();
        let open = self.bounds.get(cx.store, &key, &())?.unwrap_or_default();
        let (closed, kept): (Vec<_>, Vec<_>) = open.into_iter().partition(|&(_, end)| end - 1 <= timestamp);
        for (start, end) in closed {
            for row in self.rows.get(cx.store, &key, &start)? {
                let ltz = matches!(row.get(self.time_column), Value::TimestampLtz(_));
                let window_time = if ltz { Value::TimestampLtz(end - 1) } else { Value::Timestamp(end - 1) };
                cx.emit(row.concat(&Row::new(vec![Value::Timestamp(start), Value::Timestamp(end), window_time])));
            }
            self.rows.clear(cx.store, &key, &start)?;
        }
        if kept.is_empty() { self.bounds.clear(cx.store, &key, &()) } else { self.bounds.update(cx.store, &key, &(), &kept) }
    }
}
