//! Event time at a source: each row's timely time is its event time (epoch milliseconds,
//! rounded down to the tick), and the watermark trails the largest event time seen by the
//! declared out-of-orderness. A source holds its capability at the watermark, so the dataflow
//! frontier *is* the watermark (and, across parallel splits, the minimum of theirs).
//!
//! The watermark advances per row, so which rows are late depends only on the order a split
//! reads them, not on how they are batched: a row whose time is before the watermark is late.
//! A late row is not dropped here: it is sent at the watermark, its event-time column
//! unchanged, and each event-time operator decides what lateness means for it (a window
//! aggregate drops a row whose window has fired, a filter passes it on), as in Flink.
//!
//! A split that reads no rows for the source's idle timeout is idle: instead of holding the
//! watermark back, its capability follows the smallest watermark of the source's active splits
//! (as a downstream operator in Flink takes the minimum over its non-idle inputs), published in
//! [`SplitWatermarks`]. When rows come again it is active again, and its rows behind the
//! watermark it followed to are late. When every split is idle, each follows the most advanced
//! of the others, so the watermark stays where the last active split left it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use crate::plan::SourceWatermark;
use crate::types::Row;

use super::Time;

/// What to do with one row read by an event-time source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stamp {
    /// Send it at this time (never before the watermark as it was before the row): its event
    /// time rounded down to the tick, or the watermark when it arrived behind it (late).
    At(Time),
    /// Drop it: its event time is NULL.
    NoTime,
}

/// The event-time clock of one source split.
#[derive(Clone, Debug)]
pub struct EventClock {
    column: usize,
    delay_ms: u64,
    tick_ms: u64,
    max_seen: Option<u64>,
    watermark: Time,
}

impl EventClock {
    /// A clock for rows timed by `watermark.column`, with watermarks rounded down to `tick_ms`.
    pub fn new(watermark: SourceWatermark, tick_ms: u64) -> EventClock {
        EventClock { column: watermark.column, delay_ms: watermark.delay_ms, tick_ms: tick_ms.max(1), max_seen: None, watermark: 0 }
    }

    /// The current watermark: rows before it are late.
    pub fn watermark(&self) -> Time {
        self.watermark
    }

    /// The time `row` is sent at, or why it is dropped; advances the watermark past on-time rows.
    /// Event times before 1970 count as time 0.
    pub fn stamp(&mut self, row: &Row) -> Stamp {
        let Some(ms) = row.get(self.column).as_i64() else { return Stamp::NoTime };
        let ms = u64::try_from(ms).unwrap_or(0);
        let time = self.round(ms);
        if time < self.watermark {
            return Stamp::At(self.watermark);
        }
        let max = self.max_seen.map_or(ms, |m| m.max(ms));
        self.max_seen = Some(max);
        self.watermark = self.watermark.max(self.round(max.saturating_sub(self.delay_ms)));
        Stamp::At(time)
    }

    /// Moves the watermark up to `time` (an idle split following the others); rows before it
    /// are late from now on.
    pub fn raise_to(&mut self, time: Time) {
        self.watermark = self.watermark.max(time);
    }

    fn round(&self, ms: u64) -> Time {
        ms - ms % self.tick_ms
    }
}

/// Where one split of an event-time source stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SplitMark {
    /// Reading rows; its watermark.
    Active(Time),
    /// No rows for the idle timeout since `since`: not holding the watermark back.
    Idle {
        /// Its watermark.
        watermark: Time,
        /// When it went idle (its last rows plus the timeout).
        since: Instant,
    },
}

/// The splits of a job's event-time sources, by (plan node, worker), shared by the workers.
#[derive(Debug, Default)]
pub struct SplitWatermarks {
    marks: Mutex<HashMap<(usize, usize), SplitMark>>,
}

impl SplitWatermarks {
    /// Records where split `worker` of source `node` stands; `None` when it has finished.
    pub fn set(&self, node: usize, worker: usize, mark: Option<SplitMark>) {
        let mut marks = self.marks.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match mark {
            Some(m) => marks.insert((node, worker), m),
            None => marks.remove(&(node, worker)),
        };
    }

    /// What idle split `worker` of `node` follows: the smallest watermark of the other splits
    /// that are active; when all are idle, the largest of theirs. `None` when it is alone.
    /// Callers only ever move a watermark up, so following is never a step back.
    pub fn follow(&self, node: usize, worker: usize) -> Option<Time> {
        let marks = self.marks.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let others = || marks.iter().filter(move |((n, w), _)| *n == node && *w != worker).map(|(_, m)| *m);
        let active = others().filter_map(|m| match m {
            SplitMark::Active(t) => Some(t),
            SplitMark::Idle { .. } => None,
        });
        active.min().or_else(|| {
            others()
                .map(|m| match m {
                    SplitMark::Active(t) | SplitMark::Idle { watermark: t, .. } => t,
                })
                .max()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Value;

    fn row(ms: i64) -> Row {
        Row::new(vec![Value::BigInt(1), Value::Timestamp(ms)])
    }

    #[test]
    fn late_rows_are_sent_at_the_watermark() {
        let mut clock = EventClock::new(SourceWatermark { column: 1, delay_ms: 1000, idle_timeout_ms: None }, 100);
        assert_eq!(clock.stamp(&row(5_050)), Stamp::At(5_000));
        assert_eq!(clock.watermark(), 4_000);
        assert_eq!(clock.stamp(&row(4_020)), Stamp::At(4_000), "within the bound");
        assert_eq!(clock.stamp(&row(3_999)), Stamp::At(4_000), "late: at the watermark");
        assert_eq!(clock.watermark(), 4_000, "a late row does not move the watermark");
        assert_eq!(clock.stamp(&row(9_000)), Stamp::At(9_000));
        assert_eq!(clock.watermark(), 8_000);
        assert_eq!(clock.stamp(&Row::new(vec![Value::BigInt(1), Value::Null])), Stamp::NoTime);
        clock.raise_to(20_000);
        assert_eq!(clock.stamp(&row(19_000)), Stamp::At(20_000), "behind the watermark an idle split followed to");
        assert_eq!(clock.watermark(), 20_000);
    }

    #[test]
    fn idle_splits_follow_the_slowest_active_split() {
        let t0 = Instant::now();
        let later = t0 + std::time::Duration::from_millis(50);
        let board = SplitWatermarks::default();
        board.set(7, 0, Some(SplitMark::Active(5_000)));
        board.set(7, 1, Some(SplitMark::Active(3_000)));
        board.set(7, 2, Some(SplitMark::Idle { watermark: 0, since: t0 }));
        board.set(8, 0, Some(SplitMark::Active(1_000)));
        assert_eq!(board.follow(7, 2), Some(3_000));
        assert_eq!(board.follow(7, 1), Some(5_000), "a split does not follow itself; idle ones hold nothing");
        board.set(7, 1, None);
        // Split 0 goes idle too: every split is idle, each follows the most advanced other one
        // (split 0 would "follow" split 2 down to 0, which a caller never does: it only moves up).
        board.set(7, 0, Some(SplitMark::Idle { watermark: 5_000, since: later }));
        assert_eq!(board.follow(7, 2), Some(5_000));
        assert_eq!(board.follow(7, 0), Some(0));
        assert_eq!(SplitWatermarks::default().follow(7, 0), None, "alone: nothing to follow");
    }
}
