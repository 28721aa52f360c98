//! Window table-valued functions and the event-time side of window aggregation.
//!
//! * [`window`] appends `window_start`, `window_end`, `window_time` to each row, once per
//!   window the row falls in (TUMBLE: one, HOP: `size / slide` rounded up or down, CUMULATE: one per step
//!   remaining in its period). Times are untouched: the rows flow on as they arrive.
//! * [`close_windows`] prepares the input of a window aggregate in streaming mode: each row
//!   moves to the time of its window's last millisecond (`window_end - 1`, epoch ms), so the
//!   aggregate produces a window's result exactly once, when the watermark reaches it (Flink's
//!   rule: the frontier, the watermark plus one, passes it); and each row is
//!   retracted again 1 ms after the allowed lateness, so the aggregate forgets the window and
//!   state stays bounded. A row arriving after its window fired is late: within the allowed
//!   lateness it updates the window's result (a late firing); after it, it is dropped and
//!   counted.
//! * [`drop_retractions`] then removes those expiry retractions from the aggregate's output:
//!   a window aggregate's output is append-only, as in Flink, apart from late firings.
//! * [`TumbleKeys`] computes, for an aggregate fused with the TUMBLE window it reads, the
//!   group keys of a window row from the window's input row, with [`window`]'s arithmetic, so
//!   that the aggregate's local combiner needs no window row.

use std::sync::Arc;

use differential_dataflow::AsCollection;
use timely::dataflow::operators::core::Map;

use crate::expr::CompiledExpr;
use crate::job::JobMetrics;
use crate::plan::{WindowKind, WindowSpec};
use crate::types::{Row, Value};

use super::{Evaluator, Rows, Time, with_ms};

/// The start of the window of `size` (> 0) ms, shifted by `offset` ms from the epoch, that
/// holds `ts`: Flink's `TimeWindow.getWindowStartWithOffset`, for negative times too.
pub(super) fn start_with_offset(ts: i64, offset: i64, size: i64) -> i64 {
    ts - ts.wrapping_sub(offset).rem_euclid(size)
}

/// The TUMBLE window `[start, end)` (epoch ms) of `spec` that holds `ts`.
fn tumble_of(spec: &WindowSpec, ts: i64) -> (i64, i64) {
    let size = i64::try_from(spec.size_ms).unwrap_or(i64::MAX);
    let start = start_with_offset(ts, spec.offset_ms, size);
    (start, start.saturating_add(size))
}

/// The windows `[start, end)` (epoch ms) that event time `ts` falls in, as Flink assigns
/// them: starts at `offset_ms` plus a multiple of the slide (HOP), the step (CUMULATE's ends)
/// or the size. A HOP window holds `ts` when `start <= ts < start + size`, so when the slide
/// does not divide the size a row falls in `size / slide` windows rounded up or down.
pub fn windows_of(spec: &WindowSpec, ts: i64) -> Vec<(i64, i64)> {
    let size = i64::try_from(spec.size_ms).unwrap_or(i64::MAX);
    let slide = i64::try_from(spec.slide_ms).unwrap_or(i64::MAX).max(1);
    let offset = spec.offset_ms;
    match spec.kind {
        WindowKind::Tumble => vec![tumble_of(spec, ts)],
        WindowKind::Hop => {
            let mut out = Vec::new();
            let mut start = start_with_offset(ts, offset, slide);
            while start > ts.saturating_sub(size) {
                out.push((start, start.saturating_add(size)));
                start -= slide;
            }
            out.reverse();
            out
        }
        WindowKind::Cumulate => {
            let start = start_with_offset(ts, offset, size);
            let first_end = start_with_offset(ts, offset, slide) + slide;
            let last_end = start.saturating_add(size);
            (0..).map(|k| first_end.saturating_add(k * slide)).take_while(|end| *end <= last_end).map(|end| (start, end)).collect()
        }
        // Sessions depend on the other rows of their key: see `keyed::session_windows`.
        WindowKind::Session => Vec::new(),
    }
}

/// Each row of `input` followed by `window_start`, `window_end` and `window_time` for every
/// window its `time_column` falls in; rows with a NULL time vanish. `window_time` keeps the
/// time column's type (TIMESTAMP or TIMESTAMP_LTZ).
pub fn window<'s>(input: Rows<'s>, spec: WindowSpec, time_column: usize) -> Rows<'s> {
    input.flat_map(move |row: Row| {
        let time = row.get(time_column);
        let ltz = matches!(time, Value::TimestampLtz(_));
        let windows = time.as_i64().map(|ts| windows_of(&spec, ts)).unwrap_or_default();
        windows
            .into_iter()
            .map(|(start, end)| row.concat(&Row::new(vec![Value::Timestamp(start), Value::Timestamp(end), window_time(ltz, end)])))
            .collect::<Vec<_>>()
    })
}

/// `window_time` of a window ending at `end`: its last millisecond, TIMESTAMP_LTZ when the
/// time column is (`ltz`), else TIMESTAMP.
fn window_time(ltz: bool, end: i64) -> Value {
    if ltz { Value::TimestampLtz(end - 1) } else { Value::Timestamp(end - 1) }
}

/// What one group key of an aggregate fused with the TUMBLE window it reads is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TumbleKey {
    /// `window_start`.
    Start,
    /// `window_end`.
    End,
    /// `window_time`.
    Time,
    /// An expression over the window's input columns only.
    Input,
}

/// The group keys of an aggregate fused with the TUMBLE window it reads, computed from the
/// window's input rows as [`window`] would have computed them into each row's one window row.
#[derive(Clone)]
pub struct TumbleKeys {
    /// The window (of kind TUMBLE).
    pub window: WindowSpec,
    /// The input column windowed by.
    pub time_column: usize,
    /// Each group key: what it is, and its expression over the window rows (an
    /// [`TumbleKey::Input`] key reads only input columns, so it evaluates over the input row).
    pub keys: Vec<(TumbleKey, CompiledExpr)>,
}

impl TumbleKeys {
    /// Appends the group key values of input `row` to `key`; `None` when its time is NULL
    /// (the window function drops such a row) or after a reported evaluation failure.
    pub(super) fn append(&self, row: &Row, eval: &Evaluator, key: &mut Vec<Value>) -> Option<()> {
        let time = row.get(self.time_column);
        let (start, end) = tumble_of(&self.window, time.as_i64()?);
        for (kind, expr) in &self.keys {
            key.push(match kind {
                TumbleKey::Start => Value::Timestamp(start),
                TumbleKey::End => Value::Timestamp(end),
                TumbleKey::Time => window_time(matches!(time, Value::TimestampLtz(_)), end),
                TumbleKey::Input => eval.eval(expr, row)?,
            });
        }
        Some(())
    }
}

/// The epoch-ms time of the last millisecond of the window whose `window_end` is in column
/// `end_column` (0 before 1970).
fn last_time(row: &Row, end_column: usize) -> u64 {
    row.get(end_column).as_i64().and_then(|ms| u64::try_from(ms.saturating_sub(1)).ok()).unwrap_or(0)
}

/// Where a window aggregate counts the rows it drops as late: the job's metrics and the
/// aggregate's plan node.
#[derive(Clone)]
pub struct LateCounter {
    /// The job's metrics.
    pub metrics: Arc<JobMetrics>,
    /// The plan node the late rows are counted for.
    pub node: usize,
}

/// Rows of a window aggregate's input, each at the last millisecond of its window and
/// retracted 1 ms after `lateness_ms` more (streaming mode, event-time windows only); rows arriving after
/// that (their timely time is the watermark they arrived behind) are dropped and counted.
/// The result is not append-only.
pub fn close_windows<'s>(input: Rows<'s>, end_column: usize, lateness_ms: u64, late: LateCounter) -> Rows<'s> {
    let at_end = input
        .inner
        .flat_map::<Vec<(Row, Time, isize)>, _, _>(move |(row, time, diff)| {
            let last = last_time(&row, end_column);
            if time.ms > last.saturating_add(lateness_ms) {
                late.metrics.add_late(late.node, diff.unsigned_abs() as u64);
                return None;
            }
            Some((row, with_ms(&time, time.ms.max(last)), diff))
        })
        .as_collection();
    let expired = at_end
        .clone()
        .negate()
        .inner
        .map::<Vec<(Row, Time, isize)>, _, _>(move |(row, time, diff)| {
            let expiry = last_time(&row, end_column).saturating_add(lateness_ms).saturating_add(1);
            (row, with_ms(&time, time.ms.max(expiry)), diff)
        })
        .as_collection();
    at_end.concat(expired)
}

/// The output of a window aggregate without the retractions that only forget expired
/// windows: the insertions, and (with a lateness) the retractions of late firings, which
/// happen before the window expires. `end_column` holds `window_end` in the output rows.
pub fn drop_retractions<'s>(output: Rows<'s>, end_column: usize, lateness_ms: u64) -> Rows<'s> {
    output
        .inner
        .flat_map::<Vec<(Row, Time, isize)>, _, _>(move |(row, time, diff)| {
            let late_firing = lateness_ms > 0 && time.ms <= last_time(&row, end_column).saturating_add(lateness_ms);
            (diff > 0 || late_firing).then_some((row, time, diff))
        })
        .as_collection()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(kind: WindowKind, size_ms: u64, slide_ms: u64) -> WindowSpec {
        WindowSpec { kind, size_ms, slide_ms, offset_ms: 0 }
    }

    fn shifted(kind: WindowKind, size_ms: u64, slide_ms: u64, offset_ms: i64) -> WindowSpec {
        WindowSpec { offset_ms, ..spec(kind, size_ms, slide_ms) }
    }

    #[test]
    fn tumble_hop_and_cumulate_assign_the_flink_windows() {
        assert_eq!(windows_of(&spec(WindowKind::Tumble, 10, 10), 23), vec![(20, 30)]);
        assert_eq!(windows_of(&spec(WindowKind::Tumble, 10, 10), -3), vec![(-10, 0)]);
        assert_eq!(windows_of(&spec(WindowKind::Hop, 10, 5), 23), vec![(15, 25), (20, 30)]);
        assert_eq!(windows_of(&spec(WindowKind::Hop, 10, 5), 20), vec![(15, 25), (20, 30)]);
        assert_eq!(windows_of(&spec(WindowKind::Cumulate, 10, 2), 23), vec![(20, 24), (20, 26), (20, 28), (20, 30)]);
        assert_eq!(windows_of(&spec(WindowKind::Cumulate, 10, 2), 29), vec![(20, 30)]);
    }

    #[test]
    fn a_slide_that_does_not_divide_the_size_gives_rows_two_or_three_windows() {
        // Size 5, slide 2: windows start at even times; 4 lies in [0, 5), [2, 7), [4, 9).
        assert_eq!(windows_of(&spec(WindowKind::Hop, 5, 2), 4), vec![(0, 5), (2, 7), (4, 9)]);
        assert_eq!(windows_of(&spec(WindowKind::Hop, 5, 2), 5), vec![(2, 7), (4, 9)]);
        assert_eq!(windows_of(&spec(WindowKind::Hop, 5, 2), -1), vec![(-4, 1), (-2, 3)]);
    }

    #[test]
    fn offsets_shift_window_starts_by_their_remainder() {
        // Flink's documented example (seconds here): a 10-minute TUMBLE, a row at 00:00:04.
        for (offset_min, start_min) in [(-16, -6), (-6, -6), (-4, -4), (0, 0), (4, -6), (6, -4), (16, -4)] {
            let window = windows_of(&shifted(WindowKind::Tumble, 600, 600, offset_min * 60), 4);
            assert_eq!(window, vec![(start_min * 60, start_min * 60 + 600)], "offset {offset_min} min");
        }
        assert_eq!(windows_of(&shifted(WindowKind::Tumble, 10, 10, 3), -5), vec![(-7, 3)]);
        assert_eq!(windows_of(&shifted(WindowKind::Hop, 10, 5, 1), 23), vec![(16, 26), (21, 31)]);
        assert_eq!(windows_of(&shifted(WindowKind::Cumulate, 8, 4, 2), 19), vec![(18, 22), (18, 26)]);
    }
}
