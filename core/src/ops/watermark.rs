//! Event time at a source: each row's timely time is its event time (epoch milliseconds,
//! rounded down to the tick), and the watermark trails the largest event time seen by the
//! declared out-of-orderness. A source holds its capability at the watermark, so the dataflow
//! frontier *is* the watermark (and, across parallel splits, the minimum of theirs).
//!
//! The watermark advances per row, so which rows are late depends only on the order a split
//! reads them, not on how they are batched: a row whose time is before the watermark is late.

use crate::plan::SourceWatermark;
use crate::types::Row;

use super::Time;

/// What to do with one row read by an event-time source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stamp {
    /// Send it at this time (never before the watermark as it was before the row).
    At(Time),
    /// Drop it: it arrived behind the watermark.
    Late,
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

    /// The current watermark: no row before it is accepted any more.
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
            return Stamp::Late;
        }
        let max = self.max_seen.map_or(ms, |m| m.max(ms));
        self.max_seen = Some(max);
        self.watermark = self.watermark.max(self.round(max.saturating_sub(self.delay_ms)));
        Stamp::At(time)
    }

    fn round(&self, ms: u64) -> Time {
        ms - ms % self.tick_ms
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
    fn late_rows_are_those_behind_the_watermark() {
        let mut clock = EventClock::new(SourceWatermark { column: 1, delay_ms: 1000 }, 100);
        assert_eq!(clock.stamp(&row(5_050)), Stamp::At(5_000));
        assert_eq!(clock.watermark(), 4_000);
        assert_eq!(clock.stamp(&row(4_020)), Stamp::At(4_000), "within the bound");
        assert_eq!(clock.stamp(&row(3_999)), Stamp::Late);
        assert_eq!(clock.stamp(&row(9_000)), Stamp::At(9_000));
        assert_eq!(clock.watermark(), 8_000);
        assert_eq!(clock.stamp(&Row::new(vec![Value::BigInt(1), Value::Null])), Stamp::NoTime);
    }
}
