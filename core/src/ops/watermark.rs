//! Event time at a source: each row's timely time is at or before its event time (epoch
//! milliseconds, rounded down to the tick), and the watermark trails the largest event time
//! seen by the declared out-of-orderness. A source holds its capability at the watermark, so
//! the dataflow frontier *is* the watermark (and, across parallel splits, the minimum of
//! theirs).
//!
//! The watermark is exact, whatever the tick: Flink SQL's `WATERMARK FOR ts AS ts - INTERVAL
//! 'd'` is `W = max(ts) - d`, and a row with `ts <= W` is late. The frontier the capability
//! holds is `W + 1` (the first time still to come), so a window `[start, end)` — complete when
//! `W >= end - 1` in Flink — fires once the frontier reaches `end`. The tick only rounds the
//! times on-time rows are sent at (never below the capability held), so that rows share few
//! distinct times; no decision depends on it.
//!
//! The watermark advances per row, so which rows are late depends only on the order a split
//! reads them, not on how they are batched: a row whose event time is before the frontier is
//! late. A late row is not dropped here: it is sent at the frontier, its event-time column
//! unchanged, and each event-time operator decides what lateness means for it (a window
//! aggregate drops a row whose window has fired, a filter passes it on), as in Flink.
//!
//! A split that reads no rows for the source's idle timeout is idle: instead of holding the
//! watermark back, its capability follows the smallest watermark of the source's active splits
//! (as a downstream operator in Flink takes the minimum over its non-idle inputs), published in
//! [`SplitWatermarks`](crate::job::SplitWatermarks). When rows come again it is active again, and its rows behind the
//! watermark it followed to are late. When every split is idle, each follows the most advanced
//! of the others, so the watermark stays where the last active split left it.

use crate::plan::SourceWatermark;
use crate::types::Row;

/// What to do with one row read by an event-time source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stamp {
    /// Send it at this time (never before the capability held): its event time rounded down
    /// to the tick, or the frontier when it arrived behind it (late).
    At(u64),
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
    /// The exact frontier: Flink's watermark plus one.
    frontier: u64,
    /// The frontier the source's capability was last moved to: no row is sent before it.
    held: u64,
}

impl EventClock {
    /// A clock for rows timed by `watermark.column`, sending on-time rows at their time rounded
    /// down to `tick_ms` (never before the capability held).
    pub fn new(watermark: SourceWatermark, tick_ms: u64) -> EventClock {
        EventClock { column: watermark.column, delay_ms: watermark.delay_ms, tick_ms: tick_ms.max(1), max_seen: None, frontier: 0, held: 0 }
    }

    /// The current frontier, Flink's watermark plus one: rows before it are late.
    pub fn watermark(&self) -> u64 {
        self.frontier
    }

    /// The frontier the capability moves to now; rows are not sent before it any more.
    pub fn hold(&mut self) -> u64 {
        self.held = self.frontier;
        self.held
    }

    /// The time `row` is sent at, or why it is dropped; advances the watermark past on-time rows.
    /// Event times before 1970 count as time 0.
    pub fn stamp(&mut self, row: &Row) -> Stamp {
        let Some(ms) = row.get(self.column).as_i64() else { return Stamp::NoTime };
        let ms = u64::try_from(ms).unwrap_or(0);
        if ms < self.frontier {
            return Stamp::At(self.frontier);
        }
        let max = self.max_seen.map_or(ms, |m| m.max(ms));
        self.max_seen = Some(max);
        self.frontier = self.frontier.max(max.saturating_sub(self.delay_ms).saturating_add(1));
        Stamp::At((ms - ms % self.tick_ms).max(self.held))
    }

    /// Moves the watermark up to `time` (an idle split following the others); rows before it
    /// are late from now on.
    pub fn raise_to(&mut self, time: u64) {
        self.frontier = self.frontier.max(time);
    }

    /// What a checkpoint keeps of the clock: the largest event time seen, the frontier, and
    /// the frontier the capability holds.
    pub fn state(&self) -> serde_json::Value {
        serde_json::json!({ "max_seen": self.max_seen, "frontier": self.frontier, "held": self.held })
    }

    /// The clock as `state` (from [`EventClock::state`]) says it was; the frontier the
    /// capability holds again.
    pub fn restore(&mut self, state: &serde_json::Value) -> u64 {
        let field = |name: &str| state.get(name).and_then(serde_json::Value::as_u64);
        self.max_seen = field("max_seen");
        self.frontier = field("frontier").unwrap_or(0);
        self.held = field("held").unwrap_or(self.frontier).min(self.frontier);
        self.held
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
    fn late_rows_are_sent_at_the_frontier() {
        let mut clock = EventClock::new(SourceWatermark { column: 1, delay_ms: 1000, idle_timeout_ms: None }, 100);
        assert_eq!(clock.stamp(&row(5_050)), Stamp::At(5_000), "rounded down to the tick");
        assert_eq!(clock.watermark(), 4_051, "Flink's watermark 4 050, plus one");
        assert_eq!(clock.stamp(&row(4_051)), Stamp::At(4_000), "within the bound");
        assert_eq!(clock.stamp(&row(4_050)), Stamp::At(4_051), "late: at Flink's watermark");
        assert_eq!(clock.watermark(), 4_051, "a late row does not move the watermark");
        assert_eq!(clock.hold(), 4_051);
        assert_eq!(clock.stamp(&row(4_060)), Stamp::At(4_051), "never before the capability held");
        assert_eq!(clock.stamp(&row(9_000)), Stamp::At(9_000));
        assert_eq!(clock.watermark(), 8_001);
        assert_eq!(clock.stamp(&Row::new(vec![Value::BigInt(1), Value::Null])), Stamp::NoTime);
        clock.raise_to(20_000);
        assert_eq!(clock.stamp(&row(19_000)), Stamp::At(20_000), "behind the watermark an idle split followed to");
        assert_eq!(clock.watermark(), 20_000);
    }

    #[test]
    fn the_frontier_does_not_depend_on_the_tick() {
        for tick in [1, 7, 200, 1000] {
            let mut clock = EventClock::new(SourceWatermark { column: 1, delay_ms: 250, idle_timeout_ms: None }, tick);
            for ms in [10_003, 10_999, 10_500, 12_345] {
                clock.stamp(&row(ms));
            }
            assert_eq!(clock.watermark(), 12_096, "tick {tick}");
        }
    }
}
