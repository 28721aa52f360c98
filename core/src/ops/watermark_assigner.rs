//! `watermark`: event time assigned mid-stream (the DataStream API's
//! `assign_timestamps_and_watermarks`). The operator holds its capability at the watermark, the
//! largest event time seen (the row's event-time column) minus the allowed out-of-orderness,
//! advancing it per row as a source's [`super::EventClock`] does. So the frontier downstream
//! is the watermark, whatever times the rows had before.
//!
//! An on-time row is sent at the watermark held when its batch arrived (at or before its event
//! time, as a source rounds times down to its tick; its event time is in its column), not at
//! its own event time: a batch's rows stay one container. A time per row made a container, an
//! allocation of a whole container's capacity and a progress update per row downstream: most
//! of a DataStream window job's time (benches/python/README.md).
//!
//! A row behind the watermark (or without a time) is never dropped: it is sent at the
//! watermark it is behind, its column unchanged, and the operators downstream decide whether
//! it is late, as in Flink (its dataflow time tells them: see `ops::keyed`). Each worker keeps
//! its own watermark; downstream sees their minimum. In batch mode rows pass unchanged
//! (everything is at time 0).

use differential_dataflow::AsCollection;
use timely::container::CapacityContainerBuilder;
use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::generic::Operator;

use crate::job::JobContext;
use crate::plan::RuntimeMode;
use crate::types::Row;

use super::{Rows, Time, at, frontier_epoch, with_ms};

/// The watermark of one worker: rows at or after it are on time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reclock {
    delay_ms: u64,
    /// 1 for Flink SQL's watermark (largest time minus the delay), 0 for the DataStream API's
    /// (one millisecond less).
    sql: u64,
    max_seen: Option<u64>,
    watermark: u64,
}

impl Reclock {
    /// A clock allowing rows `delay_ms` out of order; `sql`: Flink SQL's watermark, else the
    /// DataStream API's bounded out-of-orderness.
    pub fn new(delay_ms: u64, sql: bool) -> Reclock {
        Reclock { delay_ms, sql: u64::from(sql), max_seen: None, watermark: 0 }
    }

    /// The time a row with event time `ms` (`None`: no time) is sent at; advances the
    /// watermark past on-time rows. Times before 1970 count as 0.
    pub fn stamp(&mut self, ms: Option<i64>) -> u64 {
        let Some(ms) = ms else { return self.watermark };
        let ms = u64::try_from(ms).unwrap_or(0);
        if ms < self.watermark {
            return self.watermark;
        }
        let max = self.max_seen.map_or(ms, |m| m.max(ms));
        self.max_seen = Some(max);
        self.watermark = self.watermark.max((max + self.sql).saturating_sub(self.delay_ms));
        ms
    }

    /// The frontier held: no row is sent before it any more (Flink's watermark plus one).
    pub fn watermark(&self) -> u64 {
        self.watermark
    }
}

/// `input` re-timed by `column`, with `delay_ms` of allowed out-of-orderness (see the module
/// documentation); `sql`: Flink SQL's watermark, else the DataStream API's.
pub fn assign_watermarks<'s>(input: Rows<'s>, column: usize, delay_ms: u64, sql: bool, ctx: &JobContext) -> Rows<'s> {
    if ctx.mode == RuntimeMode::Batch {
        return input;
    }
    input
        .inner
        .unary_frontier::<CapacityContainerBuilder<Vec<(Row, Time, isize)>>, _, _, _>(Pipeline, "Watermark", move |cap, _info| {
            let mut cap = Some(cap);
            let mut clock = Reclock::new(delay_ms, sql);
            move |(input, frontier), output| {
                input.for_each(|_, data| {
                    let Some(held) = cap.as_mut() else {
                        data.clear();
                        return;
                    };
                    // On-time rows go at the watermark held when the batch came (at or before
                    // their event time); a late row (or one without a time) at the watermark it
                    // is behind, as before. Each run of rows sent at one time is one session:
                    // a session per row would ship a container (and allocate one) per row.
                    // Rows keep their checkpoint epoch (see `ops::time`); only the timestamp changes.
                    let start = held.time().ms;
                    for (row, time, _) in data.iter_mut() {
                        let ms = row.get(column).as_i64();
                        let stamped = clock.stamp(ms);
                        let on_time = ms.is_some_and(|ms| u64::try_from(ms).is_ok_and(|ms| ms == stamped));
                        *time = with_ms(time, if on_time { start } else { stamped });
                    }
                    let mut rows = data.drain(..).peekable();
                    while let Some(first) = rows.next() {
                        let time = first.1;
                        let delayed = (time != *held.time()).then(|| held.delayed(&time));
                        let mut session = output.session(delayed.as_ref().unwrap_or(held));
                        session.give(first);
                        while let Some(next) = rows.next_if(|r| r.1 == time) {
                            session.give(next);
                        }
                    }
                    if clock.watermark() > held.time().ms {
                        held.downgrade(&with_ms(held.time(), clock.watermark()));
                    }
                });
                match (frontier_epoch(frontier.frontier()), cap.as_mut()) {
                    (None, _) => cap = None,
                    (Some(epoch), Some(held)) if epoch > held.time().epoch => held.downgrade(&at(epoch, held.time().ms)),
                    _ => {}
                }
            }
        })
        .as_collection()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn late_rows_are_stamped_at_the_watermark_not_dropped() {
        let mut clock = Reclock::new(1000, false);
        assert_eq!(clock.stamp(Some(5_050)), 5_050);
        assert_eq!(clock.watermark(), 4_050);
        assert_eq!(clock.stamp(Some(4_060)), 4_060, "within the bound");
        assert_eq!(clock.stamp(Some(4_049)), 4_050, "late: at the watermark");
        assert_eq!(clock.watermark(), 4_050, "a late row does not move the watermark");
        assert_eq!(clock.stamp(None), 4_050, "no time: at the watermark");
        assert_eq!(clock.stamp(Some(9_000)), 9_000);
        assert_eq!(clock.watermark(), 8_000);
        assert_eq!(clock.stamp(Some(-5)), 8_000, "before 1970: time 0, late");
    }

    #[test]
    fn monotonous_timestamps_have_no_delay() {
        let mut clock = Reclock::new(0, false);
        assert_eq!(clock.stamp(Some(10)), 10);
        assert_eq!(clock.watermark(), 10);
        assert_eq!(clock.stamp(Some(10)), 10, "equal times are on time");
        assert_eq!(clock.stamp(Some(9)), 10);
    }

    #[test]
    fn a_sql_watermark_is_the_largest_time_minus_the_delay() {
        // `WATERMARK FOR ts AS ts - INTERVAL '1' SECOND`: after 3000, Flink's watermark is 2000,
        // so a row at 2000 is late and one at 2001 is not (the frontier is 2001).
        let mut clock = Reclock::new(1000, true);
        assert_eq!(clock.stamp(Some(3_000)), 3_000);
        assert_eq!(clock.watermark(), 2_001);
        assert_eq!(clock.stamp(Some(2_000)), 2_001, "late: at the watermark");
        assert_eq!(clock.stamp(Some(2_001)), 2_001, "on time");
        let mut exact = Reclock::new(0, true);
        assert_eq!(exact.stamp(Some(10)), 10);
        assert_eq!(exact.stamp(Some(10)), 11, "`AS ts`: a second row at the watermark is late");
    }
}
